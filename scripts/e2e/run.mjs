#!/usr/bin/env node
// `npm run test:e2e`: installs code-server when its cache lacks it, packages the extension
// (`npm run package` → mnist-trainer.vsix), then runs test/e2e/*.test.ts in Node's test runner.
// Usage: node scripts/e2e/run.mjs [--no-package] [test files...]
//   --no-package  use an existing mnist-trainer.vsix (or none) instead of building one
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer } from './install-code-server.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VSIX = join(repoRoot, 'mnist-trainer.vsix');
const PACKAGE_TIMEOUT_MS = 10 * 60_000;
const TESTS_TIMEOUT_MS = 20 * 60_000;
const CHROMIUM = process.env.MNIST_E2E_CHROMIUM || '/usr/bin/chromium';

const args = process.argv.slice(2);
const noPackage = args.includes('--no-package');
const files = args.filter((a) => !a.startsWith('--'));
const timings = [];
const seconds = (since) => (Date.now() - since) / 1000;

function run(cmd, cmdArgs, { env = process.env, timeout }) {
  return new Promise((resolveRun) => {
    // Own process group: on timeout or Ctrl-C the whole tree goes (code-server, chromium, trainer).
    const child = spawn(cmd, cmdArgs, { cwd: repoRoot, env, stdio: 'inherit', detached: true });
    const signal = (sig) => { try { process.kill(-child.pid, sig); } catch { /* gone */ } };
    // SIGTERM first: the harness then kills the code-servers it started (each in a group of its own).
    const kill = () => { signal('SIGTERM'); setTimeout(() => signal('SIGKILL'), 5_000).unref(); };
    const timer = setTimeout(() => { console.error(`e2e: ${cmd} ${cmdArgs.join(' ')} timed out after ${timeout / 60_000} min`); kill(); }, timeout);
    const onSignal = () => { signal('SIGTERM'); setTimeout(() => { signal('SIGKILL'); process.exit(130); }, 3_000); };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolveRun(code ?? (signal ? 1 : 0));
    });
  });
}

const total = Date.now();
if (!existsSync(CHROMIUM)) {
  console.error(`e2e: ${CHROMIUM} is absent: apt-get install -y chromium`);
  process.exit(1);
}

let t = Date.now();
const cs = await ensureCodeServer().catch((e) => { console.error(e.message); process.exit(1); });
timings.push([cs.reused ? `code-server ${cs.version} (cached)` : `code-server ${cs.version} installed`, seconds(t)]);
console.log(`e2e: code-server ${cs.version} ${cs.reused ? 'from cache' : 'installed'} (${seconds(t).toFixed(1)} s): ${cs.entry}`);

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
if (!noPackage && pkg.scripts?.package) {
  t = Date.now();
  const code = await run('npm', ['run', 'package'], { timeout: PACKAGE_TIMEOUT_MS });
  // A stale .vsix from an earlier build must not pass for this one.
  const fresh = existsSync(VSIX) && statSync(VSIX).mtimeMs >= t - 2_000;
  if (code !== 0 || !fresh) {
    console.error(`e2e: npm run package ${code !== 0 ? `exited with ${code}` : `did not write ${VSIX}`}`);
    process.exit(1);
  }
  timings.push(['npm run package', seconds(t)]);
} else if (!noPackage) {
  console.log('e2e: package.json has no "package" script yet: tests of the extension itself skip, the harness smoke test runs');
}
const vsix = existsSync(VSIX) ? VSIX : undefined;
console.log(`e2e: extension under test: ${vsix ?? 'none (smoke extension only)'}`);

const testFiles = files.length ? files : readdirSync(join(repoRoot, 'test', 'e2e'))
  .filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('test', 'e2e', f));
const timingsFile = join(mkdtempSync(join(tmpdir(), 'mnist-e2e-timings-')), 'timings.jsonl');
t = Date.now();
const code = await run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...testFiles], {
  timeout: TESTS_TIMEOUT_MS,
  env: {
    ...process.env,
    MNIST_E2E_CODE_SERVER: cs.entry,
    MNIST_E2E_CODE_SERVER_VERSION: cs.version,
    MNIST_E2E_CHROMIUM: CHROMIUM,
    MNIST_E2E_TIMINGS: timingsFile,
    ...(vsix ? { MNIST_E2E_VSIX: vsix } : {}),
  },
});
timings.push(['tests', seconds(t)]);

if (existsSync(timingsFile)) {
  for (const line of readFileSync(timingsFile, 'utf8').trim().split('\n').filter(Boolean)) {
    const { what, seconds: s } = JSON.parse(line);
    timings.push([`  ${what}`, s]);
  }
}
rmSync(dirname(timingsFile), { recursive: true, force: true });
timings.push(['total', seconds(total)]);
console.log('\ne2e timings:');
for (const [what, s] of timings) console.log(`  ${what.padEnd(60)} ${s.toFixed(1).padStart(7)} s`);
process.exit(code);
