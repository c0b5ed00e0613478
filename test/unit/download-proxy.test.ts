// Downloads through a proxy the environment names (HTTPS_PROXY, HTTP_PROXY, NO_PROXY): a local
// CONNECT/forward proxy in front of local mirrors (an https one with its own certificate).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { downloadFile, type RemoteFile } from '../../src/node/data/download';
import { DataError } from '../../src/node/data/idx';
import { bypassesProxy, proxyFor } from '../../src/node/data/proxy';
import { ensureSample } from '../helpers/datasets';
import { startMirrorServer, type MirrorServer } from '../helpers/idx-server';
import { startProxyServer, type ProxyServer } from '../helpers/proxy-server';
import { startTlsMirror, tlsMirrorUnavailable, type TlsMirror } from '../helpers/tls-mirror';

const NAME = 't10k-labels-idx1-ubyte.gz';
let bytes: Uint8Array;
let file: RemoteFile;
let http: MirrorServer;
let https: TlsMirror | undefined;
let proxy: ProxyServer;
let guarded: ProxyServer;
const noTls = tlsMirrorUnavailable();

before(async () => {
  bytes = new Uint8Array(readFileSync(join(ensureSample(), NAME)));
  file = { name: NAME, size: bytes.length, md5: createHash('md5').update(bytes).digest('hex') };
  http = await startMirrorServer({ [`/m/${NAME}`]: { body: bytes } });
  if (!noTls) https = await startTlsMirror(new Map([[NAME, bytes]]));
  proxy = await startProxyServer();
  guarded = await startProxyServer({ user: 'ann', password: 's3cret:/' });
});
after(async () => {
  await Promise.all([http.close(), https?.close(), proxy.close(), guarded.close()]);
});

const cache = () => mkdtempSync(join(tmpdir(), 'mnist-proxy-'));
function reset(): void {
  proxy.requests.length = 0;
  guarded.requests.length = 0;
  http.requests.length = 0;
}

