// Shared harness for Rapport's browser end-to-end tests (node --test tests/e2e/).
//
// It launches Debian's headless Chromium (never a downloaded browser) with the built
// extension (dist/, from ./build.sh) loaded, on a throwaway profile, with all DNS
// mapped to nowhere so nothing can leave the machine.
//
// API
//   const rapport = await launch(options?)
//     options.dist         directory to load (default: <repo>/dist)
//     options.probe        true (default): load a copy of dist/ that adds two test-only
//                          contexts: an extension page `e2e-probe.html` and a content
//                          script (on the five supported hosts, isolated world) that
//                          relays `window.postMessage({rapportProbe: request})` from the
//                          page to chrome.runtime.sendMessage. The shipped dist/ is
//                          never modified. Pass false to load dist/ exactly as built.
//     options.args         extra Chromium flags.
//     options.extensions   more unpacked extension folders to load next to Rapport (a
//                          hostile extension; its worker must not be named background.js).
//     options.profileRoot  directory to create the throwaway profile in (default: the OS
//                          temp dir); the quota test puts it on a small tmpfs.
//     options.updatable    true: allow rapport.update() (adds
//                          --enable-unsafe-extension-debugging; needs the probe copy).
//   rapport.context        the Playwright BrowserContext (persistent, temp profile)
//   rapport.extensionId    this run's extension id
//   rapport.extensionUrl(path)         -> 'chrome-extension://<id>/<path>'
//   rapport.loadedDir      the folder Chromium loaded (the probe copy, or dist/)
//   rapport.profileDir     the profile (user-data-dir)
//   await rapport.serviceWorker()      -> the current (woken if needed) worker
//   await rapport.openExtensionPage('popup/popup.html')   -> Page (waits for load)
//   await rapport.sendFromPage(request) -> reply of chrome.runtime.sendMessage(request)
//                          sent by an extension page (the probe page), i.e. sender
//                          kind "page".
//   await rapport.sendFromContent(page, request) -> the same from the probe content
//                          script of a routed site page, i.e. sender kind "content".
//   await rapport.timedFromContent(page, request) -> { reply, elapsedMs }: elapsedMs is
//                          sendMessage to reply as the content script saw it, without
//                          the test driver's own round trip.
//   rapport.serve(url, response)       serve a fixture at a real site URL; `url` is an
//                          exact URL string (its #fragment ignored), a RegExp or a
//                          predicate on the URL string;
//                          `response` is { file } (path, content type from extension)
//                          or { body, contentType?, status?, headers? }. Every fixture
//                          response carries STRICT_CSP (no 'wasm-unsafe-eval') unless
//                          headers override 'content-security-policy'. Later calls win.
//   await rapport.openSite(url)        new tab at a served URL, waits for load.
//   rapport.requests       every request Chromium made, in order:
//                          { url, method, resourceType, served: 'fixture'|'blocked'|'local' }
//   rapport.outsideRequests()  http(s) requests no fixture served (blocked): must be []
//   rapport.workerErrors   console errors and uncaught exceptions of the service worker
//   rapport.workerLogs     every service worker console message { type, text }
//   await rapport.stopServiceWorker()  stops the extension's service worker via CDP
//                          (ServiceWorker.stopWorker, like Chrome's idle stop) and waits
//                          until it reports 'stopped'; the next message wakes it.
//   await rapport.workerStatus()  'running' | 'stopped' | 'starting' | ... (from CDP;
//                          context.serviceWorkers() does not notice a stop).
//   await rapport.update() a real extension update: bumps the version in the loaded
//                          copy's manifest and has the browser load the folder again
//                          (CDP Extensions.loadUnpacked, browser-level, on Playwright's
//                          pipe), which replaces the running extension under the same
//                          id. Returns the new version. Open tabs keep their old content
//                          scripts (orphaned); extension pages are closed.
//   await rapport.close()  closes Chromium and deletes the profile (and probe copy).
//
// Constants: ROOT, DIST, SUPPORTED_ORIGINS, STRICT_CSP, CHROMIUM.

