#!/usr/bin/env node
// The background service worker with a large history stored (built extension, dist/).
//
//   node tools/bench/worker.mjs bench/data/100k      (prints JSON lines)
//
// 1. Imports DIR/backup.json through the background as the options page does: an
//    extension page (the file already loaded in it) sends one `import_batch` request
//    per batch (contacts first, then messages in batches of 1,000), as JSON text and
//    with one batch in flight while the next is sent; the background writes each in
//    one IndexedDB transaction.
// 2. Wake: stops the worker (the harness's stopServiceWorker, over CDP),
//    then times an `analyze` request from a content script on a LinkedIn page until its
//    verdict arrives: worker start, wasm instantiation, opening IndexedDB, loading the
//    draft's slice, the analysis and the reply. Repeated; p50 and p95.
// 3. Warm verdicts (the worker running): same request, p50 and p95.
//    Wake and warm times are taken in the content script, from sendMessage to the
//    verdict (what a compose box waits); the test driver's round trip is reported apart.
// 4. Memory after a verdict: the worker's JS heap and its array buffers (the wasm linear
//    memory lives there), from CDP Runtime.getHeapUsage on the worker target.
//
// A phase that fails (a worker that will not stop, a request that errs) is reported as
// a `worker-failure` line with its message, after the figures measured so far, and the
// exit status is non-zero: the report shows the gap instead of losing the other figures.
import { launch } from '../../tests/e2e/harness.mjs';
import { readFile } from 'node:fs/promises';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'sites');
const URL_THREAD = 'https://www.linkedin.com/messaging/thread/2-d2FrZQ/';
const WAKES = Number(process.env.RAPPORT_BENCH_WAKES || 20);
const BATCH = 1000;
// Batches in flight beyond the one awaited (the options page keeps one).
const DEPTH = Number(process.env.RAPPORT_BENCH_DEPTH ?? 1);
const BACKUP_URL = 'https://bench.rapport.invalid/backup';
const PART = 10000;

/** CDP Runtime.getHeapUsage of the extension's service worker, through a page session. */
async function workerHeap(page) {
  const cdp = await page.context().newCDPSession(page);
  const { targetInfos } = await cdp.send('Target.getTargets');
  const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
  if (!worker) throw new Error('no service worker target');
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });
  const reply = new Promise((resolveReply, reject) => {
    setTimeout(() => reject(new Error('no reply from the worker target')), 10000);
    cdp.on('Target.receivedMessageFromTarget', (event) => {
      if (event.sessionId !== sessionId) return;
      const message = JSON.parse(event.message);
      if (message.id === 1) resolveReply(message.result || {});
    });
  });
  await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.getHeapUsage' }) });
  return reply;
}

/** Stops the worker; a worker busy with a long task may outlast one attempt (each
 *  waits 10 s), and on a loaded machine CDP itself can be slow to answer. */
async function stopWorker(rapport) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rapport.stopServiceWorker();
    } catch (error) {
      if (attempt === 4) throw new Error(`the service worker did not stop after ${attempt} attempts: ${error.message.slice(0, 200)}`);
      console.error(`stop attempt ${attempt} failed, retrying: ${error.message.slice(0, 120)}`);
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];
}

