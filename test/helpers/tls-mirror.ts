// An https mirror on 127.0.0.1 with a certificate made for the test (openssl), for downloads through
// a proxy's CONNECT tunnel: the tunnel must carry real TLS, checked against this certificate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsMirror {
  /** https://127.0.0.1:<port>/ */
  base: string;
  /** The certificate, to trust as a certificate authority. */
  ca: string;
  requests: string[];
  close(): Promise<void>;
}

/** Why no certificate can be made here, or null. */
export function tlsMirrorUnavailable(): string | null {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'openssl is not installed, so no test certificate can be made';
  }
}

/** Serves `files` (name → bytes) over https. */
export async function startTlsMirror(files: ReadonlyMap<string, Uint8Array>): Promise<TlsMirror> {
  const dir = mkdtempSync(join(tmpdir(), 'tls-mirror-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const requests: string[] = [];
  const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    requests.push(req.url ?? '');
    const body = files.get((req.url ?? '').replace(/^\//, ''));
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `https://127.0.0.1:${port}/`,
    ca: readFileSync(cert, 'utf8'),
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
