// The predictor process (dist/predictor.js): IPC wiring only. Forked by the extension host while a
// dashboard is open; loads a run's saved model on `loadModel` and answers `predict` commands.
import { isPredictorCommand, type PredictorCommand, type PredictorEvent } from '../shared/protocol';
import { Predictor } from './predictor';

if (!process.send) {
  console.error('The MNIST predictor runs as a child process of VS Code; it is not a command to start by hand.');
  process.exit(2);
}

const predictor = new Predictor();
const send = (event: PredictorEvent): void => {
  if (process.connected) process.send!(event);
};
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

// Commands are handled one at a time, in order, so a predict after a loadModel uses that model.
// The backend starts at once: a dashboard starts this process before its run has a model to load.
let queue: Promise<void> = predictor.init().then(
  () => undefined,
  (err: unknown) => send({ type: 'log', time: Date.now(), level: 'error', message: `no backend: ${message(err)}` }),
);

function onCommand(cmd: PredictorCommand): Promise<void> {
  switch (cmd.type) {
    case 'loadModel':
      return predictor.load(cmd.modelDir).then(
        (b) => send({ type: 'modelLoaded', time: Date.now(), modelDir: cmd.modelDir, backend: b.backend }),
        (err: unknown) => send({ type: 'modelLoaded', time: Date.now(), modelDir: cmd.modelDir, error: message(err) }),
      );
    case 'predict':
      try {
        send({ type: 'prediction', time: Date.now(), id: cmd.id, probabilities: predictor.predict(cmd.pixels) });
      } catch (err) {
        send({ type: 'prediction', time: Date.now(), id: cmd.id, probabilities: [], error: message(err) });
      }
      return Promise.resolve();
    case 'inspect':
      try {
        send({ type: 'inspection', time: Date.now(), id: cmd.id, inspection: predictor.inspect(cmd.pixels) });
      } catch (err) {
        send({ type: 'inspection', time: Date.now(), id: cmd.id, error: message(err) });
      }
      return Promise.resolve();
  }
}

process.on('message', (m: unknown) => {
  if (!isPredictorCommand(m)) return;
  queue = queue.then(() => onCommand(m));
});
// The extension host went away: nothing to finish, so leave at once.
process.on('disconnect', () => process.exit(0));
