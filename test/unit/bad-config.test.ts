// Bad config, generated: 240 broken mnist.config.json files (test/helpers/broken-configs.ts, seed 10)
// through the pure validation and the editor's diagnostics. The CLI runs a sample of them in
// test/trainer/bad-config-cli.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatPath } from '../../src/shared/config';
import { planSweep } from '../../src/shared/sweep';
import { type ConfigIssue, checkModel, formatIssue, parseConfigText, positionAt, validateConfigText } from '../../src/shared/validate';
import { brokenConfigs } from '../helpers/broken-configs';
import { installFakeVscode, ui } from '../helpers/fake-vscode';

installFakeVscode();
const { ConfigDiagnostics, DIAGNOSTIC_SOURCE } = require('../../src/host/config-editing/diagnostics') as typeof import('../../src/host/config-editing/diagnostics');
const { analyzeConfigText } = require('../../src/host/config-editing/analyze') as typeof import('../../src/host/config-editing/analyze');

const FILE = 'mnist.config.json';
const CASES = brokenConfigs(10, 240);
/** What a stack trace or an unhandled exception looks like in a message. */
const STACK = /\n\s+at |\bat \S+ \(|TypeError|RangeError|ReferenceError|Maximum call stack|\[object Object\]|undefined undefined/;
/** A hang guard, not a speed test: before the size and depth limits, some cases took minutes or overflowed the stack. */
const HANG_GUARD_MS = 10_000;

/** The error a case's message must come from: at the expected path, or the first one for unreadable text. */
function matching(issues: readonly ConfigIssue[], names: string): ConfigIssue | undefined {
  const errors = issues.filter((i) => i.severity === 'error');
  if (names === 'position') return errors.find((i) => i.code === 'syntax' || i.code === 'too-large' || i.code === 'too-deep');
  if (names === '(config)') return errors.find((i) => i.path.length === 0);
  return errors.find((i) => formatPath(i.path).startsWith(names));
}

describe('bad config: the pure validation, every generated case', () => {
  test(`at least 200 cases, deterministic for a seed, from every family`, () => {
    assert.ok(CASES.length >= 200, `${CASES.length} cases`);
    const again = brokenConfigs(10, 240);
    assert.deepEqual(again.map((c) => c.text.length), CASES.map((c) => c.text.length), 'the same seed gives the same cases');
    assert.notDeepEqual(brokenConfigs(11, 240).map((c) => c.text), CASES.map((c) => c.text), 'another seed gives other variants');
    const families = new Map<string, number>();
    for (const c of CASES) families.set(c.family, (families.get(c.family) ?? 0) + 1);
    for (const f of ['wrong-type', 'unknown-key', 'missing-field', 'out-of-range', 'impossible-stack', 'huge-value', 'invalid-json', 'not-an-object', 'jsonc', 'size-and-depth']) {
      assert.ok((families.get(f) ?? 0) > 0, `family ${f}`);
    }
  });

  test('each is refused with a message naming its field (JSON path) or line and column, no stack trace, in bounded time', { timeout: 300_000 }, (t) => {
    let slowest = { ms: 0, name: '' };
    for (const c of CASES) {
      const start = performance.now();
      const { config, issues } = validateConfigText(c.text, FILE);
      const ms = performance.now() - start;
      if (ms > slowest.ms) slowest = { ms, name: c.name };
      const what = `${c.family}: ${c.name}`;
      assert.ok(ms < HANG_GUARD_MS, `${what}: ${ms.toFixed(0)} ms`);
      assert.equal(config, null, `${what}: refused`);
      const issue = matching(issues, c.names);
      assert.ok(issue, `${what}: an error at ${c.names}; got ${issues.map((i) => formatIssue(i)).join(' | ')}`);
      const line = formatIssue(issue, FILE, c.text);
      assert.ok(!STACK.test(line), `${what}: no stack trace: ${line}`);
      assert.ok(line.length < 600, `${what}: one readable line (${line.length} characters)`);
      // "mnist.config.json:12:5: training.epochs: …": the place, then the field when there is one.
      assert.match(line, /^mnist\.config\.json:\d+:\d+: /, what);
      if (c.names !== 'position' && c.names !== '(config)') assert.ok(line.includes(`: ${formatPath(issue.path)}: `), `${what}: names ${c.names}: ${line}`);
      assert.ok(issue.range && issue.range.offset >= 0 && issue.range.offset + issue.range.length <= c.text.length, `${what}: a range inside the text`);
      const { line: l, column } = positionAt(c.text, issue.range.offset);
      assert.ok(line.startsWith(`${FILE}:${l}:${column}: `), `${what}: the position is the range's`);
    }
    t.diagnostic(`${CASES.length} cases; slowest ${slowest.ms.toFixed(0)} ms (${slowest.name})`);
  });

  test('the trainer\'s own check (checkModel, for a config that skipped validation) never throws on any of them', () => {
    let checked = 0;
    for (const c of CASES) {
      const { value } = parseConfigText(c.text, FILE);
      if (value === undefined) continue;
      checked++;
      assert.doesNotThrow(() => checkModel(value as never), `${c.family}: ${c.name}`);
    }
    assert.ok(checked > 150, `${checked} parsed`);
  });

  test('the limits themselves: 10 MB and 100,000 levels are refused at once, with what to do', () => {
    const big = CASES.find((c) => c.name === 'a 10 MB file: whitespace')!;
    const [issue] = validateConfigText(big.text, FILE).issues;
    assert.equal(issue.code, 'too-large');
    assert.match(issue.message, /mnist\.config\.json is 10\.0 MB, too large for a config \(at most 256 KB.*check that this is the right file/);
    const deep = CASES.find((c) => c.name === 'nested 100000 levels deep')!;
    const [deepIssue] = validateConfigText(deep.text, FILE).issues;
    assert.equal(deepIssue.code, 'too-deep');
    assert.match(formatIssue(deepIssue, FILE, deep.text), /^mnist\.config\.json:1:\d+: \{ or \[ nested more than 64 levels deep here/);
  });

  test('huge but valid JSON numbers are refused with the field named, before any tensor (the schema\'s maxima and the memory checks)', () => {
    for (const c of CASES.filter((x) => x.family === 'huge-value')) {
      const { issues } = validateConfigText(c.text, FILE);
      const issue = matching(issues, c.names)!;
      assert.match(issue.message, /too large|at most|too many|more than the 4\.0 GB/, `${c.name}: ${issue.message}`);
    }
  });

  test('a sweep grid of 10¹⁰ runs is refused from its size, before any config is built', () => {
    const grid = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`model.layers[${i}].units`, Array.from({ length: 10 }, (_, v) => v + 1)]));
    const { runs, errors } = planSweep({ dataset: 'mnist-sample', experiments: { grid } });
    assert.deepEqual(runs, []);
    assert.deepEqual(errors, ['mnist.config.json: experiments would train 10,000,000,000 runs; at most 100 in one sweep']);
  });

  test('a "__proto__" field is an unknown field, not a hidden prototype', () => {
    const text = '{ "__proto__": { "dataset": "fashion-mnist" } }';
    const { config, issues } = validateConfigText(text, FILE);
    assert.equal(config, null);
    assert.match(formatIssue(issues[0], FILE, text), /^mnist\.config\.json:1:3: __proto__: unknown field "__proto__"/);
  });
});

interface FakeDocument {
  uri: { scheme: string; path: string; fsPath: string; toString(): string };
  fileName: string;
  version: number;
  isClosed: boolean;
  lineCount: number;
  getText(): string;
  positionAt(offset: number): { line: number; character: number };
}

function fakeDocument(text: string, file: string): FakeDocument {
  const lines = text.split(/\r\n|\r|\n/);
  return {
    uri: { scheme: 'file', path: file, fsPath: file, toString: () => `file://${file}` },
    fileName: file,
    version: 1,
    isClosed: false,
    lineCount: lines.length,
    getText: () => text,
    positionAt: (offset) => {
      const { line, column } = positionAt(text, offset);
      return { line: line - 1, character: column - 1 };
    },
  };
}

describe('bad config: the editor\'s diagnostics (ConfigDiagnostics on the recording stand-in), every generated case', () => {
  test('each gets a problem with a range: published by the extension, or (syntax and schema) left to VS Code\'s JSON language service with its range', { timeout: 300_000 }, async (t) => {
    ui.reset('/ws');
    const diagnostics = new ConfigDiagnostics();
    const published = ui.diagnostics.get(DIAGNOSTIC_SOURCE)!;
    let ownCount = 0;
    let ownCases = 0;
    try {
      for (const [n, c] of CASES.entries()) {
        const file = `/ws/case-${n}/${FILE}`;
        const document = fakeDocument(c.text, file);
        ui.documentEvents.open.fire(document);
        for (let i = 0; i < 1000 && !published.has(document.uri.toString()); i++) await new Promise((r) => setImmediate(r));
        const shown = published.get(document.uri.toString());
        const what = `${c.family}: ${c.name}`;
        assert.ok(shown, `${what}: published`);
        const { issues, diagnostics: own } = analyzeConfigText(c.text, file);
        assert.equal(shown.length, own.length, `${what}: what the extension publishes`);
        for (const d of shown) {
          const range = d.range as { start: { line: number; character: number }; end: { line: number; character: number } };
          assert.ok(range.start.line >= 0 && range.end.line < document.lineCount && range.start.line <= range.end.line, `${what}: range inside the document`);
          assert.equal((d as { source?: string }).source, DIAGNOSTIC_SOURCE);
          assert.ok(d.message.length > 0 && !STACK.test(d.message), `${what}: ${d.message}`);
        }
        ownCount += shown.length;
        // The rest VS Code's JSON language service shows, from the same schema; each has its range here too.
        const issue = matching(issues, c.names);
        assert.ok(issue?.range, `${what}: the expected issue has a range`);
        if (!['syntax', 'schema'].includes(issue.code ?? '')) {
          assert.ok(shown.some((d) => d.message === issue.message), `${what}: published by the extension`);
          ownCases++;
        }
        ui.documentEvents.close.fire(document);
      }
    } finally {
      diagnostics.dispose();
    }
    assert.ok(ownCases >= 40, `${ownCases} cases whose problem the extension publishes itself`);
    t.diagnostic(`${ownCases} cases published by the extension (${ownCount} diagnostics), ${CASES.length - ownCases} left to the JSON language service`);
  });
});

