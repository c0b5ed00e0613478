// Run folders a crash left behind: a torn last line in events.jsonl, temporary files of writes that
// never got their rename, no summary.json. Every reader (the Runs list, the run store, a report,
// the Dashboard's replay, resume, the trainer's own recovery) must still list and read them. And an
// audit of the writers: run-folder files are only ever written whole (temp + rename) or appended.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { applyDefaults } from '../../src/shared/config';
import { summarizeRun } from '../../src/shared/summary';
import { readRunsForReport } from '../../src/node/runs/report-files';
import { finishAbandonedRun, readEvents, readRunConfig } from '../../src/node/runs/run-folder';
import { listRunRecords, readRunRecord } from '../../src/node/runs/run-listing';
import { resumeProblem } from '../../src/node/runs/resume';
import { repoRoot } from '../helpers/paths';

const COMPLETED = join(repoRoot, 'test', 'fixtures', 'webview-runs', 'completed');
const ID = '2026-11-26_12-46-08_custom';

function copyRun(): { runs: string; dir: string; lines: string[] } {
  const runs = mkdtempSync(join(tmpdir(), 'safety-'));
  const dir = join(runs, ID);
  cpSync(COMPLETED, dir, { recursive: true });
  return { runs, dir, lines: readFileSync(join(dir, 'events.jsonl'), 'utf8').trimEnd().split('\n') };
}

/** Cuts events.jsonl inside its line `index` (0-based), as a crash mid-append would. */
function tearAt(dir: string, lines: string[], index: number): void {
  const file = join(dir, 'events.jsonl');
  const before = lines.slice(0, index).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  truncateSync(file, before + Math.floor(Buffer.byteLength(lines[index]) / 2));
}

describe('a torn last line in events.jsonl', () => {
  test('every reader skips the torn line and keeps the rest: the Runs list, the run store, a report, the replay', () => {
    const { runs, dir, lines } = copyRun();
    rmSync(join(dir, 'summary.json')); // the crash came before the summary: figures come from the events
    const last = lines.length - 1; // the `done` line
    tearAt(dir, lines, last - 1); // inside the evaluation line, after which nothing was written
    const events = readEvents(dir);
    assert.equal(events.length, last - 1, 'all whole lines, none of the torn one');
    assert.deepEqual(events.map((e) => e.type), lines.slice(0, last - 1).map((l) => JSON.parse(l).type));

    // No lock names it, so a run without a final event is not running: it failed.
    const [record] = listRunRecords(runs);
    assert.equal(record.id, ID);
    assert.equal(record.state, 'failed');
    assert.match(record.message ?? '', /ended without a final event/);
    assert.ok(record.history.valAcc.length > 0, 'its curves are there');
    assert.ok(record.problems.some((p) => /summary\.json is missing/.test(p)));

    assert.equal(readEvents(dir).length, last - 1, 'the Dashboard replays the whole lines');
    assert.equal(readRunsForReport([dir])[0].id, ID, 'a report reads it');
    assert.doesNotThrow(() => summarizeRun(readRunConfig(dir), events));
  });

  test('the trainer\'s recovery ends the torn log on a new line, so its `done` is not swallowed', () => {
    const { dir, lines } = copyRun();
    rmSync(join(dir, 'summary.json'));
    tearAt(dir, lines, 5);
    const summary = finishAbandonedRun(dir, 'The trainer was killed (SIGKILL) before the run ended.');
    assert.equal(summary?.status, 'failed');
    const events = readEvents(dir);
    assert.equal(events.length, 6, 'five whole lines and the recovery\'s done');
    assert.deepEqual(events.at(-1), { ...events.at(-1), type: 'done', status: 'failed', message: 'The trainer was killed (SIGKILL) before the run ended.' });
    assert.equal(readRunRecord(dir)?.state, 'failed');
    assert.match(resumeProblem(dir) ?? '', /no checkpoint/, 'resume says why not, rather than failing on the log');
  });

  test('a torn line in the middle (a log from a resumed crash) is skipped too, the lines after it kept', () => {
    const { dir, lines } = copyRun();
    const cut = lines[3].slice(0, 20);
    writeFileSync(join(dir, 'events.jsonl'), [...lines.slice(0, 3), cut, ...lines.slice(3)].join('\n') + '\n');
    assert.equal(readEvents(dir).length, lines.length);
    assert.equal(readRunRecord(dir)?.state, 'completed');
  });
});

