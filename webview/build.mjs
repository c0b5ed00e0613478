// The webview bundle, imported by esbuild.mjs: browser code and its stylesheet, into dist/.
// webview/dashboard/main.ts → dist/webview.js (iife), webview/dashboard/styles.css → dist/webview.css;
// compare/ and augment/ likewise, into compare.* and augment.*. webview/common/ is bundled into each.

/** @type {import('esbuild').BuildOptions} */
export const webviewBuildOptions = {
  entryPoints: [
    { in: 'webview/dashboard/main.ts', out: 'webview' },
    { in: 'webview/dashboard/styles.css', out: 'webview' },
    { in: 'webview/compare/main.ts', out: 'compare' },
    { in: 'webview/compare/styles.css', out: 'compare' },
    { in: 'webview/augment/main.ts', out: 'augment' },
    { in: 'webview/augment/styles.css', out: 'augment' },
    { in: 'webview/inside/main.ts', out: 'inside' },
    { in: 'webview/inside/styles.css', out: 'inside' },
  ],
  outdir: 'dist',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  // VS Code 1.100 runs Chromium 132; code-server runs in any current browser.
  target: ['chrome120', 'firefox120', 'safari17'],
  minify: true,
  sourcemap: false,
  // ECharts and Lit ship ESM; their "module" builds tree-shake.
  mainFields: ['browser', 'module', 'main'],
  // ECharts checks process.env.NODE_ENV for its dev warnings; a browser has no `process`.
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
};
