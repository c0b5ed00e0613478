// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per package, so a
// profile of the trainer (npm run bench -- --profile DIR) can be read without DevTools.
//   node --import tsx scripts/bench/profile-summary.ts FILE.cpuprofile [--top 30]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

const file = process.argv[2];
if (!file) {
  console.error('usage: profile-summary.ts FILE.cpuprofile [--top N]');
  process.exit(2);
}
const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 30;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  selfMs.set(profile.samples[i], (selfMs.get(profile.samples[i]) ?? 0) + dt);
}
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);

/** Where a function lives: a package name, a file of ours, or a V8 category. */
function where(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('wasm://')) return '(wasm)';
  if (url.startsWith('node:')) return 'node';
  const m = /(src\/[^?]+|dist\/[^/?]+|scripts\/[^?]+)/.exec(url);
  return m ? m[1] : url;
}

const fns = new Map<string, number>();
const places = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const n = byId.get(id)!;
  const place = where(n.callFrame.url, n.callFrame.functionName);
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${place}:${n.callFrame.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + ms);
  places.set(place, (places.get(place) ?? 0) + ms);
}
const show = (m: Map<string, number>, n: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(7)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
console.log(`${file}: ${total.toFixed(0)} ms sampled`);
console.log('\nself time by package / file:');
console.log(show(places, 15));
console.log('\nself time by function:');
console.log(show(fns, top));

// --callers NAME: which call paths (3 frames up) spend the self time of functions named NAME.
const callersOf = process.argv.includes('--callers') ? process.argv[process.argv.indexOf('--callers') + 1] : null;
if (callersOf) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'}:${n.callFrame.lineNumber + 1}`;
  const paths = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName !== callersOf) continue;
    const chain: string[] = [];
    for (let p = parent.get(id), k = 0; p !== undefined && k < Number(process.env.DEPTH ?? 4); p = parent.get(p), k++) chain.push(label(byId.get(p)!));
    const key = chain.join(' < ');
    paths.set(key, (paths.get(key) ?? 0) + ms);
  }
  console.log(`\ncallers of ${callersOf}:`);
  console.log(show(paths, 12));
}

// --ops: self time (wasm included) charged to the kernel it ran under: the nearest named
// JavaScript frame above it that is not glue (wrappers, ccall, our split/withTemps helpers).
if (process.argv.includes('--ops')) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const glue = /^(|\(anonymous\)|GenericJSToWasmWrapper|js-to-wasm.*|wasm-function\[\d+\]|ccall|split|withTemps|kernelFunc\d*|run|runKernel|scopedRun|runKernelFunc|tidy|keep)$/;
  const ops = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    let label = byId.get(id)!.callFrame.functionName || '(anonymous)';
    for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
      const name = byId.get(p)!.callFrame.functionName;
      if (!glue.test(name)) {
        label = name.replace(/^Module\._/, '');
        break;
      }
    }
    ops.set(label, (ops.get(label) ?? 0) + ms);
  }
  console.log('\nself time by kernel (nearest named JS frame):');
  console.log(show(ops, top));
}
