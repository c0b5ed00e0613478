// Assembles src/trainer/kernels/simd.wat into the four modules simd.ts embeds (plain or shared
// memory, with or without fused multiply-add) and writes them into simd.ts. Needs Debian's wabt:
//   apt-get install -y wabt && node scripts/simd-assemble.mjs
// test/trainer/simd-kernel.test.ts calls assembleVariants to check simd.ts against simd.wat.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const KERNELS = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'trainer', 'kernels');

// acc + s·d, written in simd.wat as (f32x4.add (local.get $acc) (f32x4.mul (local.get $s) (local.get $d))):
// the accumulations of the conv kernels. Adam's arithmetic stays as it is.
const MULTIPLY_ADD = /\(f32x4\.add \(local\.get (\$\w+)\) \(f32x4\.mul (\(local\.get \$\w+\)) (\(local\.get \$\w+\))\)\)/g;

/** simd.wat with each multiply-accumulate as one f32x4.relaxed_madd (a·b + c, fused where the CPU has FMA). */
export function fmaSource(source) {
  let count = 0;
  const out = source.replace(MULTIPLY_ADD, (_, acc, a, b) => {
    count++;
    return `(f32x4.relaxed_madd ${a} ${b} (local.get ${acc}))`;
  });
  if (count === 0) throw new Error('simd.wat has no multiply-accumulate in the form (f32x4.add (local.get $a) (f32x4.mul ...))');
  return out;
}

/** The shared-memory form, for the threaded build's heap (a SharedArrayBuffer). */
export function sharedSource(source) {
  if (!source.includes('(memory 1)')) throw new Error('simd.wat no longer imports "(memory 1)"');
  return source.replace('(memory 1)', '(memory 1 65536 shared)');
}

/** Base64 of the four modules: PLAIN, SHARED, PLAIN_FMA, SHARED_FMA. */
export function assembleVariants(source) {
  const dir = mkdtempSync(join(tmpdir(), 'simd-'));
  try {
    const assemble = (text, flags) => {
      const [wat, wasm] = [join(dir, 'in.wat'), join(dir, 'out.wasm')];
      writeFileSync(wat, text);
      execFileSync('wat2wasm', [...flags, wat, '-o', wasm]);
      return readFileSync(wasm).toString('base64');
    };
    const fma = fmaSource(source);
    return {
      PLAIN: assemble(source, []),
      SHARED: assemble(sharedSource(source), ['--enable-threads']),
      PLAIN_FMA: assemble(fma, ['--enable-relaxed-simd']),
      SHARED_FMA: assemble(sharedSource(fma), ['--enable-threads', '--enable-relaxed-simd']),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const variants = assembleVariants(readFileSync(join(KERNELS, 'simd.wat'), 'utf8'));
  const file = join(KERNELS, 'simd.ts');
  let ts = readFileSync(file, 'utf8');
  for (const [name, base64] of Object.entries(variants)) {
    const line = new RegExp(`^export const ${name} = '[^']*';$`, 'm');
    if (!line.test(ts)) throw new Error(`simd.ts has no line "export const ${name} = '…';"`);
    ts = ts.replace(line, `export const ${name} = '${base64}';`);
  }
  writeFileSync(file, ts);
  console.log(`simd.ts: ${Object.keys(variants).join(', ')} from simd.wat`);
}
