// Reading a written report back: its results table as data, and an SVG's well-formedness.
import assert from 'node:assert/strict';
import type { RunSummary } from '../../src/shared/protocol';

/** The "Configurations and results" table: one object per row, keyed by column title, markup removed. */
export function resultsTable(markdown: string): Record<string, string>[] {
  const section = markdown.split('## Configurations and results')[1]?.split('\n## ')[0];
  assert.ok(section, 'the report has a results table');
  const lines = section.split('\n').filter((l) => l.startsWith('|'));
  const cells = (l: string) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\*\*/g, '').replace(/`/g, '').replace(/\\(.)/g, '$1'));
  const head = cells(lines[0]);
  return lines.slice(2).map((l) => Object.fromEntries(cells(l).map((c, i) => [head[i], c])));
}

/** The best run's confusion matrix as written in the report. */
export function confusionTable(markdown: string): number[][] {
  const section = markdown.split('## Confusion matrix')[1]?.split('\n## ')[0];
  assert.ok(section, 'the report has a confusion matrix');
  return section
    .split('\n')
    .filter((l) => /^\| \*\*\d+\*\* \|/.test(l))
    .map((l) => l.slice(1, -1).split('|').slice(1, -1).map((c) => c.trim().replace(/\*\*/g, '')).map((c) => (c === '·' ? 0 : Number(c))));
}

/** A row of the results table agrees with the run's summary.json at the precision printed. */
export function assertRowMatchesSummary(row: Record<string, string>, s: RunSummary): void {
  const f4 = (x: number | null) => (x === null ? '—' : x.toFixed(4));
  assert.equal(row['Test accuracy'], f4(s.testAccuracy), 'test accuracy');
  assert.equal(row['Test loss'], f4(s.testLoss), 'test loss');
  const best = Math.max(...s.history.valAcc);
  assert.equal(row['Best val. accuracy (epoch)'], `${f4(best)} (${s.history.valAcc.indexOf(best) + 1})`, 'best validation accuracy');
  assert.equal(row['Final val. accuracy'], f4(s.history.valAcc[s.history.valAcc.length - 1]), 'final validation accuracy');
  assert.equal(row['Epochs'], String(s.epochsCompleted), 'epochs');
  assert.equal(row['Samples/s'], Math.round(s.trainSamplesPerSecond!).toLocaleString('en-US'), 'samples/s');
  assert.equal(row['Status'], s.status, 'status');
}

/** Tags balance, one <svg> root with a size: what an SVG viewer needs to open it. */
export function assertWellFormedSvg(svg: string): void {
  assert.match(svg, /^<svg [^>]*width="\d+" height="\d+"[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const stack: string[] = [];
  for (const m of svg.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (self) continue;
    if (close) assert.equal(stack.pop(), name, `</${name}> closes what was opened`);
    else stack.push(name);
  }
  assert.deepEqual(stack, [], 'every element is closed');
  assert.ok(svg.trim().endsWith('</svg>'));
}
