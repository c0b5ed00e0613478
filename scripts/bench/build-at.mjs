// Builds the trainer bundle as it was at a git revision, for before/after figures:
//   node scripts/bench/build-at.mjs REV OUTDIR [--overlay PATH...] [--production]
// REV is a commit, or "worktree" for the files as they are; --overlay puts the working tree's
// version of PATH (a file or folder) over REV's, e.g. a change not yet committed beside others'.
//   node --import tsx scripts/bench/run.ts --trainer OUTDIR/trainer.js ...
// The source comes from `git archive` (the working tree and index are not touched); the options
// are esbuild.mjs's for the trainer entry, and the .wasm files are copied next to the bundle.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [rev, outArg] = process.argv.slice(2);
if (!rev || !outArg) {
  console.error('usage: node scripts/bench/build-at.mjs REV|worktree OUTDIR');
  process.exit(2);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const out = resolve(outArg);
let src = root;
let tmp = null;
if (rev !== 'worktree') {
  tmp = mkdtempSync(join(tmpdir(), 'mnist-build-'));
  const tar = execFileSync('git', ['archive', rev, 'src', 'media', 'package.json', 'tsconfig.base.json'], { cwd: root, maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', tmp], { input: tar });
  symlinkSync(join(root, 'node_modules'), join(tmp, 'node_modules'));
  src = tmp;
  const args = process.argv.slice(4);
  for (let i = args.indexOf('--overlay') + 1; i > 0 && i < args.length && !args[i].startsWith('--'); i++) {
    rmSync(join(tmp, args[i]), { recursive: true, force: true });
    cpSync(join(root, args[i]), join(tmp, args[i]), { recursive: true });
  }
}
try {
  mkdirSync(out, { recursive: true });
  const pkg = require('./package.json');
  await esbuild.build({
    absWorkingDir: src,
    entryPoints: [join(src, 'src/trainer/main.ts')],
    outfile: join(out, 'trainer.js'),
    bundle: true,
    sourcemap: false,
    minify: process.argv.includes('--production'),
    logLevel: 'warning',
    define: { __VERSION__: JSON.stringify(pkg.version) },
    mainFields: ['module', 'main'],
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  });
  const wasmDist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    copyFileSync(join(wasmDist, f), join(out, f));
  }
  console.log(`${join(out, 'trainer.js')} built from ${rev === 'worktree' ? 'the working tree' : rev}`);
} finally {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}
