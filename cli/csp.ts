// The built app's Content-Security-Policy (issue [L] "Reliability" 6), in one place for the three
// that use it: the <meta> Vite writes into every built page (index.html and headless.html, so it
// holds on any static host), the header `vite preview` sends with every file (e2e and the CLIs
// serve dist/ that way; a header also covers the engine worker, which a page's <meta> does not,
// and may say what a <meta> cannot), and the e2e guard (e2e/fixtures.ts) that fails a test whose
// pages came without it.
// Deliberately not applied to `npm run dev`: Vite's dev server and @vitejs/plugin-react's refresh
// preamble are inline scripts.

import type { Plugin } from 'vite';

/** Directive → sources. Anything not named falls back to default-src. */
const DIRECTIVES: Record<string, string> = {
  // Fonts, media, manifests, frames, ...: our origin only (the app uses none of them today).
  'default-src': "'self'",
  // Our bundles only: no eval, no inline script. 'wasm-unsafe-eval' lets onnxruntime-web compile
  // its .wasm for the export check (export/onnx-runtime.ts); it allows WebAssembly, not JS eval.
  'script-src': "'self' 'wasm-unsafe-eval'",
  // The engine worker (train/client.ts) is a same-origin module. onnxruntime-web spawns a blob:
  // worker only for its proxy or for threads, both off (one thread, no proxy).
  'worker-src': "'self'",
  // fetch: the corpora under /data/ and onnxruntime-web's .wasm, both served by us, never a CDN.
  'connect-src': "'self'",
  // The favicon; blob: is the chart PNG export (ui/d3/svg-export.ts draws the SVG through an <img>).
  'img-src': "'self' blob:",
  // The built stylesheet. Styles set through the CSSOM (React's style prop, d3 .style()) are not
  // subject to style-src; a <style> element or a style="…" attribute in markup would be refused.
  'style-src': "'self'",
  // No plugins (<object>, <embed>).
  'object-src': "'none'",
  // No <base>: an injected one cannot move our relative script URLs to another host.
  'base-uri': "'none'",
  // No form posts anywhere: uploaded files are read in the page.
  'form-action': "'none'",
};

/** Only a header can carry these (a <meta> is ignored for them, and Chromium logs an error). */
const HEADER_ONLY: Record<string, string> = {
  // Nobody frames the app (clickjacking its Train and export buttons).
  'frame-ancestors': "'none'",
};

const serialize = (d: Record<string, string>): string =>
  Object.entries(d)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');

/** The policy in the built pages' <meta http-equiv="Content-Security-Policy">. */
export const cspMeta = (): string => serialize(DIRECTIVES);

/** The policy in `vite preview`'s Content-Security-Policy header: the <meta>'s and the header-only directives. */
export const cspHeader = (): string => serialize({ ...DIRECTIVES, ...HEADER_ONLY });

/**
 * Build only: writes the <meta> first in each page's <head> (before any script it governs) and
 * fails the build if a page would carry an inline <script>, a <style> element or a style="…"
 * attribute, which the policy refuses (e.g. Vite's modulepreload polyfill if it ever went inline).
 */
export function cspPlugin(): Plugin {
  return {
    name: 'masklab-csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const inline = [/<script\b(?![^>]*\bsrc=)[^>]*>/i, /<style\b/i, /<[a-z][^>]*\sstyle=/i].map((re) => re.exec(html)?.[0]).filter(Boolean);
        if (inline.length > 0) {
          throw new Error(`${ctx.filename} would ship ${inline.join(', ')}, which the Content-Security-Policy (cli/csp.ts) refuses: move it into a module or the stylesheet.`);
        }
        return [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: cspMeta() }, injectTo: 'head-prepend' }];
      },
    },
  };
}