describe('a run folder half-written by a crash', () => {
  test('temporary files of writes that never got their rename are ignored; the folder lists and reads', () => {
    const { runs, dir, lines } = copyRun();
    rmSync(join(dir, 'summary.json'));
    writeFileSync(join(dir, 'summary.json.tmp-4242'), '{"status": "compl');
    writeFileSync(join(dir, 'meta.json.tmp-4242'), '{"na');
    mkdirSync(join(dir, 'model.tmp-4242'));
    writeFileSync(join(dir, 'model.tmp-4242', 'weights.bin'), Buffer.alloc(1000));
    tearAt(dir, lines, lines.length - 1);
    const record = readRunRecord(dir);
    assert.ok(record);
    assert.equal(record.state, 'failed');
    assert.equal(record.label, ID, 'no name from a meta.json that was never renamed into place');
    assert.ok(record.testAccuracy !== null, 'the evaluation before the crash still counts');
    assert.deepEqual(listRunRecords(runs).map((r) => r.id), [ID], 'listed once; temporary folders are not runs');
  });

  test('a run folder with only config.json (killed before its first event) and one with only events.jsonl are listed', () => {
    const runs = mkdtempSync(join(tmpdir(), 'safety-'));
    const config = applyDefaults({ dataset: 'mnist-sample' });
    mkdirSync(join(runs, 'a'));
    writeFileSync(join(runs, 'a', 'config.json'), JSON.stringify(config));
    mkdirSync(join(runs, 'b'));
    writeFileSync(join(runs, 'b', 'events.jsonl'), '{"type":"ready","time":1,"backe');
    mkdirSync(join(runs, 'not-a-run'));
    const ids = listRunRecords(runs).map((r) => `${r.id}:${r.state}`).sort();
    assert.deepEqual(ids, ['a:failed', 'b:failed']);
  });
});

describe('writers of run folder files (an audit of src/)', () => {
  /** Every direct file write in src/, and why it is safe: the run folder's files are written whole or appended. */
  const ALLOWED: Record<string, string> = {
    'src/node/runs/run-folder.ts': 'writeFileAtomic (temp + rename) and appendEvent (events.jsonl, append-only)',
    'src/trainer/model-io.ts': 'model/ written into model.tmp-<pid>/, then renamed',
    'src/trainer/checkpoint.ts': 'checkpoints/epoch-N written into .tmp-epoch-N-<pid>/, fsynced, then renamed; older ones removed after',
    'src/node/runs/resume.ts': 'a newline appended to events.jsonl before a resumed run appends',
    'src/node/runs/report-files.ts': 'report SVGs in a new images folder no reader lists until the .md (written atomically) exists',
    'src/node/runs/run-lock.ts': 'the lock: a temp file linked or renamed into place',
    'src/trainer/kernels/threads.ts': 'scripts for wasm worker threads in a fresh temp folder',
    'src/host/config-editing/create-config.ts': "mnist.config.json through VS Code's file system, after asking",
    'src/host/panels/save-export.ts': 'charts, Look Inside Model images and layer outputs, to a file the user picked',
    'src/node/files/durable.ts': 'writeFileDurable: write + fsync, for the temp files the writers above rename into place',
    'src/node/files/regular-file.ts': 'opens read-only (O_NOFOLLOW), to read run and model files with a size cap',
  };
  const WRITES = /\b(writeFileSync|appendFileSync|writeFile|writeFileDurable|appendFile|createWriteStream|openSync)\(|fs\.writeFile\(/;

  function sources(dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));
  }

  test('only the known writers write files; config.json, summary.json and meta.json go through writeFileAtomic', () => {
    const writers = sources(join(repoRoot, 'src')).filter((f) => WRITES.test(readFileSync(f, 'utf8'))).map((f) => relative(repoRoot, f));
    assert.deepEqual(writers.sort(), Object.keys(ALLOWED).sort(), 'a new writer: make it atomic (writeFileAtomic) and list it here with why');
    for (const f of sources(join(repoRoot, 'src'))) {
      const text = readFileSync(f, 'utf8');
      for (const name of ['RUN_FILES.config', 'RUN_FILES.summary', 'META_FILE']) {
        for (const m of text.matchAll(new RegExp(`(\\w+)\\(join\\([^)]*${name.replace('.', '\\.')}\\)`, 'g'))) {
          assert.ok(['writeFileAtomic', 'readJson', 'readFileSync', 'existsSync', 'mtime'].includes(m[1]), `${relative(repoRoot, f)}: ${m[0]}`);
        }
      }
    }
  });
});
