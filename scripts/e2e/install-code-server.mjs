#!/usr/bin/env node
// Installs code-server (a real VS Code, 1.100) from npm into a cache folder outside the repo, for the
// end-to-end tests. Reused when its marker file is there; the marker is written only after the
// install has been checked. Usage: node scripts/e2e/install-code-server.mjs [--force]
// Prints the path of the code-server entry script on its last line.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// 4.100.3 carries VS Code 1.100.3 and installs on Node 20 (checked). Its VS Code pins
// @vscode/ripgrep 1.15.11, whose postinstall wants ripgrep v13.0.0-10 from the internet.
export const CODE_SERVER_VERSION = process.env.MNIST_E2E_CODE_SERVER_VERSION || '4.100.3';
const RIPGREP = { packageVersion: '1.15.11', asset: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz' };
const INSTALL_TIMEOUT_MS = 30 * 60_000;
const MARKER = '.mnist-e2e-installed.json';

export function cacheRoot() {
  if (process.env.MNIST_E2E_CACHE) return process.env.MNIST_E2E_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mnist-trainer-e2e');
}

export function codeServerPaths(version = CODE_SERVER_VERSION) {
  const dir = join(cacheRoot(), `code-server-${version}`);
  const pkg = join(dir, 'node_modules', 'code-server');
  return {
    dir,
    marker: join(dir, MARKER),
    log: join(dir, 'install.log'),
    entry: join(pkg, 'out', 'node', 'entry.js'),
    // Files that only exist when the nested installs (and their native builds) really ran.
    proofs: [
      join(pkg, 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
      join(pkg, 'lib', 'vscode', 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'),
      join(pkg, 'lib', 'vscode', 'node_modules', '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node'),
      join(pkg, 'lib', 'vscode', 'node_modules.asar'),
      join(pkg, 'lib', 'vscode', 'extensions', 'node_modules'),
    ],
  };
}

function fail(message) {
  throw new Error(`install-code-server: ${message}`);
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function preflight() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) fail(`code-server ${CODE_SERVER_VERSION} needs Node 20 (its postinstall refuses others); this is Node ${process.versions.node}`);
  if (process.platform !== 'linux' || process.arch !== 'x64') fail(`only linux-x64 is set up here (ripgrep cache), not ${process.platform}-${process.arch}`);
  const missing = [];
  if (!which('rg')) missing.push('ripgrep');
  if (!which('krb5-config')) missing.push('libkrb5-dev');
  for (const tool of ['make', 'g++', 'python3', 'tar']) if (!which(tool)) missing.push(tool);
  if (missing.length) fail(`missing ${missing.join(', ')}: apt-get install -y libkrb5-dev ripgrep build-essential python3`);
}

// @vscode/ripgrep's postinstall downloads a release archive into
// $TMPDIR/vscode-ripgrep-cache-<pkg version>/ unless it is already there, then runs
// `tar xvf <archive> -C bin/` and expects bin/rg. Debian's rg packed the same way stands in.
function seedRipgrepCache(tmpDir) {
  const cacheDir = join(tmpDir, `vscode-ripgrep-cache-${RIPGREP.packageVersion}`);
  mkdirSync(cacheDir, { recursive: true });
  const rg = which('rg');
  const rgDir = rg.slice(0, rg.lastIndexOf('/'));
  const r = spawnSync('tar', ['-czf', join(cacheDir, RIPGREP.asset), '-C', rgDir, 'rg'], { stdio: 'inherit' });
  if (r.status !== 0) fail('could not pack Debian rg into the ripgrep cache');
}

// npm and node-gyp are verbose: their output goes to logFile, and its tail is printed on failure.
function run(cmd, args, opts, logFile) {
  return new Promise((resolve, reject) => {
    const log = openSync(logFile, 'w');
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    const timer = setTimeout(() => {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      reject(new Error(`${cmd} ${args.join(' ')} timed out after ${INSTALL_TIMEOUT_MS / 60_000} min`));
    }, INSTALL_TIMEOUT_MS);
    const onSignal = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } process.exit(130); };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}; last lines of ${logFile}:\n${tail(logFile, 40)}`));
    });
  });
}

function tail(file, lines) {
  try { return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'); } catch { return ''; }
}

export function isInstalled(version = CODE_SERVER_VERSION) {
  const p = codeServerPaths(version);
  return existsSync(p.marker) && existsSync(p.entry);
}

/** Installs code-server when the cache lacks it. Returns { entry, dir, version, seconds, reused }. */
export async function ensureCodeServer({ force = false, version = CODE_SERVER_VERSION } = {}) {
  const p = codeServerPaths(version);
  if (!force && isInstalled(version)) {
    return { entry: p.entry, dir: p.dir, version, seconds: 0, reused: true };
  }
  preflight();
  const started = Date.now();
  console.log(`Installing code-server ${version} into ${p.dir} (takes a few minutes: native modules are built)`);
  rmSync(p.dir, { recursive: true, force: true });
  const tmpDir = join(p.dir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  seedRipgrepCache(tmpDir);
  // A project of its own, so that the install never touches the repo and its allowScripts policy
  // (npm 11) covers code-server's postinstall and the native modules it needs at top level.
  writeFileSync(join(p.dir, 'package.json'), JSON.stringify({
    name: 'mnist-trainer-e2e-code-server',
    private: true,
    dependencies: { 'code-server': version },
    allowScripts: { 'code-server': true, argon2: true },
  }, null, 2) + '\n');
  const env = {
    ...process.env,
    TMPDIR: tmpDir,
    // code-server's postinstall refuses to run as root without unsafe-perm.
    npm_config_unsafe_perm: 'true',
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // code-server's postinstall runs `npm install` again inside lib/vscode and lib/vscode/extensions,
    // projects whose package.json we do not own, so no allowScripts policy of ours reaches them; their
    // native modules (node-pty, spdlog, @parcel/watcher, kerberos, ripgrep) must build. npm 11.19 only
    // warns about unreviewed scripts, a later npm may block them: this flag keeps them running. The
    // dependency set is fixed by code-server's own npm-shrinkwrap.json.
    npm_config_dangerously_allow_all_scripts: 'true',
    // node-gyp must not download headers: use the system's (Debian's nodejs ships /usr/include/node).
    ...(existsSync('/usr/include/node/node.h') && !process.env.npm_config_nodedir ? { npm_config_nodedir: '/usr' } : {}),
  };
  // The repo's .npmrc must not leak in: run from the cache folder.
  console.log(`npm install log: ${p.log}`);
  await run('npm', ['install', '--foreground-scripts'], { cwd: p.dir, env }, p.log);

  const missing = p.proofs.filter((f) => !existsSync(f));
  if (missing.length) fail(`install finished but these are missing (did npm skip install scripts?):\n  ${missing.join('\n  ')}`);
  // code-server writes a default config.yaml on any start, even --version: keep it out of $HOME.
  const xdg = { ...process.env, XDG_CONFIG_HOME: join(tmpDir, 'xdg'), XDG_DATA_HOME: join(tmpDir, 'xdg') };
  const v = spawnSync(process.execPath, [p.entry, '--version'], { encoding: 'utf8', timeout: 60_000, env: xdg });
  const m = /^(\S+) \S+ with Code (\S+)$/m.exec(v.stdout ?? '');
  if (v.status !== 0 || !m || m[1] !== version) fail(`code-server --version said: ${v.stdout}${v.stderr}`);
  rmSync(tmpDir, { recursive: true, force: true });
  const seconds = (Date.now() - started) / 1000;
  writeFileSync(p.marker, JSON.stringify({ version, vscode: m[2], node: process.version, installedAt: new Date().toISOString(), seconds }, null, 2) + '\n');
  return { entry: p.entry, dir: p.dir, version, seconds, reused: false };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  try {
    const r = await ensureCodeServer({ force });
    if (r.reused) {
      const m = JSON.parse(readFileSync(codeServerPaths(r.version).marker, 'utf8'));
      console.log(`code-server ${r.version} already installed (${m.installedAt}, took ${m.seconds.toFixed(0)} s then)`);
    } else {
      console.log(`code-server ${r.version} installed in ${r.seconds.toFixed(1)} s`);
    }
    console.log(r.entry);
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
