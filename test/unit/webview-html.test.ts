// The webview's HTML shell: a strict nonce CSP, nothing inline, nothing remote.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeNonce, renderWebviewHtml, type WebviewHtmlOptions } from '../../src/host/panels/webview-html';

// What VS Code 1.100 passes: cspSource is its CDN-style resource origin.
const opts: WebviewHtmlOptions = {
  cspSource: 'https://*.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.css',
  nonce: makeNonce(),
  title: 'MNIST <Training> & "runs"',
};

function csp(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'a CSP meta tag');
  const directives = m[1].split(';').map((d) => d.trim()).filter(Boolean);
  return new Map(directives.map((d) => {
    const [name, ...sources] = d.split(/\s+/);
    return [name, sources];
  }));
}

describe('webview html', () => {
  const html = renderWebviewHtml(opts);
  const policy = csp(html);

  it('has the agreed CSP: nothing by default, scripts only by nonce, styles from the extension or by nonce', () => {
    assert.deepEqual(policy.get('default-src'), ["'none'"]);
    assert.deepEqual(policy.get('script-src'), [`'nonce-${opts.nonce}'`]);
    assert.deepEqual(policy.get('style-src'), [opts.cspSource, `'nonce-${opts.nonce}'`]);
    assert.deepEqual(policy.get('img-src'), [opts.cspSource, 'data:']);
    assert.deepEqual(policy.get('font-src'), [opts.cspSource]);
    assert.deepEqual([...policy.keys()].sort(), ['default-src', 'font-src', 'img-src', 'script-src', 'style-src']);
  });

  it('allows no eval, no inline code and no remote origin', () => {
    assert.ok(!html.includes('unsafe-eval'));
    assert.ok(!html.includes('unsafe-inline'));
    for (const sources of policy.values()) {
      for (const s of sources) assert.ok(s === opts.cspSource || /^'(none|nonce-[0-9a-f]{32})'$/.test(s) || s === 'data:', `source ${s}`);
    }
    const urls = html.match(/https?:\/\/[^\s"';]+/g) ?? [];
    for (const u of urls) assert.ok([opts.cspSource, opts.scriptUri, opts.styleUri].includes(u), `only the webview's own resources: ${u}`);
  });

  it('loads one script, by nonce, from the bundle, with no inline script or style', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0][1], new RegExp(`nonce="${opts.nonce}"`));
    assert.match(scripts[0][1], /src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/webview\.js"/);
    assert.equal(scripts[0][2].trim(), '');
    assert.ok(!/<style\b/.test(html));
    assert.ok(!/\sstyle=/.test(html));
    assert.ok(!/\son[a-z]+=/.test(html), 'no inline event handlers');
    assert.match(html, /<link rel="stylesheet" href="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/webview\.css"/);
  });

  it('escapes the title', () => {
    assert.match(html, /<title>MNIST &lt;Training&gt; &amp; "runs"<\/title>/);
    assert.ok(!html.includes('<Training>'));
  });

  it('refuses a nonce that could break out of the policy', () => {
    assert.throws(() => renderWebviewHtml({ ...opts, nonce: "abc' 'unsafe-inline" }), /nonce/);
    assert.throws(() => renderWebviewHtml({ ...opts, nonce: 'short' }), /nonce/);
  });
});

describe('makeNonce', () => {
  it('is 32 hex characters and different every time', () => {
    const nonces = Array.from({ length: 200 }, makeNonce);
    for (const n of nonces) assert.match(n, /^[0-9a-f]{32}$/);
    assert.equal(new Set(nonces).size, nonces.length);
    // 128 random bits: every hex digit turns up across 200 nonces.
    assert.equal(new Set(nonces.join('')).size, 16);
  });
});
