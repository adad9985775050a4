// Every e2e spec imports `test` and `expect` from here instead of @playwright/test. Each test that
// opens a page also fails, after it ran, when during it any page or worker
//  - broke the app's Content-Security-Policy (cli/csp.ts): a `securitypolicyviolation` event on a
//    page's document (an init script) or in one of its workers (a listener added once the worker
//    started: Playwright runs no init script there), or a console message saying "Content Security
//    Policy" (Chromium logs each refusal in a page; a worker's own log does not reach Playwright,
//    so there only the listener reports);
//  - asked a host other than the app's for anything (no CDN, no telemetry; data: and blob: URLs
//    never leave the page, so they pass);
//  - got an app document without the policy header (a test run without the policy shows nothing).
// The whole suite together is the "full session" of issue [L] 6 (train, views, export, verify).
// Not watched: the CLI's own browser (e2e/cli.spec.ts runs npm run train, cli/headless.ts).

import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { cspHeader } from '../cli/csp.ts';

/** Prefix of what the listeners log; the console check below picks these up with Chromium's own. */
const TAG = 'securitypolicyviolation (Content Security Policy)';
const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:']);

/** Runs in each page and worker: reports each violation on the console, where the context hears it. */
function listen(tag: string): void {
  globalThis.addEventListener('securitypolicyviolation', (e) => {
    console.error(`${tag}: ${e.effectiveDirective} refused ${e.blockedURI || 'inline code'} at ${e.sourceFile}:${e.lineNumber}`);
  });
}

/** Each problem once, with how often it happened (a refused style attribute may repeat per element). */
class Problems {
  private readonly seen = new Map<string, number>();
  push(p: string): void {
    this.seen.set(p, (this.seen.get(p) ?? 0) + 1);
  }
  list(): string[] {
    return [...this.seen].map(([p, n]) => (n > 1 ? `${p} (×${n})` : p));
  }
}

async function guard(context: BrowserContext, appHost: string): Promise<Problems> {
  const problems = new Problems();
  const watchPage = (page: Page): void => {
    page.on('worker', (w) => void w.evaluate(listen, TAG).catch(() => {})); // a worker may end first
    page.on('response', (res) => {
      // headers(), not allHeaders(): a reload revalidates with a 304 that carries no headers of its
      // own; the browser keeps (and enforces) the cached 200's, which headers() reports.
      const csp = res.headers()['content-security-policy'];
      if (res.request().resourceType() === 'document' && new URL(res.url()).host === appHost && csp !== cspHeader()) {
        problems.push(`${res.url()} came with Content-Security-Policy ${JSON.stringify(csp)}, not cli/csp.ts's: is vite.config.ts's preview.headers set?`);
      }
    });
  };
  await context.addInitScript(listen, TAG);
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  context.on('console', (msg) => {
    // Chromium's own message without its advice (which quotes a hash of each refused snippet).
    const text = msg.text().replace(/ Either the .*$/s, '');
    if (/Content Security Policy/i.test(text)) problems.push(`console ${msg.type()} on ${msg.page()?.url() ?? msg.worker()?.url() ?? '?'}: ${text}`);
  });
  context.on('request', (req) => {
    const url = new URL(req.url());
    if (!LOCAL_SCHEMES.has(url.protocol) && url.host !== appHost) problems.push(`request off the app's host ${appHost}: ${req.method()} ${req.url()} (${req.resourceType()})`);
  });
  return problems;
}

export const test = base.extend({
  context: async ({ context, baseURL }, use) => {
    const problems = await guard(context, new URL(baseURL!).host);
    await use(context);
    expect(problems.list(), 'Content-Security-Policy violations or requests off the app host (e2e/fixtures.ts)').toEqual([]);
  },
});

export { expect, type Page };
