// Logging a rejected webview message: short, never throwing, never reading the bulk of the payload,
// and at most 100 lines a minute per webview.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogLimiter, describeMessage, handleWebviewMessage } from '../../src/host/panels/webview-messages';
import { isFromWebview } from '../../src/shared/protocol';

describe('describeMessage', () => {
  it('says what a value is in a short line, whatever it is', () => {
    const cyclic: Record<string, unknown> = { type: 'train' };
    cyclic.self = cyclic;
    const cases: [unknown, RegExp][] = [
      [null, /^null$/],
      [undefined, /^undefined undefined$/],
      [42n, /^bigint 42$/],
      ['x'.repeat(20_000_000), /^a string of 20000000 characters \(x{40}…\)$/],
      [new Array(10_000_000), /^an array of 10000000 items$/],
      [cyclic, /^type "train"; fields: type, self$/],
      [{ type: 'predict', id: 1n, pixels: new Array(10_000_000) }, /^type "predict"; fields: type, id, pixels \(10000000 items\)$/],
      [Object.create({ type: 'ready' }), /^no string type \(not a plain object\); fields: none$/],
      [{ type: 'a\u0000\nb' }, /^type "a\?\?b"/],
      [Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i])), /k5, … 44 more$/],
    ];
    for (const [m, re] of cases) {
      const line = describeMessage(m);
      assert.match(line, re);
      assert.ok(line.length < 400, line);
    }
  });

  it('does not read the elements of a huge array (the work does not grow with the payload)', () => {
    let reads = 0;
    const pixels = new Array(10_000_000);
    for (const i of [0, 783, 5_000_000, 9_999_999]) Object.defineProperty(pixels, i, { get: () => (reads++, 0.5), enumerable: true });
    const warned: string[] = [];
    const acted = handleWebviewMessage({ type: 'predict', id: 1, pixels }, isFromWebview, () => assert.fail('acted on'), (l) => warned.push(l), 'dashboard');
    assert.equal(acted, false);
    assert.equal(reads, 0, 'no element read while checking or logging');
    assert.match(warned[0], /^Ignored a malformed message from the dashboard: type "predict"; fields: type, id, pixels \(10000000 items\)$/);
  });
});

describe('LogLimiter', () => {
  it('lets 100 lines a minute through, says when it stops, and counts the rest in the next minute', () => {
    let now = 1_000_000;
    const limiter = new LogLimiter(100, () => now);
    const out = Array.from({ length: 250 }, (_, i) => limiter.pass(`line ${i}`));
    const logged = out.filter((l): l is string => l !== undefined);
    assert.equal(logged.length, 100);
    assert.equal(logged[0], 'line 0');
    assert.match(logged[99], /^line 99; further ones from this view are not logged for a minute$/);
    now += 59_999;
    assert.equal(limiter.pass('still the same minute'), undefined);
    now += 1;
    assert.equal(limiter.pass('next minute'), 'next minute (151 more were not logged in the minute before)');
    assert.equal(limiter.pass('and on'), 'and on');
  });
});
