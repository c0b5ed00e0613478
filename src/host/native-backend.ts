// MNIST: Install Native Backend. A .vsix cannot carry libtensorflow for every platform, so npm
// installs @tensorflow/tfjs-node (tfjs-node-gpu on Linux with CUDA) into the extension's global
// storage on demand; the trainer's `auto` backend loads it from there (StartCommand.nativeBackendDir).
// npm installs into a staging folder, the result is loaded once in a child process, and only then
// does it replace the folder the trainer reads: a failed or cancelled install leaves nothing there.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { NATIVE_BACKEND_FOLDER, type NativePackage, installedNativePackage } from '../node/native-backend-dir';

interface Context {
  globalStorageUri: vscode.Uri;
  asAbsolutePath(relativePath: string): string;
}

/** Where the trainer looks for the installed native backend. */
export function nativeBackendDir(context: Pick<Context, 'globalStorageUri'>): string {
  return join(context.globalStorageUri.fsPath, NATIVE_BACKEND_FOLDER);
}

export interface InstallPlan {
  packageName: NativePackage;
  version: string;
  /** The folder the trainer reads. */
  dir: string;
  /** Where npm installs first. */
  staging: string;
  npmArgs: string[];
}

/** What to install where: the GPU package on Linux when nvidia-smi runs (CUDA), the CPU one elsewhere. */
export function nativeInstallPlan(o: { storageDir: string; tfjsVersion: string; platform: NodeJS.Platform; hasCuda: boolean }): InstallPlan {
  const packageName: NativePackage = o.platform === 'linux' && o.hasCuda ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const dir = join(o.storageDir, NATIVE_BACKEND_FOLDER);
  const staging = `${dir}.installing`;
  return {
    packageName,
    version: o.tfjsVersion,
    dir,
    staging,
    npmArgs: ['install', '--prefix', staging, '--no-audit', '--no-fund', '--no-save', `${packageName}@${o.tfjsVersion}`],
  };
}

/**
 * What failed, in a sentence, from npm's output: the registry, the download of libtensorflow by
 * tfjs-node's install script, or npm's own last error line.
 */
export function describeNpmFailure(output: string, plan: Pick<InstallPlan, 'packageName' | 'version'>): string {
  const lines = output.split(/\r?\n/).map((l) => l.replace(/^npm (?:error|ERR!) ?/, '').trim()).filter(Boolean);
  const spec = `${plan.packageName}@${plan.version}`;
  if (/\bETARGET\b|No matching version found/.test(output)) return `npm could not find ${spec} in the registry (no matching version)`;
  if (/\bE404\b|404 Not Found/.test(output)) return `npm could not find ${spec} in the registry (${lines.find((l) => /404 Not Found/.test(l)) ?? 'E404'})`;
  const scriptFailed = /command failed/.test(output) && /scripts\/install\.js|node_modules\/@tensorflow\/tfjs-node/.test(output);
  const error = lines.find((l) => /^(?:\w*Error|Error): /.test(l))?.replace(/^\w*Error: /, '');
  if (scriptFailed) {
    const url = lines.map((l) => /https?:\/\/\S*libtensorflow\S*/.exec(l)?.[0]).find(Boolean);
    const what = url ? `could not download libtensorflow (${url})` : 'failed';
    return `the install script of ${plan.packageName} ${what}${error ? `: ${error}` : ''}`;
  }
  const network = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b/.exec(output);
  if (network) return `npm could not reach the registry (${network[1]}${error ? `: ${error}` : ''})`;
  const last = lines.filter((l) => !/complete log of this run|^code \w+$/i.test(l)).pop();
  return `npm failed${last ? `: ${last}` : ''}`;
}

export type InstallOutcome =
  | { status: 'installed'; packageName: NativePackage; version: string; dir: string }
  | { status: 'failed'; what: string }
  | { status: 'cancelled' };

interface InstallIO {
  log: (line: string) => void;
  progress: (message: string) => void;
  onCancel: (stop: () => void) => void;
  /** How npm and node are started; the defaults are the user's npm and this process's Node. */
  npmCommand?: string;
}

/** Runs npm into the staging folder, checks that the result loads, then moves it into place. */
export async function installNativeBackend(plan: InstallPlan, io: InstallIO): Promise<InstallOutcome> {
  rmSync(plan.staging, { recursive: true, force: true });
  mkdirSync(plan.staging, { recursive: true });
  try {
    io.log(`$ npm ${plan.npmArgs.join(' ')}`);
    const npm = await run(io.npmCommand ?? (process.platform === 'win32' ? 'npm.cmd' : 'npm'), plan.npmArgs, io);
    if (npm.cancelled) return { status: 'cancelled' };
    if (npm.spawnError) {
      return { status: 'failed', what: npm.spawnError === 'ENOENT' ? 'npm was not found on the PATH (it comes with Node.js)' : `npm could not start (${npm.spawnError})` };
    }
    if (npm.code !== 0) return { status: 'failed', what: describeNpmFailure(npm.output, plan) };
    const installed = installedNativePackage(plan.staging);
    if (!installed) return { status: 'failed', what: `npm finished, but ${plan.packageName} is not in ${plan.staging}` };
    io.progress('checking that it loads…');
    const check = loadCheck(installed.path);
    if (check) return { status: 'failed', what: `${plan.packageName} installed but does not load: ${check}` };
    rmSync(plan.dir, { recursive: true, force: true });
    renameSync(plan.staging, plan.dir);
    return { status: 'installed', packageName: installed.name, version: plan.version, dir: plan.dir };
  } finally {
    rmSync(plan.staging, { recursive: true, force: true });
  }
}