import { chromium } from 'playwright-core';
import { cp, mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = join(ROOT, 'dist');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SUPPORTED_ORIGINS = [
  'https://www.linkedin.com',
  'https://mail.google.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook.live.com',
];
// What the real sites send, in spirit: scripts only from themselves, no wasm.
export const STRICT_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'self'";

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

const PROBE_PAGE = '<!doctype html><meta charset="utf-8"><title>Rapport e2e probe</title>';
// Runs in the content-script world of routed site pages (test copy only).
const PROBE_CONTENT = `
window.addEventListener('message', (event) => {
  if (event.source !== window || !event.data || !('rapportProbe' in event.data)) return;
  const { rapportProbe: request, probeId } = event.data;
  const sent = performance.now();
  chrome.runtime.sendMessage(request).then(
    (reply) => window.postMessage({ rapportProbeReply: reply, probeId, elapsedMs: performance.now() - sent }, '*'),
    (error) => window.postMessage({ rapportProbeReply: { ok: false, error: String(error) }, probeId }, '*'));
});
`;

async function exists(path) {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function probeCopy(dist) {
  const dir = await mkdtemp(join(tmpdir(), 'rapport-dist-'));
  await cp(dist, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  await writeFile(join(dir, 'e2e-probe.html'), PROBE_PAGE);
  await writeFile(join(dir, 'e2e-probe-content.js'), PROBE_CONTENT);
  manifest.content_scripts = [
    ...(manifest.content_scripts || []),
    {
      matches: SUPPORTED_ORIGINS.map((o) => `${o}/*`),
      js: ['e2e-probe-content.js'],
      run_at: 'document_start',
    },
  ];
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

export async function launch(options = {}) {
  const dist = options.dist || DIST;
  if (!(await exists(join(dist, 'manifest.json')))) {
    throw new Error(`${dist} has no manifest.json: run ./build.sh first`);
  }
  const probe = options.probe !== false;
  const loaded = probe ? await probeCopy(dist) : dist;
  const profile = await mkdtemp(join(options.profileRoot || tmpdir(), 'rapport-profile-'));
  const args = [
    `--disable-extensions-except=${[loaded, ...(options.extensions || [])].join(',')}`,
    `--load-extension=${[loaded, ...(options.extensions || [])].join(',')}`,
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--host-resolver-rules=MAP * ~NOTFOUND',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ...(options.updatable ? ['--enable-unsafe-extension-debugging'] : []),
    ...(options.args || []),
  ];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // Playwright disables extensions by default; we load exactly one.
    ignoreDefaultArgs: ['--disable-extensions'],
    args,
  });

  const requests = [];
  const workerErrors = [];
  const workerLogs = [];
  const fixtures = [];

  const watchWorker = (worker) => {
    worker.on('console', (msg) => {
      workerLogs.push({ type: msg.type(), text: msg.text() });
      if (msg.type() === 'error') workerErrors.push(msg.text());
    });
  };
  context.on('serviceworker', watchWorker);
  context.serviceWorkers().forEach(watchWorker);

  context.on('request', (request) => {
    const url = request.url();
    requests.push({
      url,
      method: request.method(),
      resourceType: request.resourceType(),
      served: /^https?:/.test(url) ? 'pending' : 'local',
    });
  });
  const markServed = (url, how) => {
    for (let i = requests.length - 1; i >= 0; i--) {
      if (requests[i].url === url && requests[i].served === 'pending') {
        requests[i].served = how;
        return;
      }
    }
    requests.push({ url, method: '?', resourceType: '?', served: how });
  };

  await context.route(
    (url) => url.protocol === 'http:' || url.protocol === 'https:',
    async (route) => {
      const url = route.request().url();
      for (let i = fixtures.length - 1; i >= 0; i--) {
        if (fixtures[i].matches(url)) {
          markServed(url, 'fixture');
          return route.fulfill(await fixtures[i].respond());
        }
      }
      markServed(url, 'blocked');
      return route.abort('blockedbyclient');
    },
  );

  // Other extensions (options.extensions) have workers too: Rapport's is background.js.
  const isRapport = (w) => w.url().endsWith('/background.js');
  let worker =
    context.serviceWorkers().find(isRapport) ||
    (await context.waitForEvent('serviceworker', { predicate: isRapport, timeout: 15000 }));
  const extensionId = new URL(worker.url()).host;
  const extensionUrl = (path = '') => `chrome-extension://${extensionId}/${path.replace(/^\//, '')}`;

  let probePage = null;
  // The ServiceWorker CDP domain, seen from an extension page (same storage partition
  // as the worker). Playwright's own list of workers does not notice a stop.
  let cdp = null;
  const versions = new Map();
  const workerSession = async () => {
    if (cdp) return cdp;
    const page = probe
      ? (probePage && !probePage.isClosed() ? probePage : (probePage = await rapport.openExtensionPage('e2e-probe.html')))
      : await rapport.openExtensionPage('manifest.json');
    cdp = await context.newCDPSession(page);
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions: updated }) => {
      for (const v of updated) if (v.scriptURL.startsWith(extensionUrl())) versions.set(v.versionId, v);
    });
    await cdp.send('ServiceWorker.enable');
    const deadline = Date.now() + 5000;
    while (!versions.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    return cdp;
  };

  const rapport = {
    context,
    extensionId,
    requests,
    workerErrors,
    workerLogs,
    extensionUrl,
    loadedDir: loaded,
    profileDir: profile,

    async serviceWorker() {
      const live = context.serviceWorkers().find((w) => w.url().startsWith(extensionUrl()));
      if (live) return live;
      // Waking needs an event; a message from the probe page is the cheapest.
      const woken = context.waitForEvent('serviceworker', { timeout: 15000 });
      if (probe) await rapport.sendFromPage({ type: 'stats' }).catch(() => {});
      return woken;
    },

    async openExtensionPage(path) {
      const page = await context.newPage();
      await page.goto(extensionUrl(path), { waitUntil: 'load' });
      return page;
    },

    async sendFromPage(request) {
      if (!probe) throw new Error('sendFromPage needs launch({ probe: true })');
      if (!probePage || probePage.isClosed()) probePage = await rapport.openExtensionPage('e2e-probe.html');
      return probePage.evaluate((req) => chrome.runtime.sendMessage(req), request);
    },

    async sendFromContent(page, request) {
      return (await rapport.timedFromContent(page, request)).reply;
    },

    async timedFromContent(page, request) {
      if (!probe) throw new Error('sendFromContent needs launch({ probe: true })');
      return page.evaluate(
        (req) =>
          new Promise((resolveReply) => {
            const probeId = Math.random().toString(36).slice(2);
            const onReply = (event) => {
              if (event.source === window && event.data && event.data.probeId === probeId && 'rapportProbeReply' in event.data) {
                window.removeEventListener('message', onReply);
                resolveReply({ reply: event.data.rapportProbeReply, elapsedMs: event.data.elapsedMs });
              }
            };
            window.addEventListener('message', onReply);
            window.postMessage({ rapportProbe: req, probeId }, '*');
          }),
        request,
      );
    },

    serve(url, response) {
      // Requests never carry the #fragment a page URL may have.
      const exact = typeof url === 'string' ? url.split('#')[0] : null;
      const matches = exact !== null ? (u) => u === exact : url instanceof RegExp ? (u) => url.test(u) : url;
      const respond = async () => {
        const headers = { 'content-security-policy': STRICT_CSP, ...(response.headers || {}) };
        if (response.file) {
          const body = await readFile(response.file);
          return {
            status: response.status || 200,
            headers: { 'content-type': CONTENT_TYPES[extname(response.file)] || 'application/octet-stream', ...headers },
            body,
          };
        }
        return {
          status: response.status || 200,
          headers: { 'content-type': response.contentType || 'text/html; charset=utf-8', ...headers },
          body: response.body ?? '',
        };
      };
      fixtures.push({ matches, respond });
    },

    async openSite(url) {
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'load' });
      return page;
    },

    outsideRequests() {
      return requests.filter((r) => r.served === 'blocked' || r.served === 'pending');
    },

    async stopServiceWorker() {
      const session = await workerSession();
      const live = () => [...versions.values()].filter((v) => v.runningStatus !== 'stopped');
      for (const v of live()) await session.send('ServiceWorker.stopWorker', { versionId: v.versionId });
      const deadline = Date.now() + 10000;
      while (live().length) {
        if (Date.now() > deadline) throw new Error(`service worker did not stop: ${JSON.stringify(live())}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },

    async workerStatus() {
      await workerSession();
      const all = [...versions.values()];
      return all.some((v) => v.runningStatus === 'running') ? 'running' : all.length ? all[all.length - 1].runningStatus : 'none';
    },

    async update() {
      if (!options.updatable || !probe) throw new Error('update() needs launch({ updatable: true }) and the probe copy (dist/ is never modified)');
      const manifestPath = join(loaded, 'manifest.json');
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
      manifest.version = manifest.version.replace(/\d+$/, (n) => String(Number(n) + 1));
      await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
      const browser = await context.browser().newBrowserCDPSession();
      try {
        const { id } = await browser.send('Extensions.loadUnpacked', { path: loaded });
        if (id !== extensionId) throw new Error(`the update got another id: ${id}`);
      } finally {
        await browser.detach().catch(() => {});
      }
      // The old worker and pages are gone; the CDP session watched the old worker.
      cdp = null;
      versions.clear();
      return manifest.version;
    },

    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
      if (probe) await rm(loaded, { recursive: true, force: true });
    },
  };
  return rapport;
}
