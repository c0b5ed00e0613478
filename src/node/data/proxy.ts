// Downloads through an HTTP proxy, as curl and most tools read it from the environment:
// HTTPS_PROXY for https URLs (a CONNECT tunnel; TLS is end to end, the proxy sees only the host),
// HTTP_PROXY for http URLs (absolute-URI requests), NO_PROXY for hosts to reach directly.
// Node's fetch ignores these variables, and no dependency is needed for this much.
import { type IncomingMessage, type OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type Socket, isIP } from 'node:net';
import { Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';

/** The proxy environment variables read, upper case first (as curl does for all but http_proxy). */
export type ProxyEnv = Partial<Record<'HTTPS_PROXY' | 'https_proxy' | 'HTTP_PROXY' | 'http_proxy' | 'NO_PROXY' | 'no_proxy', string>>;

/** A proxy setting that cannot be used; the message names the variable and the value. */
export class ProxyConfigError extends Error {}

const MAX_REDIRECTS = 5;

/** The proxy to use for `url`, or null to connect directly. */
export function proxyFor(url: URL, env: ProxyEnv): URL | null {
  const https = url.protocol === 'https:';
  const [name, raw] = https
    ? pick(env, 'HTTPS_PROXY', 'https_proxy')
    : url.protocol === 'http:'
      ? pick(env, 'HTTP_PROXY', 'http_proxy')
      : ['', undefined];
  if (!raw?.trim()) return null;
  if (bypassesProxy(url, env.NO_PROXY ?? env.no_proxy ?? '')) return null;
  const value = raw.trim();
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new ProxyConfigError(`${name}="${value}" is not a proxy URL (expected http://host:port)`);
  }
  if (proxy.protocol !== 'http:') {
    throw new ProxyConfigError(`${name}="${value}": only proxies reached over http:// are supported (https URLs still go through them encrypted, in a tunnel)`);
  }
  return proxy;
}

function pick(env: ProxyEnv, upper: keyof ProxyEnv, lower: keyof ProxyEnv): [string, string | undefined] {
  return env[upper] !== undefined && env[upper] !== '' ? [upper, env[upper]] : [lower, env[lower]];
}

/**
 * NO_PROXY as curl reads it: `*` for every host; otherwise comma- or space-separated host names
 * (with an optional `:port`), each matching itself and its subdomains (`example.com` and
 * `.example.com` both match `a.example.com`), or IP addresses matched exactly.
 */
export function bypassesProxy(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const entry of noProxy.split(/[\s,]+/).map((e) => e.trim().toLowerCase()).filter(Boolean)) {
    if (entry === '*') return true;
    // "host", "host:port", "[v6]:port", or a bare IPv6 address (more than one colon).
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const colons = entry.split(':').length - 1;
    const [rawName, entryPort] = bracketed ? [bracketed[1], bracketed[2]] : colons === 1 ? entry.split(':') : [entry, undefined];
    const name = rawName.replace(/^\*?\./, '');
    if (entryPort && entryPort !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

export interface ProxiedGetOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** The environment to read the proxy from (process.env by default). */
  env?: ProxyEnv;
  /** TLS options for https targets: a test's own certificate authority. */
  ca?: string | Buffer;
}

/**
 * GET `url` as fetch would, through the proxy the environment names for it (or directly with fetch
 * when none applies), following redirects. The answer is a standard Response.
 */
export async function getThroughProxy(url: string, opts: ProxiedGetOptions = {}): Promise<Response> {
  const env = opts.env ?? (process.env as ProxyEnv);
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    const proxy = proxyFor(target, env);
    if (!proxy) return fetch(target, { signal: opts.signal, headers: opts.headers });
    const res = await requestVia(proxy, target, opts);
    const location = res.headers.location;
    if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location && hop < MAX_REDIRECTS) {
      res.resume();
      target = new URL(location, target);
      continue;
    }
    return toResponse(res);
  }
}

function proxyAuthorization(proxy: URL): OutgoingHttpHeaders {
  if (!proxy.username) return {};
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(user).toString('base64')}` };
}

function requestVia(proxy: URL, target: URL, opts: ProxiedGetOptions): Promise<IncomingMessage> {
  const proxyPort = Number(proxy.port || 80);
  const headers = { ...opts.headers, host: target.host };
  if (target.protocol === 'http:') {
    // An absolute URI in the request line: the proxy fetches it.
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: proxy.hostname, port: proxyPort, method: 'GET', path: target.href, headers: { ...headers, ...proxyAuthorization(proxy) }, signal: opts.signal });
      req.on('response', resolve).on('error', reject).end();
    });
  }
  return new Promise((resolve, reject) => {
    const authority = `${target.hostname}:${target.port || 443}`;
    const connect = httpRequest({ host: proxy.hostname, port: proxyPort, method: 'CONNECT', path: authority, headers: { host: authority, ...proxyAuthorization(proxy) }, signal: opts.signal });
    connect.on('error', reject);
    connect.on('connect', (answer: IncomingMessage, socket: Socket) => {
      if (answer.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`the proxy ${proxy.host} refused a tunnel to ${authority}: HTTP ${answer.statusCode} ${answer.statusMessage ?? ''}`.trim()));
        return;
      }
      // SNI takes host names only; for an IP address the certificate is checked against the IP.
      const servername = isIP(target.hostname.replace(/^\[|\]$/g, '')) ? undefined : target.hostname;
      const tls = tlsConnect({ socket, ...(servername ? { servername } : {}), host: target.hostname.replace(/^\[|\]$/g, ''), ...(opts.ca ? { ca: opts.ca } : {}) });
      const req = httpsRequest({
        host: target.hostname,
        port: target.port || 443,
        path: `${target.pathname}${target.search}`,
        method: 'GET',
        headers,
        // No agent: with one, node would open its own connection and ignore the tunnel.
        createConnection: () => tls,
        signal: opts.signal,
      });
      req.on('response', resolve).on('error', (err) => {
        tls.destroy();
        reject(err);
      });
      req.end();
    });
    connect.end();
  });
}

/** Statuses whose Response may not have a body. */
const NO_BODY = new Set([101, 204, 205, 304]);

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
  }
  const status = res.statusCode ?? 502;
  const body = NO_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  if (!body) res.resume();
  return new Response(body, { status, statusText: res.statusMessage ?? '', headers });
}
