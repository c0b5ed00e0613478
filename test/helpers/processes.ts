// The child processes of this test process, by pid, for "nothing left behind" checks.
import { execFileSync } from 'node:child_process';

export interface ChildInfo {
  pid: number;
  args: string;
}

/** This process's children whose command line matches `pattern` (all children when omitted). */
export function childProcesses(pattern?: RegExp): ChildInfo[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)]).toString();
  } catch {
    return []; // ps exits 1 when there are none
  }
  return out
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), args: m[2] }))
    .filter((c) => c.pid !== undefined && !c.args.startsWith('ps ') && (!pattern || pattern.test(c.args)));
}

/** True once no process has this pid (a zombie not yet reaped still counts as present). */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Polls until the process is gone (a signalled process is reaped on a later tick); false after `ms`. */
export async function waitGone(pid: number, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!isGone(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Children the product started: everything but the esbuild service tsx runs to load the tests' TypeScript. */
export function productChildren(): ChildInfo[] {
  return childProcesses().filter((c) => !/esbuild(\.exe)? --service/.test(c.args));
}
