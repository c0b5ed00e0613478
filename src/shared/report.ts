// The written report: what was compared, configurations and results, curves, the best run's
// confusion matrix and findings, as Markdown with SVG images. Pure: the SVG renderer is passed in
// (src/shared/report-svg.ts in Node) and the files are written by src/trainer/report-files.ts.
import { PRINT_THEME } from './chart-theme';
import { type CompareChartOption, type CompareRow, type MetricKey, compareChartOption, compareCurves, compareTable, lineChartOption, uniqueLabels } from './compare';
import { bestRun, findings } from './findings';
import { formatPath } from './config';
import { readFindings } from './runs/findings';
import { formatDuration } from './progress';
import type { RunRecord } from './run-record';

export type SvgRenderer = (option: CompareChartOption, width: number, height: number) => string;

export interface ReportInput {
  runs: readonly RunRecord[];
  date: Date;
  /** Path of the images folder relative to the report file, e.g. "images/2026-11-26_14-05-report". */
  imagesPath: string;
  renderSvg: SvgRenderer;
  /** The sweep the runs come from, when they are one. */
  sweepId?: string;
  /** Where the run folders are, as a reader of the report finds them (e.g. ".mnist/runs"). */
  runsLocation?: string;
}

export interface ReportImage {
  /** File name inside the images folder. */
  file: string;
  title: string;
  svg: string;
}

export interface Report {
  title: string;
  markdown: string;
  images: ReportImage[];
}

export const CHART_SIZE = { width: 720, height: 360 } as const;

/** Settings a reader wants to see even when every run shares them. */
const KEY_SETTINGS = ['dataset', 'data.validationSplit', 'data.augment', 'model', 'training.epochs', 'training.batchSize', 'training.optimizer', 'training.learningRate', 'training.lrSchedule', 'training.earlyStopping', 'training.seed', 'backend'];

const f4 = (x: number | null): string => (x === null ? '—' : x.toFixed(4));
const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Text for a Markdown table cell or inline text: pipes and markup characters escaped. */
export function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/([*_`[\]<>])/g, '\\$1').replace(/\n/g, ' ');
}

/** Each run's own findings (src/shared/runs/findings) but overfitting, which the lines above already give per run. */
function runFindingLines(runs: readonly RunRecord[], labels: readonly string[]): string[] {
  return runs.flatMap((r, i) =>
    readFindings(r.summary?.findings)
      .filter((f) => f.id !== 'overfitting')
      .map((f) => `**${mdCell(labels[i] ?? r.label)}** (\`${formatPath(f.path)}\`, ${f.severity}): ${mdCell(f.message)}`),
  );
}

