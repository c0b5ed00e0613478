// Backend choice: auto falls back to wasm without tfjs-node, explicit choices are honoured or
// refused clearly, and the bundled trainer finds the .wasm files next to itself.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { BackendError, WASM_FILES, defaultWasmDir, initBackend, type BackendChoice } from '../../src/trainer/backend';
import { registerWasmKernels } from '../../src/trainer/kernels/wasm';

const REPO = resolve(__dirname, '../..');

function resolvable(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
const NATIVE_INSTALLED = resolvable('@tensorflow/tfjs-node');
const NATIVE_SKIP = NATIVE_INSTALLED && '@tensorflow/tfjs-node is installed here; this test is about its absence';

/** Runs `f` and returns what tfjs printed through console.warn meanwhile. */
async function warningsDuring(f: () => unknown): Promise<string[]> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  try {
    await f();
  } finally {
    console.warn = original;
  }
  return warnings;
}

describe('initBackend', () => {
  test('auto without tfjs-node picks wasm and says tfjs-node is missing', { skip: NATIVE_SKIP }, async () => {
    const choice = await initBackend('auto');
    assert.equal(choice.backend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.match(choice.reason, /^tfjs-node is not installed \(optional\); using wasm with SIMD(\+FMA)?, 1 thread$/);
    assert.equal(choice.threads, 1);
  });

  test('explicit tensorflow without tfjs-node fails with a message and a hint', { skip: NATIVE_SKIP }, async () => {
    await assert.rejects(initBackend('tensorflow'), (err: unknown) => {
      if (!(err instanceof BackendError)) return false;
      assert.match(err.message, /"tensorflow".*@tensorflow\/tfjs-node is not installed/);
      assert.match(err.hint, /npm install @tensorflow\/tfjs-node/);
      assert.match(err.hint, /"backend": "auto"/);
      return true;
    });
  });

  test('cpu works, without tfjs\'s "install tfjs-node" banner', async () => {
    const choice = await initBackend('cpu');
    assert.deepEqual(
      { backend: choice.backend, threads: choice.threads, active: tf.getBackend() },
      { backend: 'cpu', threads: 1, active: 'cpu' },
    );
    assert.match(choice.reason, /cpu requested/);
    const warnings = await warningsDuring(() => tf.tidy(() => tf.tensor1d([1, 2, 3]).square().sum().dataSync()));
    assert.deepEqual(warnings.filter((w) => w.includes('tfjs-node')), []);
  });

  test('explicit wasm works and registers the missing gradient kernel', async () => {
    const choice = await initBackend('wasm');
    assert.equal(choice.backend, 'wasm');
    assert.match(choice.reason, /^wasm requested; using wasm with SIMD(\+FMA)?, 1 thread$/);
    assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
    // Idempotent: no second registration, so no "already registered" warning.
    assert.deepEqual(await warningsDuring(() => registerWasmKernels()), []);
    // Switching away and back keeps working (tests and the trainer may do both).
    await initBackend('cpu');
    assert.equal((await initBackend('wasm')).backend, 'wasm');
  });

  test('explicit wasm with a folder lacking the .wasm files fails clearly', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mnist-wasm-'));
    try {
      await assert.rejects(initBackend('wasm', { wasmDir: empty }), (err: unknown) => {
        if (!(err instanceof BackendError)) return false;
        assert.match(err.message, /tfjs-backend-wasm-simd\.wasm is missing/);
        assert.ok(err.message.includes(empty));
        return true;
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('unbundled (tsx), the .wasm files come from the package', () => {
    const dir = defaultWasmDir();
    assert.match(dir, /tfjs-backend-wasm[\\/]dist$/);
    for (const f of WASM_FILES) assert.ok(existsSync(join(dir, f)), `${f} in ${dir}`);
  });

  test('bundled by esbuild, it loads the .wasm files next to the bundle, else falls back to cpu', { timeout: 120_000 }, async () => {
    // The same settings esbuild.mjs uses for dist/trainer.js, into a scratch folder.
    const esbuild = await import('esbuild');
    const dir = mkdtempSync(join(tmpdir(), 'mnist-bundle-'));
    try {
      const entry = join(dir, 'entry.ts');
      writeFileSync(
        entry,
        `import { initBackend, defaultWasmDir } from ${JSON.stringify(join(REPO, 'src/trainer/backend'))};\n` +
          'void initBackend("auto").then((c) => console.log(JSON.stringify({ ...c, wasmDir: defaultWasmDir(),\n' +
          '  listeners: process.listenerCount("uncaughtException") + process.listenerCount("unhandledRejection") })));\n',
      );
      await esbuild.build({
        entryPoints: [entry],
        outfile: join(dir, 'trainer.js'),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        logLevel: 'error',
        external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
      });
      // Run it from the scratch folder, so nothing can be found through the repo's node_modules.
      const runBundle = () => {
        const out = execFileSync(process.execPath, [join(dir, 'trainer.js')], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
        return JSON.parse(out.trim().split('\n').pop()!) as BackendChoice & { wasmDir: string; listeners: number };
      };

      for (const f of WASM_FILES) copyFileSync(join(defaultWasmDir(), f), join(dir, f));
      const withFiles = runBundle();
      assert.equal(withFiles.wasmDir, dir);
      assert.equal(withFiles.backend, NATIVE_INSTALLED ? 'tensorflow' : 'wasm');
      if (!NATIVE_INSTALLED) assert.match(withFiles.reason, /tfjs-node is not installed/);
      // The emscripten loader's rethrowing process listeners are gone (they turn exit code 1 into 7).
      assert.equal(withFiles.listeners, 0);

      if (NATIVE_INSTALLED) return;
      for (const f of WASM_FILES) rmSync(join(dir, f));
      const withoutFiles = runBundle();
      assert.equal(withoutFiles.backend, 'cpu');
      assert.match(withoutFiles.reason, /wasm failed to start \(.*tfjs-backend-wasm-simd\.wasm is missing\); using the plain JavaScript cpu backend/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
