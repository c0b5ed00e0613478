// The HTML shell of the Dashboard webview (sidebar view and editor panel). Pure: no vscode import.

export interface WebviewHtmlOptions {
  /** `webview.cspSource`: the only origin scripts, styles, fonts and images may come from. */
  cspSource: string;
  /** `webview.asWebviewUri(dist/webview.js)` as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(dist/webview.css)` as a string. */
  styleUri: string;
  /** From makeNonce(), new for every render. */
  nonce: string;
  title: string;
}

/**
 * The page: one nonce'd script, one stylesheet, no inline code, nothing remote. Lit's
 * adoptedStyleSheets and ECharts' element.style writes go through the CSSOM, which `style-src`
 * does not govern, so neither needs 'unsafe-inline'.
 */
export function renderWebviewHtml(opts: WebviewHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(opts.nonce)) throw new Error('renderWebviewHtml: the nonce must be at least 16 base64/hex characters');
  const nonce = opts.nonce;
  const src = opts.cspSource;
  const csp = [
    "default-src 'none'",
    `img-src ${src} data:`,
    `style-src ${src} 'nonce-${nonce}'`,
    `font-src ${src}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(opts.styleUri)}" nonce="${nonce}">
<title>${text(opts.title)}</title>
</head>
<body>
<main id="app" aria-label="${attr(opts.title)}"></main>
<script nonce="${nonce}" src="${attr(opts.scriptUri)}"></script>
</body>
</html>
`;
}

/** 32 hex characters from a cryptographic random source. */
export function makeNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function text(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
