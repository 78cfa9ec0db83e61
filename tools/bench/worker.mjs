#!/usr/bin/env node
// The background service worker with a large history stored (built extension, dist/).
//
//   node tools/bench/worker.mjs bench/data/100k      (prints JSON lines)
//
// 1. Imports DIR/backup.json through the background as the options page does: one
//    `import_batch` request per batch (contacts first, then messages in batches of
//    1,000), each written by the background in one IndexedDB transaction.
// 2. Wake: stops the worker (CDP ServiceWorker.stopAllWorkers, the harness's helper),
//    then times an `analyze` request from a content script on a LinkedIn page until its
//    verdict arrives: worker start, wasm instantiation, opening IndexedDB, loading the
//    draft's slice, the analysis and the reply. Repeated; p50 and p95.
// 3. Warm verdicts (the worker running): same request, p50 and p95.
// 4. Memory after a verdict: the worker's JS heap and its array buffers (the wasm linear
//    memory lives there), from CDP Runtime.getHeapUsage on the worker target.
import { launch } from '../../tests/e2e/harness.mjs';
import { readFile } from 'node:fs/promises';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'sites');
const URL_THREAD = 'https://www.linkedin.com/messaging/thread/2-d2FrZQ/';
const WAKES = Number(process.env.RAPPORT_BENCH_WAKES || 20);
const BATCH = 1000;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];
}

const dir = resolve(process.argv[2] || join(ROOT, 'bench', 'data', '100k'));
const backup = JSON.parse(await readFile(join(dir, 'backup.json'), 'utf8'));
const rapport = await launch({ probe: true });
try {
  const send = async (request) => {
    const reply = await rapport.sendFromPage(request);
    if (!reply || reply.ok !== true) throw new Error(`${request.type} failed: ${JSON.stringify(reply).slice(0, 300)}`);
    return reply;
  };
  await send({ type: 'set_settings', settings: backup.settings }).catch((e) => console.error(e.message));
  const t0 = performance.now();
  const importId = `bench-${Date.now()}`;
  for (let i = 0; i < backup.contacts.length; i += BATCH * 5) {
    await send({ type: 'import_batch', import_id: importId, file: 'backup.json', batch: { contacts: backup.contacts.slice(i, i + BATCH * 5), messages: [] } });
  }
  for (let i = 0; i < backup.messages.length; i += BATCH) {
    await send({ type: 'import_batch', import_id: importId, file: 'backup.json', batch: { contacts: [], messages: backup.messages.slice(i, i + BATCH) } });
  }
  const importS = (performance.now() - t0) / 1000;
  const stats = await send({ type: 'stats' }).catch(() => ({}));
  console.log(JSON.stringify({ bench: 'worker-import', messages: backup.messages.length, contacts: backup.contacts.length, seconds: importS, stored: stats }));

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

  rapport.serve((url) => new URL(url).pathname === '/rapport-fixture/site-sim.js', { file: join(FIXTURES, 'site-sim.js') });
  rapport.serve(URL_THREAD, { file: join(FIXTURES, 'linkedin', 'thread.html') });
  const page = await rapport.openSite(URL_THREAD);
  const analyze = async () => {
    const t = performance.now();
    const reply = await rapport.sendFromContent(page, { type: 'analyze', site: 'linkedin', draft });
    const elapsed = performance.now() - t;
    if (!reply || reply.ok !== true) throw new Error(`analyze failed: ${JSON.stringify(reply).slice(0, 300)}`);
    return { elapsed, reply };
  };
  const first = await analyze();
  const wakes = [];
  for (let i = 0; i < WAKES; i++) {
    await rapport.stopServiceWorker();
    wakes.push((await analyze()).elapsed);
  }
  const warm = [];
  for (let i = 0; i < 100; i++) warm.push((await analyze()).elapsed);

  let heap = {};
  try {
    const worker = await rapport.serviceWorker();
    const cdp = await rapport.context.newCDPSession(worker);
    heap = await cdp.send('Runtime.getHeapUsage');
  } catch (e) {
    console.error(`heap usage unavailable: ${e.message}`);
  }
  wakes.sort((a, b) => a - b);
  warm.sort((a, b) => a - b);
  console.log(JSON.stringify({
    bench: 'worker-wake',
    stored_messages: backup.messages.length,
    recipient_messages: counts.get(heaviest),
    samples: wakes.length,
    p50_ms: percentile(wakes, 0.5),
    p95_ms: percentile(wakes, 0.95),
    warm_p50_ms: percentile(warm, 0.5),
    warm_p95_ms: percentile(warm, 0.95),
    warnings: (first.reply.verdict.warnings || []).map((w) => w.rule),
    sw_js_heap_mb: heap.usedSize !== undefined ? heap.usedSize / 1048576 : undefined,
    sw_backing_mb: heap.backingStorageSize !== undefined ? heap.backingStorageSize / 1048576 : undefined,
  }));
} finally {
  await rapport.close();
}
