import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { cliBundle } from './paths';

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs the built mnist-train in `cwd` (its download cache inside it), as a user would. */
export function runCli(args: string[], cwd: string, onStderr?: (text: string, child: ChildProcess) => void): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliBundle, ...args], { cwd, env: { ...process.env, XDG_CACHE_HOME: join(cwd, 'cache') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => {
      stderr += b;
      onStderr?.(stderr, child);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
