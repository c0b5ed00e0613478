// A throwaway extension, packaged at test time, with the shape of ours: commands in category "MNIST"
// and a webview view in an activity-bar container. It proves the harness before the real one lands.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './harness';

export const SMOKE_EXTENSION_ID = 'mnist-e2e.mnist-smoke';

export interface SmokeCommand {
  command: string;
  /** Shown as "MNIST: <title>". */
  title: string;
  /** A `when` for the command palette (our manifest hides Stop unless `mnist.training`). */
  when?: string;
}

export interface SmokeOptions {
  /** The webview view's name; VS Code adds "MNIST: Focus on <name> View". Default "Dashboard". */
  viewName?: string;
  /** Default: Train and Stop Training. Commands other than mnist.train show a notification. */
  commands?: SmokeCommand[];
}

export const DEFAULT_SMOKE_COMMANDS: SmokeCommand[] = [
  { command: 'mnist.train', title: 'Train' },
  { command: 'mnist.stop', title: 'Stop Training' },
];

const EXTENSION_JS = `
const vscode = require('vscode');
let view;
let trains = 0;
function html(webview) {
  const nonce = Math.random().toString(36).slice(2);
  return \`<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src \${webview.cspSource} 'nonce-\${nonce}'; script-src 'nonce-\${nonce}';">
<style nonce="\${nonce}">body { color: var(--vscode-foreground); font-family: var(--vscode-font-family); }</style>
</head><body>
<h2 id="title">Smoke dashboard</h2>
<p id="trains">trains: \${trains}</p>
<canvas id="digit" width="28" height="28" style="width:84px;height:84px;image-rendering:pixelated"></canvas>
<script nonce="\${nonce}">
  const ctx = document.getElementById('digit').getContext('2d');
  ctx.fillStyle = '#000'; ctx.fillRect(0, 0, 28, 28);
  ctx.fillStyle = '#fff'; ctx.fillRect(12, 4, 4, 20);
</script>
</body></html>\`;
}
exports.activate = (context) => {
  context.subscriptions.push(
    vscode.window.registerWebviewViewProvider('mnist.trainingView', {
      resolveWebviewView(v) {
        view = v;
        v.webview.options = { enableScripts: true };
        v.webview.html = html(v.webview);
      },
    }),
    vscode.commands.registerCommand('mnist.train', async () => {
      trains += 1;
      await vscode.commands.executeCommand('mnist.trainingView.focus');
      if (view) view.webview.html = html(view.webview);
      void vscode.window.showInformationMessage('Smoke: Train ran ' + trains + ' time(s)');
    }),
  );
  for (const { command, title } of context.extension.packageJSON.contributes.commands) {
    if (command === 'mnist.train') continue;
    context.subscriptions.push(vscode.commands.registerCommand(command, () => {
      void vscode.window.showInformationMessage('Smoke: ' + title + ' ran');
    }));
  }
};
exports.deactivate = () => {};
`;

const ICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect x="4" y="4" width="16" height="16" fill="currentColor"/></svg>';

/** Writes and packages the smoke extension with vsce in a temp folder (the caller removes it); returns the .vsix path. */
export function buildSmokeVsix(options: SmokeOptions = {}): string {
  const { viewName = 'Dashboard', commands = DEFAULT_SMOKE_COMMANDS } = options;
  const dir = mkdtempSync(join(tmpdir(), 'mnist-smoke-ext-'));
  const hidden = commands.filter((c) => c.when).map(({ command, when }) => ({ command, when }));
  const manifest = {
    name: 'mnist-smoke',
    displayName: 'MNIST smoke (e2e harness)',
    publisher: 'mnist-e2e',
    version: '0.0.1',
    license: 'MIT',
    engines: { vscode: '^1.100.0' },
    main: './extension.js',
    extensionKind: ['workspace'],
    contributes: {
      commands: commands.map(({ command, title }) => ({ command, title, category: 'MNIST' })),
      ...(hidden.length ? { menus: { commandPalette: hidden } } : {}),
      viewsContainers: { activitybar: [{ id: 'mnist', title: 'MNIST', icon: 'media/icon.svg' }] },
      views: { mnist: [{ type: 'webview', id: 'mnist.trainingView', name: viewName }] },
    },
  };
  mkdirSync(join(dir, 'media'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, 'extension.js'), EXTENSION_JS);
  writeFileSync(join(dir, 'media', 'icon.svg'), ICON_SVG);
  writeFileSync(join(dir, 'README.md'), '# MNIST smoke\n\nA throwaway extension for the e2e harness.\n');
  writeFileSync(join(dir, 'LICENSE'), 'MIT\n');
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!existsSync(vsce)) throw new Error(`${vsce} is absent: npm ci first`);
  const out = join(dir, 'mnist-smoke.vsix');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', out],
    { cwd: dir, encoding: 'utf8', timeout: 60_000, input: 'y\n' });
  if (r.status !== 0 || !existsSync(out)) throw new Error(`vsce package failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return out;
}
