// Runs inside a real VS Code extension host (npm run test:vscode), through the API. No mocha:
// each check is an async function; the first failure fails the run with its message.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'mnist-trainer.mnist-trainer';

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250)); // polling VS Code state: there is no event for a file the trainer writes
  }
}

const checks: [string, () => Promise<void>][] = [
  [
    'the extension activates and registers its commands',
    async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext, `${EXTENSION_ID} is installed`);
      await ext.activate();
      const commands = await vscode.commands.getCommands(true);
      for (const id of ['mnist.train', 'mnist.stop', 'mnist.createConfig', 'mnist.showPanel', 'mnist.openRun']) {
        assert.ok(commands.includes(id), `${id} is registered`);
      }
    },
  ],
  [
    'the schema is active for mnist.config.json',
    async () => {
      const folder = vscode.workspace.workspaceFolders![0].uri;
      const uri = vscode.Uri.joinPath(folder, 'mnist.config.json');
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), '{ "dataset": "cifar", "training": { "epochs": 1 } }\n');
      await vscode.workspace.applyEdit(edit);
      const problems = await waitFor(
        'a schema problem on dataset',
        () => {
          const d = vscode.languages.getDiagnostics(uri);
          return d.some((x) => /mnist|fashion-mnist|mnist-sample/.test(x.message)) ? d : undefined;
        },
        30_000,
      );
      assert.ok(problems.length > 0);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    },
  ],
  [
    'MNIST: Train on the bundled sample completes and writes its run folder',
    async () => {
      const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
      const runs = path.join(folder, '.mnist', 'runs');
      await vscode.commands.executeCommand('mnist.train', vscode.Uri.file(path.join(folder, 'mnist.config.json')));
      const summary = await waitFor(
        'summary.json',
        () => {
          if (!existsSync(runs)) return undefined;
          for (const run of readdirSync(runs)) {
            const file = path.join(runs, run, 'summary.json');
            if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { status: string; testAccuracy: number };
          }
          return undefined;
        },
        300_000,
      );
      assert.equal(summary.status, 'completed');
      assert.ok(summary.testAccuracy > 0.8, `test accuracy ${summary.testAccuracy}`);
    },
  ],
];

export async function run(): Promise<void> {
  let failed = 0;
  for (const [name, check] of checks) {
    try {
      await check();
      console.log(`ok - ${name}`);
    } catch (err) {
      failed++;
      console.log(`not ok - ${name}: ${(err as Error).message}`);
    }
  }
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} extension-host check(s) failed`);
}
