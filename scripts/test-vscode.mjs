// npm run test:vscode: the extension-host suite in a downloaded VS Code (@vscode/test-electron).
// Machines that cannot download VS Code skip it with one line; the code-server suite (test:e2e) is
// the one that proves the product there.
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
let vscodeExecutablePath;
try {
  vscodeExecutablePath = await downloadAndUnzipVSCode({ version: '1.100.0', timeout: 20_000 });
} catch (err) {
  console.log(`test:vscode skipped: VS Code 1.100.0 could not be downloaded here (${err instanceof Error ? err.message.split('\n')[0] : err})`);
  process.exit(0);
}
await esbuild.build({
  entryPoints: [join(root, 'test/vscode/suite.ts')],
  outfile: join(root, 'out/vscode-tests/suite.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  external: ['vscode'],
});
const workspace = mkdtempSync(join(tmpdir(), 'mnist-vscode-'));
writeFileSync(
  join(workspace, 'mnist.config.json'),
  JSON.stringify({ dataset: 'mnist-sample', backend: 'wasm', training: { epochs: 1, batchSize: 128 } }, null, 2) + '\n',
);
await runTests({
  vscodeExecutablePath,
  extensionDevelopmentPath: root,
  extensionTestsPath: join(root, 'out/vscode-tests/suite.js'),
  launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
});