interface RunResult { code: number | null; output: string; cancelled: boolean; spawnError?: string }

function run(command: string, args: string[], io: InstallIO): Promise<RunResult> {
  return new Promise((resolve) => {
    // Its own process group on POSIX, so that cancelling also ends the install scripts npm started.
    // npm.cmd needs a shell on Windows, which splits arguments at spaces (the storage path has some).
    const windows = process.platform === 'win32';
    const argv = windows ? args.map((a) => (/\s/.test(a) ? `"${a}"` : a)) : args;
    const child = spawn(command, argv, { shell: windows, detached: !windows, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let cancelled = false;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      for (const line of text.split(/\r?\n/)) {
        if (!line.trim()) continue;
        io.log(line);
        io.progress(line.replace(/^npm (?:error|ERR!|warn|WARN) ?/, '').slice(0, 100));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    io.onCancel(() => {
      cancelled = true;
      try {
        if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGTERM');
        else child.kill();
      } catch {
        // already gone
      }
    });
    child.on('error', (err: NodeJS.ErrnoException) => resolve({ code: null, output, cancelled, spawnError: err.code ?? err.message }));
    child.on('close', (code) => resolve({ code, output, cancelled }));
  });
}

/** Loads the package in a child Node (VS Code's own, as the trainer does); the first line of its error, or undefined when it loads. */
function loadCheck(packagePath: string): string | undefined {
  const r = spawnSync(process.execPath, ['-e', `const tf = require(${JSON.stringify(packagePath)}); if (tf.getBackend() !== 'tensorflow') throw new Error('backend ' + tf.getBackend());`], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status === 0) return undefined;
  const lines = `${r.stderr ?? ''}`.split('\n').map((l) => l.trim());
  return lines.find((l) => /^\w*Error: /.test(l)) ?? lines.find(Boolean) ?? `exit ${r.status ?? r.signal}`;
}

function hasCuda(): boolean {
  if (process.platform !== 'linux') return false;
  const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 && /GPU \d/.test(r.stdout);
}

/** The exact @tensorflow/tfjs version the trainer bundles, from the extension's package.json. */
function tfjsVersion(context: Context): string {
  const pkg = JSON.parse(readFileSync(context.asAbsolutePath('package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return pkg.dependencies?.['@tensorflow/tfjs']?.replace(/^[\^~]/, '') ?? '4.22.0';
}

const TITLE = 'MNIST: installing the native backend';

/** The command: progress notification (cancellable), npm output in the MNIST channel, an outcome message. */
export async function installNativeBackendCommand(context: Context, log: vscode.LogOutputChannel): Promise<InstallOutcome> {
  const plan = nativeInstallPlan({ storageDir: context.globalStorageUri.fsPath, tfjsVersion: tfjsVersion(context), platform: process.platform, hasCuda: hasCuda() });
  log.info(`Installing ${plan.packageName}@${plan.version} into ${plan.dir}`);
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `${TITLE} (${plan.packageName}@${plan.version})`, cancellable: true },
    (progress, token) =>
      installNativeBackend(plan, {
        log: (line) => log.info(`[npm] ${line}`),
        progress: (message) => progress.report({ message }),
        onCancel: (stop) => token.onCancellationRequested(stop),
      }),
  );
  const showOutput = 'Show Output';
  if (outcome.status === 'installed') {
    log.info(`Installed ${outcome.packageName}@${outcome.version} in ${outcome.dir}`);
    void vscode.window.showInformationMessage(
      `MNIST: the native backend (${outcome.packageName} ${outcome.version}) is installed. Trainings with "backend": "auto" or "tensorflow" use it from the next run on.`,
    );
  } else if (outcome.status === 'cancelled') {
    log.info('The native backend install was cancelled; nothing was installed.');
    void vscode.window.showInformationMessage('MNIST: the native backend install was cancelled; nothing was installed and training stays on wasm.');
  } else {
    const kept = installedNativePackage(plan.dir) ? ' The native backend installed earlier is kept.' : ' Training stays on wasm.';
    log.error(`The native backend could not be installed: ${outcome.what}`);
    const choice = await vscode.window.showErrorMessage(
      `MNIST: the native backend could not be installed: ${outcome.what}.${kept} ` +
        'Check the network or proxy (npm needs the npm registry, and tfjs-node downloads libtensorflow from storage.googleapis.com), then run MNIST: Install Native Backend again; the npm output is in the MNIST output channel.',
      showOutput,
    );
    if (choice === showOutput) log.show(true);
  }
  return outcome;
}
