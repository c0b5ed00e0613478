// The predictor bundle the extension forks. dist/predictor.js once esbuild.mjs builds it; until
// then the same build (the trainer's options) into a temporary folder beside copies of the .wasm files.
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distDir, repoRoot } from './paths';

export async function predictorBundle(): Promise<string> {
  const built = join(distDir, 'predictor.js');
  if (readFileSync(join(repoRoot, 'esbuild.mjs'), 'utf8').includes('predictor-main.ts') && existsSync(built)) return built;
  const esbuild = await import('esbuild');
  const out = mkdtempSync(join(tmpdir(), 'mnist-predictor-'));
  await esbuild.build({
    entryPoints: [join(repoRoot, 'src', 'trainer', 'predictor-main.ts')],
    outfile: join(out, 'predictor.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    logLevel: 'warning',
  });
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    copyFileSync(join(distDir, f), join(out, f));
  }
  return join(out, 'predictor.js');
}
