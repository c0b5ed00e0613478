// How fast each convolution of the CNN preset (batch 128) runs on wasm, in GMAC/s: XNNPACK's
// (wasm's own kernels) beside our direct SIMD loops (src/trainer/kernels/simd.wat), the FLOP
// floor of a training step. Variants run interleaved, rep by rep, and each is timed in CPU time
// of this process; the minimum is the figure least disturbed by other jobs on a shared machine.
// With --threads 2 (the threaded build) compare wall times: CPU time then counts every thread.
// Run with --experimental-wasm-relaxed-simd (Node 20) to add our kernels with FMA (relaxed SIMD).
//   node [--experimental-wasm-relaxed-simd] --import tsx scripts/bench/conv-flops.ts [--reps 15] [--threads N]
import * as tf from '@tensorflow/tfjs';
import { defaultWasmDir, initBackend } from '../../src/trainer/backend';
import { conv2dOptions } from '../../src/trainer/kernels/conv2d';
import { filterGradOptions } from '../../src/trainer/kernels/conv2d-backprop-filter';
import { fmaOptions, helperOptions, relaxedSimdSupported } from '../../src/trainer/kernels/simd';
import { registerThreadedWasm } from '../../src/trainer/kernels/threads';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const reps = Number(args.get('reps') ?? 15);
const threads = Number(args.get('threads') ?? 1);

type Shape4 = [number, number, number, number];
const layers: { name: string; x: Shape4; w: Shape4 }[] = [
  { name: 'conv1 28×28×1→32', x: [128, 28, 28, 1], w: [3, 3, 1, 32] },
  { name: 'conv2 13×13×32→64', x: [128, 13, 13, 32], w: [3, 3, 32, 64] },
];

interface Variant { layer: string; pass: string; macs: number; run: () => tf.Tensor; cpu: number[]; wall: number[] }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  if (threads > 1) registerThreadedWasm(defaultWasmDir(), threads);
  const choice = await initBackend('wasm');
  const variants: Variant[] = [];
  const keep: tf.Tensor[] = [];
  const add = (layer: string, pass: string, macs: number, run: () => tf.Tensor) => variants.push({ layer, pass, macs, run, cpu: [], wall: [] });
  for (const l of layers) {
    const [b, h, w, c] = l.x;
    const [kh, kw, , o] = l.w;
    const [oh, ow] = [h - kh + 1, w - kw + 1];
    const macs = b * oh * ow * o * kh * kw * c;
    const x = tf.randomUniform(l.x) as tf.Tensor4D;
    const f = tf.randomUniform(l.w, -0.1, 0.1) as tf.Tensor4D;
    const dy = tf.randomUniform([b, oh, ow, o]) as tf.Tensor4D;
    keep.push(x, f, dy);
    const conv = (direct: boolean) => () => ((conv2dOptions.direct = direct), tf.conv2d(x, f, 1, 'valid'));
    const dW = (direct: boolean) => () => ((filterGradOptions.direct = direct), tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', filterShape: l.w, dataFormat: 'NHWC' }) as tf.Tensor);
    const dX = (direct: boolean) => () => ((conv2dOptions.direct = direct), tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { strides: 1, pad: 'valid', inputShape: l.x, dataFormat: 'NHWC' }) as tf.Tensor);
    // Under the threaded build our kernels can split the batch with a helper thread.
    const helped = (f: () => tf.Tensor, on: boolean, fma: boolean) => () => ((helperOptions.enabled = on), (fmaOptions.enabled = fma), f());
    const direct = (pass: string, n: number, f: () => tf.Tensor) => {
      for (const fma of relaxedSimdSupported() ? [false, true] : [false]) {
        const form = fma ? ', FMA' : '';
        add(l.name, `${pass}, direct${form}${threads > 1 ? ', 1 thread' : ''}`, n, helped(f, false, fma));
        if (threads > 1) add(l.name, `${pass}, direct${form}, 2 threads`, n, helped(f, true, fma));
      }
    };
    add(l.name, 'forward, XNNPACK', macs, conv(false));
    direct('forward', macs, conv(true));
    add(l.name, 'dW, XNNPACK conv', macs, dW(false));
    direct('dW', macs, dW(true));
    if (c > 1) {
      // dx as a full convolution of dy padded by k − 1: more MACs than the forward pass (zeros).
      const full = b * h * w * c * kh * kw * o;
      add(l.name, 'dX full conv, XNNPACK', full, dX(false));
      direct('dX full conv', full, dX(true));
    }
  }
  // The helper thread says it is ready through an event: give it a turn of the event loop.
  for (const v of variants) v.run().dispose();
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (let r = -2; r < reps; r++) {
    for (const v of variants) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = v.run();
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      out.dispose();
      if (r >= 0) {
        v.cpu.push((c.user + c.system) / 1000);
        v.wall.push(wall);
      }
    }
  }
  conv2dOptions.direct = filterGradOptions.direct = helperOptions.enabled = fmaOptions.enabled = true;
  tf.dispose(keep);
  console.log(`wasm: ${choice.reason}; ${reps} interleaved reps; MAC = multiply-accumulate`);
  const rows = [['layer', 'pass', 'MMAC', 'min cpu ms', 'median cpu ms', 'min wall ms', 'median wall ms', 'GMAC/s (min cpu)', 'GMAC/s (min wall)']];
  for (const v of variants) {
    const [cpu, wall] = [Math.min(...v.cpu), Math.min(...v.wall)];
    rows.push([v.layer, v.pass, (v.macs / 1e6).toFixed(0), cpu.toFixed(1), median(v.cpu).toFixed(1), wall.toFixed(1), median(v.wall).toFixed(1), (v.macs / cpu / 1e6).toFixed(1), (v.macs / wall / 1e6).toFixed(1)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  '));
}

void main();
