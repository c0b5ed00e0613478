// npm start: the first run, offline. mnist-train trains the tutorial's model (its default when there
// is no config) on the bundled mnist-sample digits, then this says how to see the run in VS Code.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('dist/cli.js is not built yet: run npm run build (npm ci does it), then npm start again.');
  process.exit(1);
}
const args = [cli, '--dataset', 'mnist-sample', ...process.argv.slice(2)];
const { status, signal } = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: process.cwd() });
if (status === 0) {
  // The run folder is under the working folder: npm start runs in the repository's root.
  const here = resolve(process.cwd()) === resolve(root) ? '.' : process.cwd();
  console.error(
    [
      '',
      'To see it in VS Code: build the extension with npm run package, install it with',
      `  code --install-extension ${join(root, 'mnist-trainer.vsix')}`,
      `and open this folder (code ${here}): the Runs list in the MNIST view has the run (its folder`,
      "is under .mnist/runs); its Open in Dashboard button shows the curves and the test results.",
      'MNIST: Create Config then writes a mnist.config.json, and ▶ Train above it trains there.',
    ].join('\n'),
  );
}
process.exit(status ?? (signal === 'SIGINT' ? 130 : 1));
