// The readers of the runs folder on a damaged or hostile workspace (test/helpers/damaged-workspace.ts):
// every good run is listed, each damaged folder is marked with its reason, nothing throws, nothing
// is followed out of the folder, and memory stays bounded (a /dev/zero link is never read).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readEvents, readRunConfig, readSummary } from '../../src/node/runs/run-folder';
import { listRunRecords } from '../../src/node/runs/run-listing';
import { readRunsForReport } from '../../src/node/runs/report-files';
import { DAMAGED, GOOD_RUN, buildDamagedWorkspace } from '../helpers/damaged-workspace';

test('one damaged folder hides no run: the good run is listed as completed, every damaged one is marked with its reason', () => {
  const { runsFolder } = buildDamagedWorkspace();
  const rssBefore = process.memoryUsage().rss;
  const runs = listRunRecords(runsFolder);
  const byId = new Map(runs.map((r) => [r.id, r]));

  const good = byId.get(GOOD_RUN);
  assert.ok(good, `the good run is listed (got ${runs.map((r) => r.id).join(', ')})`);
  assert.equal(good.state, 'completed');
  assert.ok(good.testAccuracy !== null && good.testAccuracy > 0.5);

  assert.equal(runs.length, 1 + Object.keys(DAMAGED).length, 'every folder is listed, none hidden');
  const link = byId.get(DAMAGED.linkToRoot)!;
  assert.equal(link.state, 'damaged');
  assert.match(link.message ?? '', /symbolic link, which is not followed/);
  const zero = byId.get(DAMAGED.summaryToDevZero)!;
  assert.equal(zero.state, 'damaged');
  assert.match(zero.message ?? '', /summary\.json is a symbolic link/);
  assert.equal(zero.epochsCompleted, 3, 'its curves still come from events.jsonl');
  const eventsZero = byId.get(DAMAGED.eventsToDevZero)!;
  assert.equal(eventsZero.state, 'damaged');
  assert.match(eventsZero.message ?? '', /events\.jsonl is a symbolic link/);

  const withNull = byId.get(DAMAGED.nullEvent)!;
  assert.equal(withNull.state, 'completed', 'the null line is skipped; the rest of the log reads');
  assert.ok(withNull.problems.some((p) => /1 line was not a readable event/.test(p)), withNull.problems.join('; '));
  const noVersions = byId.get(DAMAGED.readyWithoutVersions)!;
  assert.ok(noVersions.problems.some((p) => /not a readable event/.test(p)));
  assert.equal(byId.get(DAMAGED.arrayConfig)!.config, null);
  assert.ok(byId.get(DAMAGED.arrayConfig)!.problems.some((p) => /config\.json is not a readable config/.test(p)));
  assert.notEqual(byId.get(DAMAGED.emptyConfig)!.state, 'running');
  assert.equal(byId.get(DAMAGED.arraySummary)!.state, 'completed', 'an array summary is ignored; the events say completed');

  // Reading /dev/zero would allocate until the process aborts; here it costs nothing.
  const grownMb = (process.memoryUsage().rss - rssBefore) / 1e6;
  assert.ok(grownMb < 200, `listing grew the process by ${grownMb.toFixed(0)} MB`);
});

test('each run-file reader refuses a link, a device and a non-object, with words, and never throws where it promises not to', () => {
  const { runsFolder } = buildDamagedWorkspace();
  assert.equal(readSummary(join(runsFolder, DAMAGED.summaryToDevZero)), null);
  assert.equal(readSummary(join(runsFolder, DAMAGED.arraySummary)), null);
  assert.deepEqual(readEvents(join(runsFolder, DAMAGED.eventsToDevZero)), []);
  assert.ok(readEvents(join(runsFolder, DAMAGED.nullEvent)).every((e) => typeof e === 'object' && e !== null && typeof e.type === 'string'));
  assert.throws(() => readRunConfig(join(runsFolder, DAMAGED.arrayConfig)), /config\.json is not a config/);
  assert.throws(() => readRunConfig(join(runsFolder, DAMAGED.linkToRoot)), /config\.json/);
  const report = readRunsForReport([join(runsFolder, GOOD_RUN), join(runsFolder, DAMAGED.summaryToDevZero)]);
  assert.equal(report[0].id, GOOD_RUN);
});
