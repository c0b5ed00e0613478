// One build script, one entry per runtime. A failed build exits non-zero.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { webviewBuildOptions } from './webview/build.mjs';

const production = process.argv.includes('--production');
const require = createRequire(import.meta.url);
const pkg = require('./package.json');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // jsonc-parser's UMD "main" does not bundle; its ESM build does.
  mainFields: ['module', 'main'],
  // tfjs-node carries a native addon and is installed on demand; never bundle it.
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
};

// ECharts' SVG renderer is its own bundle, required only when a report is written, so that
// neither the extension's activation nor the CLI's start pays for loading it.
const REPORT_SVG = 'report-svg.js';
const lazyReportSvg = {
  name: 'lazy-report-svg',
  setup(build) {
    build.onResolve({ filter: /\/shared\/report-svg$/ }, () => ({ path: `./${REPORT_SVG}`, external: true }));
  },
};
// ajv too, for the host only: validate.ts requires it on the first validation, and parsing it
// with the host bundle would still cost activation about 15 ms.
const AJV = 'ajv.js';
const lazyAjv = {
  name: 'lazy-ajv',
  setup(build) {
    build.onResolve({ filter: /^ajv$/ }, () => ({ path: `./${AJV}`, external: true }));
  },
};

const builds = [
  { ...webviewBuildOptions, minify: production, sourcemap: !production },
  {
    ...common,
    entryPoints: ['src/host/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: [...common.external, 'vscode'],
    plugins: [lazyReportSvg, lazyAjv],
  },
  {
    ...common,
    entryPoints: [require.resolve('ajv')],
    outfile: `dist/${AJV}`,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/shared/report-svg.ts'],
    outfile: `dist/${REPORT_SVG}`,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/trainer/main.ts'],
    outfile: 'dist/trainer.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/trainer/predictor-main.ts'],
    outfile: 'dist/predictor.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [lazyReportSvg],
    banner: { js: '#!/usr/bin/env node' },
  },
];

// The schema VS Code serves (jsonValidation): the config schema with the Keras spellings accepted.
async function writeEditorSchema() {
  const { outputFiles } = await esbuild.build({ entryPoints: ['src/shared/keras-schema.ts'], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'warning' });
  const module = { exports: {} };
  new Function('module', 'exports', outputFiles[0].text)(module, module.exports);
  const schema = JSON.parse(readFileSync('media/mnist.config.schema.json', 'utf8'));
  writeFileSync('dist/mnist.config.schema.json', JSON.stringify(module.exports.withKerasSpellings(schema), null, 1) + '\n');
}

try {
  mkdirSync('dist', { recursive: true });
  await Promise.all([...builds.map((b) => esbuild.build(b)), writeEditorSchema()]);
  // The wasm binaries sit next to the bundles that load them.
  const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist';
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    copyFileSync(join(wasmDist, f), join('dist', f));
  }
  if (!existsSync('dist/data/mnist-sample/t10k-labels-idx1-ubyte.gz')) {
    execFileSync(process.execPath, ['scripts/build-sample.mjs'], { stdio: 'inherit' });
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