const dir = resolve(process.argv[2] || join(ROOT, 'bench', 'data', '100k'));
const backup = JSON.parse(await readFile(join(dir, 'backup.json'), 'utf8'));
const rapport = await launch({ probe: true });
let phase = 'launch';
let failed = false;
try {
  const send = async (request) => {
    const reply = await rapport.sendFromPage(request);
    if (!reply || reply.ok !== true) throw new Error(`${request.type} failed: ${JSON.stringify(reply).slice(0, 300)}`);
    return reply;
  };
  phase = 'import';
  await send({ type: 'set_settings', settings: backup.settings }).catch((e) => console.error(e.message));
  // The batches are sent from an extension page, as the options page sends them: the
  // page loads the file first (untimed), so the figure is the background's work and
  // the extension's messaging, not 120 MB crossing the test driver's protocol.
  // In parts: one 120 MB response is more than the driver's protocol carries.
  const files = [{ contacts: backup.contacts, messages: [] }];
  for (let i = 0; i < backup.messages.length; i += PART) files.push({ contacts: [], messages: backup.messages.slice(i, i + PART) });
  files.forEach((part, k) => {
    rapport.serve(`${BACKUP_URL}/${k}.json`, { body: JSON.stringify(part), contentType: 'application/json', headers: { 'access-control-allow-origin': '*' } });
  });
  const importer = await rapport.openExtensionPage('e2e-probe.html');
  // Per batch: its time and its JSON size, so the report can tell a cost per message
  // from one that grows with the store.
  const { contactsS, importS, batchSeconds, jsonBytes } = await importer.evaluate(
    async ({ url, count, batch, depth }) => {
      const history = { contacts: [], messages: [] };
      for (let k = 0; k < count; k++) {
        const part = await (await fetch(`${url}/${k}.json`)).json();
        history.contacts.push(...part.contacts);
        for (const m of part.messages) history.messages.push(m);
      }
      const importId = `bench-${Date.now()}`;
      // As the options page sends (src/web/ui/import_driver.rs): JSON text, and the next
      // batch sent before the previous reply is awaited.
      const inFlight = [];
      let jsonBytes = 0;
      const settle = async () => {
        const reply = await inFlight.shift();
        if (!reply || reply.ok !== true) throw new Error(`import_batch failed: ${JSON.stringify(reply).slice(0, 300)}`);
      };
      // Sends a batch; when DEPTH are in flight, waits for the oldest reply (true then).
      const send = async (part) => {
        const json = JSON.stringify({ type: 'import_batch', import_id: importId, file: 'backup.json', batch: part });
        jsonBytes += json.length;
        inFlight.push(chrome.runtime.sendMessage(json));
        if (inFlight.length <= depth) return false;
        await settle();
        return true;
      };
      const drain = async (each) => {
        while (inFlight.length) {
          await settle();
          each();
        }
      };
      const t0 = performance.now();
      for (let i = 0; i < history.contacts.length; i += batch * 5) {
        await send({ contacts: history.contacts.slice(i, i + batch * 5), messages: [] });
      }
      await drain(() => {});
      const contactsS = (performance.now() - t0) / 1000;
      // A batch's time: from one reply to the next.
      const batchSeconds = [];
      const contactsBytes = jsonBytes;
      let t = performance.now();
      const lap = () => {
        const now = performance.now();
        batchSeconds.push((now - t) / 1000);
        t = now;
      };
      for (let i = 0; i < history.messages.length; i += batch) {
        if (await send({ contacts: [], messages: history.messages.slice(i, i + batch) })) lap();
      }
      await drain(lap);
      return { contactsS, importS: contactsS + batchSeconds.reduce((x, y) => x + y, 0), batchSeconds, jsonBytes: jsonBytes - contactsBytes };
    },
    { url: BACKUP_URL, count: files.length, batch: BATCH, depth: DEPTH },
  );
  await importer.close();
  const stats = await send({ type: 'stats' }).catch(() => ({}));
  const tenth = Math.max(1, Math.floor(batchSeconds.length / 10));
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sortedBatches = [...batchSeconds].sort((a, b) => a - b);
  console.log(JSON.stringify({
    bench: 'worker-import', messages: backup.messages.length, contacts: backup.contacts.length, seconds: importS, stored: stats,
    contacts_seconds: contactsS, batches: batchSeconds.length, batch_messages: BATCH, batch_json_mb: jsonBytes / batchSeconds.length / 1048576,
    batch_p50_s: percentile(sortedBatches, 0.5), batch_p95_s: percentile(sortedBatches, 0.95),
    first_tenth_batch_s: mean(batchSeconds.slice(0, tenth)), last_tenth_batch_s: mean(batchSeconds.slice(-tenth)),
  }));

  // The draft goes to the heaviest correspondent on LinkedIn: the largest slice to load.
  const counts = new Map();
  for (const m of backup.messages) {
    if (m.channel !== 'linkedin') continue;
    const other = m.direction === 'sent' ? m.to[0] : m.from;
    if (other && other.identity) counts.set(JSON.stringify(other), (counts.get(JSON.stringify(other)) || 0) + 1);
  }
  const [heaviest] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  const party = JSON.parse(heaviest);
  const draft = {
    text: `Hi ${party.name.split(' ')[0]},\n\nI came across your profile and wanted to introduce our platform: we help teams like yours cut churn. Would you be open to a quick call next week?\n\nBest,\nDana Whitfield`,
    quoted: null, subject: null, channel: 'linkedin',
    recipients: [{ name: party.name, identity: party.identity }],
    operator: null, time: Date.now(), conversation: null,
  };

  phase = 'wake';
  rapport.serve((url) => new URL(url).pathname === '/rapport-fixture/site-sim.js', { file: join(FIXTURES, 'site-sim.js') });
  rapport.serve(URL_THREAD, { file: join(FIXTURES, 'linkedin', 'thread.html') });
  const page = await rapport.openSite(URL_THREAD);
  // `elapsed` is what a compose box waits: sendMessage to verdict, timed in the content
  // script. `driver` adds the test driver's own round trip (CDP evaluate, postMessage),
  // which no user pays; it is reported beside it.
  const analyze = async (draft) => {
    const t = performance.now();
    const { reply, elapsedMs } = await rapport.timedFromContent(page, { type: 'analyze', site: 'linkedin', draft });
    const driver = performance.now() - t;
    if (!reply || reply.ok !== true) throw new Error(`analyze failed: ${JSON.stringify(reply).slice(0, 300)}`);
    return { elapsed: elapsedMs, driver, reply };
  };
  const first = await analyze(draft);
  // A wake whose stop failed even after retries is left out (and counted); more than a
  // few such failures end the phase.
  let stopFailures = 0;
  const stopped = async () => {
    try {
      await stopWorker(rapport);
      return true;
    } catch (error) {
      if (++stopFailures > 3) throw error;
      console.error(`${error.message.slice(0, 200)}; sample left out`);
      return false;
    }
  };
  const wakes = [];
  for (let i = 0; i < WAKES; i++) {
    if (await stopped()) wakes.push((await analyze(draft)).elapsed);
  }
  // Where a wake's time goes: the same wake answering a settings read (worker start, wasm
  // instantiation, chrome.storage), and an analysis for someone with no history (plus the
  // store, the band-key queries, the phrase lexicon and the rules, with an empty slice).
  const parts = { settings: [], stranger: [] };
  const stranger = { ...draft, recipients: [{ name: 'Morgan Nobody', identity: { kind: 'linkedin', value: 'morgan-nobody-bench' } }] };
  for (let i = 0; i < Math.ceil(WAKES / 2); i++) {
    if (await stopped()) {
      const t = performance.now();
      await rapport.sendFromPage({ type: 'get_settings' });
      parts.settings.push(performance.now() - t);
    }
    if (await stopped()) parts.stranger.push((await analyze(stranger)).elapsed);
  }
  parts.settings.sort((a, b) => a - b);
  parts.stranger.sort((a, b) => a - b);
  phase = 'warm';
  const warm = [];
  const warmDriver = [];
  for (let i = 0; i < 100; i++) {
    const { elapsed, driver } = await analyze(draft);
    warm.push(elapsed);
    warmDriver.push(driver);
  }
  phase = 'memory';

  let heap = {};
  try {
    heap = await workerHeap(page);
  } catch (e) {
    console.error(`heap usage unavailable: ${e.message}`);
  }
  wakes.sort((a, b) => a - b);
  warm.sort((a, b) => a - b);
  warmDriver.sort((a, b) => a - b);
  console.log(JSON.stringify({
    bench: 'worker-wake',
    stored_messages: backup.messages.length,
    recipient_messages: counts.get(heaviest),
    samples: wakes.length,
    stop_failures: stopFailures,
    p50_ms: percentile(wakes, 0.5),
    p95_ms: percentile(wakes, 0.95),
    warm_p50_ms: percentile(warm, 0.5),
    warm_p95_ms: percentile(warm, 0.95),
    warm_driver_p50_ms: percentile(warmDriver, 0.5),
    warm_driver_p95_ms: percentile(warmDriver, 0.95),
    wake_settings_only_p50_ms: percentile(parts.settings, 0.5),
    wake_stranger_p50_ms: percentile(parts.stranger, 0.5),
    warnings: (first.reply.verdict.warnings || []).map((w) => w.rule),
    sw_js_heap_mb: heap.usedSize !== undefined ? heap.usedSize / 1048576 : undefined,
    sw_backing_mb: heap.backingStorageSize !== undefined ? heap.backingStorageSize / 1048576 : undefined,
  }));
} catch (error) {
  failed = true;
  console.log(JSON.stringify({ bench: 'worker-failure', phase, error: String(error?.message || error).slice(0, 400) }));
  console.error(error);
} finally {
  await rapport.close();
}
if (failed) process.exit(1);
