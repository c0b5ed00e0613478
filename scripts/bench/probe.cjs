// Preloaded into the trainer process by the bench (node --require). The trainer is unchanged:
// - batch events leave with the process's CPU time so far (cpuMs), so the bench can give samples
//   per CPU-second beside samples per second, a figure other jobs on the machine barely move;
// - at exit, the peak resident set size goes to $MNIST_BENCH_PROBE.
'use strict';
const { writeFileSync } = require('node:fs');

const out = process.env.MNIST_BENCH_PROBE;
if (out) {
  process.on('exit', () => {
    // resourceUsage().maxRSS is in kilobytes (getrusage ru_maxrss).
    writeFileSync(out, JSON.stringify({ maxRssKB: process.resourceUsage().maxRSS, pid: process.pid }));
  });
}
const send = process.send;
if (send) {
  process.send = function (message, ...rest) {
    if (message && message.type === 'batch') {
      const cpu = process.cpuUsage();
      message = { ...message, cpuMs: (cpu.user + cpu.system) / 1000 };
    }
    return send.call(this, message, ...rest);
  };
}