function date(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

const METRIC_COLUMNS: { key: MetricKey; title: string; show: (r: CompareRow) => string }[] = [
  { key: 'testAccuracy', title: 'Test accuracy', show: (r) => f4(r.testAccuracy) },
  { key: 'testLoss', title: 'Test loss', show: (r) => f4(r.testLoss) },
  { key: 'bestValAcc', title: 'Best val. accuracy (epoch)', show: (r) => (r.bestValAcc === null ? '—' : `${f4(r.bestValAcc)} (${r.bestValAccEpoch})`) },
  { key: 'finalValAcc', title: 'Final val. accuracy', show: (r) => f4(r.finalValAcc) },
  { key: 'epochs', title: 'Epochs', show: (r) => (r.plannedEpochs !== null && r.plannedEpochs !== r.epochs ? `${r.epochs} of ${r.plannedEpochs}` : String(r.epochs)) },
  { key: 'seconds', title: 'Time', show: (r) => (r.seconds === null ? '—' : formatDuration(r.seconds)) },
  { key: 'samplesPerSecond', title: 'Samples/s', show: (r) => (r.samplesPerSecond === null ? '—' : count(r.samplesPerSecond)) },
];

function table(head: string[], rows: string[][], align: ('l' | 'r')[] = []): string[] {
  const sep = head.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [`| ${head.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function datasetLine(runs: readonly RunRecord[]): string {
  const names = [...new Set(runs.map((r) => r.dataset))];
  const info = runs.find((r) => r.datasetInfo)?.datasetInfo;
  const sameCounts = info && runs.every((r) => !r.datasetInfo || (r.datasetInfo.train === info.train && r.datasetInfo.test === info.test));
  const counts = info && sameCounts ? ` (${count(info.train)} training, ${count(info.validation)} validation and ${count(info.test)} test images)` : '';
  return `${names.map((n) => `**${mdCell(n)}**`).join(', ')}${counts}`;
}

function confusionSection(best: RunRecord, label: string): string[] {
  const m = best.confusionMatrix;
  if (!m || m.length === 0) return [];
  const classes = m.length;
  const head = ['true \\ predicted', ...Array.from({ length: classes }, (_, i) => String(i)), 'accuracy'];
  const rows = m.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return [`**${t}**`, ...row.map((v, p) => (p === t ? `**${v}**` : v === 0 ? '·' : String(v))), total ? `${((row[t] / total) * 100).toFixed(1)}%` : '—'];
  });
  const n = m.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
  const errors = m.flatMap((row, t) => row.map((v, p) => ({ t, p, v }))).filter((c) => c.t !== c.p && c.v > 0).sort((a, b) => b.v - a.v).slice(0, 3);
  const lines = [
    `## Confusion matrix of the best run: ${mdCell(label)}`,
    '',
    `Rows are the true digit, columns the prediction, on ${count(n)} test images (test accuracy ${f4(best.testAccuracy)}); \`·\` is zero.`,
    '',
    ...table(head, rows, head.map((_, i) => (i === 0 ? 'l' : 'r'))),
  ];
  if (errors.length > 0) lines.push('', `Most frequent mistakes: ${errors.map((e) => `${e.t} taken for ${e.p} (${e.v}×)`).join(', ')}.`);
  return lines;
}

const short = (h: string | null | undefined) => (h ? `\`${h.slice(0, 12)}\`` : '—');

/** Seed, backend, versions, config hash and dataset checksums of each run: enough to say how to get the same numbers again. */
function provenanceSection(runs: readonly RunRecord[], labels: readonly string[]): string[] {
  const data = runs.map((r) => r.provenance?.dataset?.checksums ?? null);
  const known = data.filter((d): d is NonNullable<typeof d> => d !== null);
  const sameData = known.length === runs.length && known.every((d) => d.trainImages === known[0].trainImages && d.testImages === known[0].testImages && d.trainLabels === known[0].trainLabels && d.testLabels === known[0].testLabels);
  const lines = [
    '## Provenance',
    '',
    ...table(
      ['Run', 'Folder', 'Started', 'Seed', 'Backend', 'tfjs', 'Config hash', 'Data (train/test images)'],
      runs.map((r, i) => {
        const p = r.provenance;
        const d = data[i];
        return [
          mdCell(labels[i]),
          `\`${r.id}\``,
          r.startedAt !== null ? date(new Date(r.startedAt)) : '—',
          p?.seed !== null && p?.seed !== undefined ? String(p.seed) : r.config ? String(r.config.training.seed) : '—',
          p?.backend ? `${p.backend}${p.threads && p.threads > 1 ? ` (${p.threads} threads)` : ''}` : (r.backend ?? '—'),
          p?.tfjsVersion ?? '—',
          short(p?.configHash),
          d ? `${short(d.trainImages)} / ${short(d.testImages)}` : '—',
        ];
      }),
    ),
    '',
  ];
  if (sameData) lines.push(`Every run read the same digits: SHA-256 of the decoded training images \`${known[0].trainImages}\`, test images \`${known[0].testImages}\`.`, '');
  if (known.length < runs.length) lines.push('Runs written before provenance was recorded show — where their event log lacks it.', '');
  lines.push('Same config hash, data, seed, backend and tfjs version: the same numbers (`MNIST: Reproduce Run` checks it).', '');
  return lines;
}

/** The report for these runs (in the order given). */
export function buildReport(input: ReportInput): Report {
  const { runs } = input;
  const labels = uniqueLabels(runs);
  const t = compareTable(runs);
  const curves = compareCurves(runs);
  const best = bestRun(runs);
  const bestLabel = best ? labels[runs.indexOf(best)] : '';
  const title = input.sweepId ? `MNIST sweep ${input.sweepId}` : runs.length === 1 ? `MNIST run ${labels[0]}` : `MNIST: ${runs.length} runs compared`;

  const images: ReportImage[] = [];
  const image = (file: string, imageTitle: string, option: CompareChartOption): string => {
    images.push({ file, title: imageTitle, svg: input.renderSvg(option, CHART_SIZE.width, CHART_SIZE.height) });
    return `![${imageTitle}](${input.imagesPath}/${file})`;
  };

  // Sweep ids and counts are plain; only a run's own label can hold Markdown.
  const md: string[] = [`# ${runs.length === 1 && !input.sweepId ? `MNIST run ${mdCell(labels[0])}` : title}`, ''];
  md.push(
    `Written by MNIST Trainer on ${date(input.date)} from ${runs.length} run folder${runs.length === 1 ? '' : 's'}` +
      `${input.runsLocation ? ` in \`${input.runsLocation}\`` : ''}. Every number below is read from the run's \`summary.json\`.`,
    '',
  );

  md.push('## What was compared', '');
  const from = input.sweepId ? ` of sweep \`${input.sweepId}\`` : '';
  md.push(`${runs.length} run${runs.length === 1 ? '' : 's'}${from} on ${datasetLine(runs)}.`);
  if (t.configColumns.length > 0) {
    const varied = t.configColumns.map((k) => `\`${k}\` (${[...new Set(t.rows.map((r) => r.config[k]))].map(mdCell).join(', ')})`);
    md.push(`${runs.length > 1 ? 'They differ in' : 'Settings'}: ${varied.join('; ')}.`);
  } else if (runs.length > 1) {
    md.push('They have the same config (the same training repeated).');
  }
  const common = t.common.filter((c) => KEY_SETTINGS.includes(c.key));
  if (common.length > 0) md.push(`${runs.length > 1 ? 'The same in every run' : 'Settings'}: ${common.map((c) => `\`${c.key}\` ${mdCell(c.value)}`).join(' · ')}.`);
  md.push('');

  md.push('## Configurations and results', '');
  const head = ['Run', ...t.configColumns.map((k) => `\`${k}\``), ...METRIC_COLUMNS.map((c) => c.title), 'Status'];
  const rows = t.rows.map((r) => [
    mdCell(r.label),
    ...t.configColumns.map((k) => mdCell(r.config[k])),
    ...METRIC_COLUMNS.map((c) => (r.best.includes(c.key) ? `**${c.show(r)}**` : c.show(r))),
    r.state,
  ]);
  md.push(...table(head, rows, head.map((_, i) => (i > t.configColumns.length && i <= t.configColumns.length + METRIC_COLUMNS.length ? 'r' : 'l'))));
  md.push('', runs.length > 1 ? 'The best value of each column is in bold. Time is wall-clock, data loading and test evaluation included; samples/s is training throughput.' : '', '');

  const withCurves = curves.filter((c) => c.valAcc.length > 0);
  if (withCurves.length > 0) {
    md.push('## Curves', '');
    md.push(image('validation-accuracy.svg', 'Validation accuracy per epoch', compareChartOption(withCurves, 'valAcc', PRINT_THEME, { title: true })), '');
    md.push(image('validation-loss.svg', 'Validation loss per epoch', compareChartOption(withCurves, 'valLoss', PRINT_THEME, { title: true })), '');
    if (best && best.history.loss.length > 0) {
      const option = lineChartOption(
        [
          { name: 'training loss', values: best.history.loss },
          { name: 'validation loss', values: best.history.valLoss },
        ],
        PRINT_THEME,
        { title: `Training and validation loss: ${bestLabel}` },
      );
      md.push(image('best-run-loss.svg', `Training and validation loss of ${bestLabel}`, option), '');
    }
  }

  if (best) md.push(...confusionSection(best, bestLabel), '');

  md.push('## Findings', '');
  for (const line of findings(runs, labels)) md.push(`- ${line}`);
  for (const line of runFindingLines(runs, labels)) md.push(`- ${line}`);
  md.push('');

  md.push(...provenanceSection(runs, labels));
  return { title, markdown: md.join('\n').replace(/\n{3,}/g, '\n\n'), images };
}
