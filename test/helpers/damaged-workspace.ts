// A workspace as a cloned repository or a full disk can leave it: one good run made by the real
// trainer (a recorded fixture) beside run folders that are damaged or hostile. Built at test time,
// symbolic links included, so no such file is ever committed.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths';

export const GOOD_RUN = '2026-11-26_13-17-49_cnn';
const RECORDED = join(repoRoot, 'test', 'fixtures', 'run-history', 'cnn-3-epochs');

/** Each damaged folder's name and what it holds. */
export const DAMAGED = {
  nullEvent: '2026-11-27_10-00-01_null-event',
  readyWithoutVersions: '2026-11-27_10-00-02_ready-no-versions',
  emptyConfig: '2026-11-27_10-00-03_empty-config',
  arrayConfig: '2026-11-27_10-00-04_array-config',
  arraySummary: '2026-11-27_10-00-05_array-summary',
  summaryToDevZero: '2026-11-27_10-00-06_summary-dev-zero',
  linkToRoot: 'link-to-root',
  eventsToDevZero: '2026-11-27_10-00-07_events-dev-zero',
} as const;

export interface DamagedWorkspace {
  root: string;
  runsFolder: string;
}

/** A workspace folder with mnist.config.json at its root and `.mnist/runs` holding the cases above. */
export function buildDamagedWorkspace(root = mkdtempSync(join(tmpdir(), 'damaged-ws-'))): DamagedWorkspace {
  writeFileSync(join(root, 'mnist.config.json'), JSON.stringify({ dataset: 'mnist-sample', training: { epochs: 1 } }, null, 2) + '\n');
  const runsFolder = join(root, '.mnist', 'runs');
  mkdirSync(runsFolder, { recursive: true });
  cpSync(RECORDED, join(runsFolder, GOOD_RUN), { recursive: true });

  const lines = readFileSync(join(RECORDED, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
  const copy = (name: string) => {
    const dir = join(runsFolder, name);
    cpSync(RECORDED, dir, { recursive: true });
    return dir;
  };
  // events.jsonl with a `null` line among real events, and no summary.json, so the events are read.
  const withNull = copy(DAMAGED.nullEvent);
  writeFileSync(join(withNull, 'events.jsonl'), [...lines.slice(0, 3), 'null', ...lines.slice(3)].join('\n') + '\n');
  writeFileSync(join(withNull, 'summary.json'), '');
  const noVersions = copy(DAMAGED.readyWithoutVersions);
  const ready = JSON.parse(lines[0]) as Record<string, unknown>;
  delete ready.versions;
  writeFileSync(join(noVersions, 'events.jsonl'), [JSON.stringify(ready), ...lines.slice(1)].join('\n') + '\n');
  writeFileSync(join(noVersions, 'summary.json'), '[]');
  writeFileSync(join(copy(DAMAGED.emptyConfig), 'config.json'), '{}');
  writeFileSync(join(copy(DAMAGED.arrayConfig), 'config.json'), '[]');
  writeFileSync(join(copy(DAMAGED.arraySummary), 'summary.json'), '[1, 2, 3]');
  const devZero = copy(DAMAGED.summaryToDevZero);
  rmSync(join(devZero, 'summary.json'));
  symlinkSync('/dev/zero', join(devZero, 'summary.json'));
  const eventsZero = copy(DAMAGED.eventsToDevZero);
  rmSync(join(eventsZero, 'events.jsonl'));
  rmSync(join(eventsZero, 'summary.json'));
  symlinkSync('/dev/zero', join(eventsZero, 'events.jsonl'));
  symlinkSync('/', join(runsFolder, DAMAGED.linkToRoot));
  return { root, runsFolder };
}
