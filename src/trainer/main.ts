// The trainer process: IPC wiring only. Started with child_process.fork by the extension host or
// the CLI; takes one `start`, streams TrainerEvents back, obeys `stop`, and exits when done.
import { isTrainerCommand, type TrainerCommand, type TrainerEvent } from '../shared/protocol';
import { faultFromEnv, injectFault } from './faults';
import { type RunControl, runTraining } from './run';

if (!process.send) {
  console.error('The MNIST trainer runs as a child process of VS Code or mnist-train; start it through one of those.');
  process.exit(2);
}

// Test-only (see faults.ts): strikes once the first batch has been reported, i.e. mid-epoch.
let fault = faultFromEnv();
const send = (event: TrainerEvent): void => {
  if (process.connected) process.send!(event);
  if (fault && event.type === 'batch') {
    injectFault(fault);
    fault = undefined;
  }
};
const control: RunControl = { stopRequested: false, abort: new AbortController() };
let started = false;

function onCommand(cmd: TrainerCommand): void {
  switch (cmd.type) {
    case 'start':
      if (started) return;
      started = true;
      runTraining(cmd, send, control).then(
        () => {
          // Exit once the last event has left; disconnecting flushes the IPC queue first.
          process.disconnect();
          setImmediate(() => process.exit(0));
        },
        (err: unknown) => {
          // runTraining reports its own failures; reaching here means writing the run folder failed.
          send({ type: 'log', time: Date.now(), level: 'error', message: `The run could not be finished: ${(err as Error).message}` });
          process.disconnect();
          setImmediate(() => process.exit(1));
        },
      );
      break;
    case 'stop':
      control.stopRequested = true;
      control.abort.abort();
      if (!started) process.exit(0);
      break;
  }
}

// A bug outside runTraining's own error handling: one line the parent recognises (client.ts turns
// it into the run's failure message), the stack for the log, and a non-zero exit.
const crashed = (err: unknown): void => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`MNIST trainer crashed: ${message.split('\n')[0]}\n${err instanceof Error && err.stack ? err.stack : ''}\n`);
  process.exit(70);
};
process.on('uncaughtException', crashed);
process.on('unhandledRejection', crashed);

// Ctrl-C in a terminal reaches the whole process group; the CLI turns it into a `stop`, so the
// trainer leaves it to the parent instead of dying mid-write.
process.on('SIGINT', () => undefined);

process.on('message', (m: unknown) => {
  if (isTrainerCommand(m)) onCommand(m);
});
// The parent went away (window closed, CLI killed): end the run as cancelled so its folder is
// complete, and make sure the process does not outlive that by long.
process.on('disconnect', () => {
  if (!started) process.exit(0);
  control.stopRequested = true;
  control.abort.abort();
  setTimeout(() => process.exit(1), 10_000).unref();
});
