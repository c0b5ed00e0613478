// The dashboard's new requests are untrusted input: only a drawn digit (784 numbers in 0..1, an
// integer id) and an export (a known format, a plain file name, matching content) pass; and the
// host writes an export only where the user chose in the save dialog.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportBytes, saveExport } from '../../src/host/panels/export';
import { type ExportRequest, isFromWebview, isPredictorCommand, MAX_EXPORT_CHARS } from '../../src/shared/protocol';

const pixels = (): number[] => Array.from({ length: 784 }, (_, i) => (i % 29) / 28);
const PNG = 'data:image/png;base64,' + Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]).toString('base64');

describe('predict requests', () => {
  it('accepts 784 numbers in 0..1 with a whole-number id', () => {
    assert.ok(isFromWebview({ type: 'predict', id: 1, pixels: pixels() }));
    assert.ok(isFromWebview({ type: 'predict', id: 0, pixels: new Array(784).fill(0) }));
    assert.ok(isFromWebview({ type: 'predict', id: 2 ** 40, pixels: new Array(784).fill(1) }));
  });

  it('refuses anything else', () => {
    const bad: unknown[] = [
      { type: 'predict', id: 1, pixels: pixels().slice(1) },
      { type: 'predict', id: 1, pixels: [...pixels(), 0] },
      { type: 'predict', id: 1, pixels: pixels().map((v, i) => (i === 5 ? 1.0001 : v)) },
      { type: 'predict', id: 1, pixels: pixels().map((v, i) => (i === 5 ? -0.1 : v)) },
      { type: 'predict', id: 1, pixels: pixels().map((v, i) => (i === 5 ? NaN : v)) },
      { type: 'predict', id: 1, pixels: pixels().map((v, i) => (i === 5 ? '0.5' : v)) },
      { type: 'predict', id: 1, pixels: pixels().map((v, i) => (i === 5 ? null : v)) },
      { type: 'predict', id: 1.5, pixels: pixels() },
      { type: 'predict', id: -1, pixels: pixels() },
      { type: 'predict', id: '1', pixels: pixels() },
      { type: 'predict', pixels: pixels() },
      { type: 'predict', id: 1 },
      { type: 'predict', id: 1, pixels: 'x'.repeat(784) },
      { type: 'predict', id: 1, pixels: new Float32Array(784) },
      { type: 'predict', id: 1, pixels: pixels(), modelDir: '/etc' },
    ];
    for (const m of bad) assert.equal(isFromWebview(m), false, JSON.stringify(m).slice(0, 120));
  });

  it('the older requests still pass, with nothing extra', () => {
    for (const type of ['ready', 'train', 'stop', 'openRun', 'createConfig']) {
      assert.ok(isFromWebview({ type }));
      assert.equal(isFromWebview({ type, extra: 1 }), false);
    }
    assert.equal(isFromWebview({ type: 'prediction', id: 1, probabilities: [] }), false, 'host → webview only');
  });
});

describe('export requests', () => {
  const good: ExportRequest[] = [
    { type: 'export', format: 'png', fileName: '2026-11-26_13-28-17_mlp-confusion.png', data: PNG },
    { type: 'export', format: 'svg', fileName: 'loss.svg', data: '<svg width="10" height="10" xmlns="http://www.w3.org/2000/svg"></svg>' },
    { type: 'export', format: 'svg', fileName: 'loss.svg', data: '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>' },
    { type: 'export', format: 'csv', fileName: 'Run 1.accuracy.csv', data: 'epoch,acc\r\n1,0.9\r\n' },
  ];

  it('accepts a chart or its data with a plain file name', () => {
    for (const m of good) assert.ok(isFromWebview(m), m.fileName);
  });

  it('refuses paths, other extensions, mismatched content and oversized data', () => {
    const bad: unknown[] = [
      { ...good[0], fileName: '../confusion.png' },
      { ...good[0], fileName: '/tmp/confusion.png' },
      { ...good[0], fileName: 'C:\\x\\confusion.png' },
      { ...good[0], fileName: '.confusion.png' },
      { ...good[0], fileName: 'confusion.png\u0000.sh' },
      { ...good[0], fileName: 'confusion.svg' },
      { ...good[0], fileName: 'confusion' },
      { ...good[0], fileName: `${'a'.repeat(120)}.png` },
      { ...good[0], format: 'exe', fileName: 'x.exe' },
      { ...good[0], data: 'data:image/jpeg;base64,AAAA' },
      { ...good[0], data: `${PNG}"><script>` },
      { ...good[1], data: '<html><svg></svg></html>' },
      { ...good[3], data: 'a\u0000b' },
      { ...good[3], data: '' },
      { ...good[3], data: 'x'.repeat(MAX_EXPORT_CHARS + 1) },
      { ...good[3], data: 42 },
      { ...good[3], target: '/etc/passwd' },
      { type: 'export', format: 'csv', data: 'a' },
    ];
    for (const m of bad) assert.equal(isFromWebview(m), false, JSON.stringify(m).slice(0, 120));
  });

  it('the bytes written: PNG decoded from its data URL, SVG and CSV as UTF-8', () => {
    assert.deepEqual([...exportBytes(good[0]).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.equal(Buffer.from(exportBytes(good[3])).toString('utf8'), 'epoch,acc\r\n1,0.9\r\n');
    assert.equal(Buffer.from(exportBytes({ ...good[3], data: 'klasse,ä\r\n' })).toString('utf8'), 'klasse,ä\r\n');
  });

  it('asks with a save dialog first, writes only the file the user chose, nothing when cancelled', async () => {
    const writes: [string, Uint8Array][] = [];
    const asked: [string, Record<string, string[]>][] = [];
    const deps = (answer: string | undefined) => ({
      pick: async (name: string, filters: Record<string, string[]>) => {
        asked.push([name, filters]);
        return answer;
      },
      write: async (target: string, bytes: Uint8Array) => {
        writes.push([target, bytes]);
      },
    });
    assert.equal(await saveExport(good[3], deps('/home/me/chosen.csv')), '/home/me/chosen.csv');
    assert.deepEqual(asked[0], ['Run 1.accuracy.csv', { 'CSV (comma-separated values)': ['csv'] }]);
    assert.equal(writes.length, 1);
    assert.equal(writes[0][0], '/home/me/chosen.csv', 'where the user chose, not the suggested name');
    assert.equal(await saveExport(good[0], deps(undefined)), undefined);
    assert.equal(writes.length, 1, 'cancelled: nothing written');
    assert.deepEqual(asked[1][1], { 'PNG image': ['png'] });
  });
});

describe('predictor commands', () => {
  it('loadModel and predict, nothing else', () => {
    assert.ok(isPredictorCommand({ type: 'loadModel', modelDir: '/runs/a/model' }));
    assert.ok(isPredictorCommand({ type: 'predict', id: 1, pixels: pixels() }));
    for (const m of [null, {}, { type: 'loadModel' }, { type: 'predict', id: '1', pixels: [] }, { type: 'start' }]) assert.equal(isPredictorCommand(m), false);
  });
});