describe('downloads through a proxy', () => {
  test('http mirror, HTTP_PROXY: an absolute-URI request to the proxy, the file verified', async () => {
    reset();
    const dir = cache();
    const url = `${http.base('m')}${NAME}`;
    await downloadFile(file, { dir, mirrors: [http.base('m')], env: { HTTP_PROXY: proxy.url } });
    assert.deepEqual(proxy.requests, [`GET ${url}`]);
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, NAME))), bytes);
  });

  test('https mirror, HTTPS_PROXY: a CONNECT tunnel carrying TLS end to end, checked against the mirror\'s certificate', { skip: noTls ?? false }, async () => {
    reset();
    const dir = cache();
    const host = new URL(https!.base).host;
    await downloadFile(file, { dir, mirrors: [https!.base], env: { https_proxy: proxy.url }, ca: https!.ca });
    assert.deepEqual(proxy.requests, [`CONNECT ${host}`]);
    assert.deepEqual(https!.requests.at(-1), `/${NAME}`);
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, NAME))), bytes);
  });

  test('https through the tunnel with a certificate nobody vouches for: refused, nothing kept', { skip: noTls ?? false }, async () => {
    const dir = cache();
    await assert.rejects(downloadFile(file, { dir, mirrors: [https!.base], env: { HTTPS_PROXY: proxy.url } }), (err: unknown) => {
      assert.ok(err instanceof DataError);
      assert.match(err.message, /^Could not download t10k-labels-idx1-ubyte\.gz from any mirror \(https:\/\/127\.0\.0\.1:\d+\/t10k-labels-idx1-ubyte\.gz: .*(self.signed|certificate)/i);
      return true;
    });
    assert.deepEqual(readdirSync(dir), []);
  });

  test('a proxy that wants a login: user and password from the URL; a wrong one is a 407 named in the message', { skip: noTls ?? false }, async () => {
    reset();
    await downloadFile(file, { dir: cache(), mirrors: [https!.base], env: { HTTPS_PROXY: guarded.url }, ca: https!.ca });
    assert.equal(guarded.requests.length, 1);
    const wrong = guarded.url.replace('s3cret', 'guess');
    await assert.rejects(
      downloadFile(file, { dir: cache(), mirrors: [https!.base], env: { HTTPS_PROXY: wrong }, ca: https!.ca }),
      /\(https:\/\/127\.0\.0\.1:\d+\/t10k-labels-idx1-ubyte\.gz: the proxy 127\.0\.0\.1:\d+ refused a tunnel to 127\.0\.0\.1:\d+: HTTP 407 Proxy Authentication Required\)/,
    );
    await assert.rejects(downloadFile(file, { dir: cache(), mirrors: [http.base('m')], env: { HTTP_PROXY: wrong } }), /: HTTP 407 Proxy Authentication Required\)\.$/);
  });

  test('NO_PROXY names the mirror\'s host: it is reached directly, the proxy sees nothing', async () => {
    reset();
    await downloadFile(file, { dir: cache(), mirrors: [http.base('m')], env: { HTTP_PROXY: proxy.url, NO_PROXY: 'example.com, 127.0.0.1' } });
    assert.deepEqual(proxy.requests, []);
    assert.equal(http.requests.length, 1);
  });

  test('a proxy that is down: the mirror and the reason are named', async () => {
    const down = await startProxyServer();
    await down.close();
    await assert.rejects(downloadFile(file, { dir: cache(), mirrors: [http.base('m')], env: { HTTP_PROXY: down.url } }), /from any mirror \(http:\/\/127\.0\.0\.1:\d+\/m\/t10k-labels-idx1-ubyte\.gz: .*ECONNREFUSED/);
  });

  test('a proxy variable that is not an http:// proxy: a clear error naming it, no mirror tried', async () => {
    reset();
    await assert.rejects(downloadFile(file, { dir: cache(), mirrors: [http.base('m'), http.base('m')], env: { HTTP_PROXY: 'socks5://127.0.0.1:1080' } }), (err: unknown) => {
      assert.ok(err instanceof DataError);
      assert.equal(err.message, 'Could not download t10k-labels-idx1-ubyte.gz: HTTP_PROXY="socks5://127.0.0.1:1080": only proxies reached over http:// are supported (https URLs still go through them encrypted, in a tunnel).');
      return true;
    });
    assert.deepEqual(http.requests, []);
  });
});

describe('which proxy, if any', () => {
  const u = (s: string) => new URL(s);
  test('https uses HTTPS_PROXY (upper case first), http uses HTTP_PROXY; a bare host:port means http://', () => {
    assert.equal(proxyFor(u('https://a.org/x'), { HTTPS_PROXY: 'http://p:3128', https_proxy: 'http://q:1' })?.host, 'p:3128');
    assert.equal(proxyFor(u('https://a.org/x'), { https_proxy: 'q:8080' })?.href, 'http://q:8080/');
    assert.equal(proxyFor(u('https://a.org/x'), { HTTP_PROXY: 'http://p:3128' }), null, 'HTTP_PROXY is not for https');
    assert.equal(proxyFor(u('http://a.org/x'), { HTTP_PROXY: 'http://p:3128' })?.host, 'p:3128');
    assert.equal(proxyFor(u('http://a.org/x'), {}), null);
  });
  test('NO_PROXY: *, names with their subdomains, leading dots, ports, IPs', () => {
    const on = (url: string, no: string) => bypassesProxy(u(url), no);
    assert.equal(on('https://storage.googleapis.com/x', '*'), true);
    assert.equal(on('https://storage.googleapis.com/x', 'googleapis.com'), true);
    assert.equal(on('https://storage.googleapis.com/x', '.googleapis.com'), true);
    assert.equal(on('https://notgoogleapis.com/x', 'googleapis.com'), false);
    assert.equal(on('https://a.org/x', 'a.org:443'), true);
    assert.equal(on('https://a.org/x', 'a.org:8443'), false);
    assert.equal(on('http://10.0.0.5/x', 'localhost, 10.0.0.5'), true);
    assert.equal(on('http://[::1]:8080/x', '::1'), true);
    assert.equal(on('http://a.org/x', ''), false);
  });
});
