// A local HTTP server standing in for dataset mirrors: each path answers as the test says.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply =
  | { status: number }
  /** The bytes, with Content-Length. */
  | { body: Uint8Array }
  /** Sends `cutAfter` bytes of `body` (Content-Length says all), then destroys the socket. */
  | { body: Uint8Array; cutAfter: number }
  /** Sends `stallAfter` bytes, then nothing more until the server closes. */
  | { body: Uint8Array; stallAfter: number }
  /** Sends `dripBytes` every `everyMs`: never silent long enough to stall, never done in time. */
  | { body: Uint8Array; dripBytes: number; everyMs: number };

export interface MirrorServer {
  /** http://127.0.0.1:<port>/<mirror>/ */
  base(mirror: string): string;
  /** Every request path, in order. */
  requests: string[];
  /** Replaces what a path answers. */
  set(path: string, reply: Reply): void;
  close(): Promise<void>;
}

/** routes: "/m1/train-images-idx3-ubyte.gz" → reply; any other path is a 404. */
export async function startMirrorServer(routes: Record<string, Reply> = {}): Promise<MirrorServer> {
  const table = new Map(Object.entries(routes));
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const reply = table.get(path) ?? { status: 404 };
    if ('status' in reply) {
      res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(`status ${reply.status}`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': reply.body.length });
    if ('cutAfter' in reply) {
      res.write(reply.body.subarray(0, reply.cutAfter), () => res.socket?.destroy());
    } else if ('stallAfter' in reply) {
      res.write(reply.body.subarray(0, reply.stallAfter));
    } else if ('dripBytes' in reply) {
      let sent = 0;
      const drip = setInterval(() => {
        if (res.destroyed || sent >= reply.body.length) {
          clearInterval(drip);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(reply.body.subarray(sent, sent + reply.dripBytes));
        sent += reply.dripBytes;
      }, reply.everyMs);
      res.on('close', () => clearInterval(drip));
    } else {
      res.end(reply.body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: (mirror) => `http://127.0.0.1:${port}/${mirror}/`,
    requests,
    set: (path, reply) => void table.set(path, reply),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
