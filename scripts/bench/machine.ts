// What the bench ran on, for the lines above its table: the CPU and the SIMD it offers, the wasm
// features the trainer gets (relaxed SIMD: fused multiply-add), Node and V8.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { RELAXED_SIMD_FLAG, relaxedSimdHere, trainerExecArgv } from '../../src/node/processes/wasm-features';

export interface Machine {
  cpu: string;
  cores: number;
  /** x86 flags from /proc/cpuinfo that decide kernel speed: AVX2, AVX-512 (F), FMA (FMA3). */
  simd: { avx2: boolean; avx512: boolean; fma: boolean } | null;
  relaxedSimd: string;
  node: string;
  v8: string;
}

export function describeMachine(): Machine {
  let flags: Set<string> | null = null;
  try {
    const line = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (line) flags = new Set(line[1].trim().split(/\s+/));
  } catch {
    // not Linux: no flags line
  }
  const execArgv = trainerExecArgv();
  const relaxedSimd = execArgv.includes(RELAXED_SIMD_FLAG)
    ? `yes (the trainer is forked with ${RELAXED_SIMD_FLAG})`
    : relaxedSimdHere()
      ? 'yes (on by default)'
      : 'no';
  return {
    cpu: cpus()[0]?.model.trim() ?? '?',
    cores: cpus().length,
    simd: flags ? { avx2: flags.has('avx2'), avx512: flags.has('avx512f'), fma: flags.has('fma') } : null,
    relaxedSimd,
    node: process.version,
    v8: process.versions.v8,
  };
}

export function formatMachine(m: Machine): string[] {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const simd = m.simd ? `AVX2 ${yes(m.simd.avx2)}, AVX-512 ${yes(m.simd.avx512)}, FMA ${yes(m.simd.fma)}` : 'x86 SIMD flags unknown (no /proc/cpuinfo)';
  return [`CPU: ${m.cores} × ${m.cpu}; ${simd}; wasm relaxed SIMD: ${m.relaxedSimd}`, `Node ${m.node}, V8 ${m.v8}`];
}
