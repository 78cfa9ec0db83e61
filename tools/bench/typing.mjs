#!/usr/bin/env node
// Typing cost on the LinkedIn thread fixture with the built extension (dist/) loaded.
//
//   node tools/bench/typing.mjs        (needs ./build.sh; prints JSON lines)
//
// 1. Input handler busy time per keystroke: the content script's own `input` listener
//    (found as tools/bench-input.mjs finds it, in the Rapport isolated world), timed in
//    batches of 2,000 calls (performance.now() is ~100 µs coarse on a page that is not
//    cross-origin isolated), 200 batches: p50/p99 of the per-call batch means.
// 2. Input to overlay updated, debounce excluded: real keystrokes; the session's
//    `analyze` (what the debounce timer calls) is wrapped in the isolated world and
//    timed until the overlay has rendered the verdict: reading the draft, messaging the
//    service worker, the wasm analysis, the reply and the render.
import { launch } from '../../tests/e2e/harness.mjs';
import { seedHistory } from '../../tests/e2e/history.mjs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'sites');
const URL_THREAD = 'https://www.linkedin.com/messaging/thread/2-YmVuY2g/';
const KEYSTROKES = 80;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];
}

const rapport = await launch({ probe: true });
try {
  await seedHistory(rapport).catch((e) => console.error(`history not seeded: ${e.message}`));
  rapport.serve((url) => new URL(url).pathname === '/rapport-fixture/site-sim.js', { file: join(FIXTURES, 'site-sim.js') });
  rapport.serve(URL_THREAD, { file: join(FIXTURES, 'linkedin', 'thread.html') });
  const page = await rapport.context.newPage();
  const cdp = await rapport.context.newCDPSession(page);
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
  await cdp.send('Runtime.enable');
  await page.goto(URL_THREAD, { waitUntil: 'load' });
  const editor = page.locator('.msg-form__contenteditable');
  await editor.click();
  await page.keyboard.type('Hi Brian, I hope the launch went well. ');
  await page.waitForTimeout(1000);
  const isolated = contexts.filter((c) => c.auxData && c.auxData.type === 'isolated' && /^rapport$/i.test(c.name)).pop();
  if (!isolated) throw new Error(`no Rapport isolated world among ${contexts.map((c) => c.name).join(', ')}`);
  const inIsolated = async (expression) => {
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
      contextId: isolated.id, returnByValue: true, awaitPromise: true, expression,
    });
    if (exceptionDetails) throw new Error(JSON.stringify(exceptionDetails));
    return result.value;
  };

  const handler = await inIsolated(`(() => {
    const controller = RapportContent.controller;
    const [, , onInput] = controller.listeners.find(([, type]) => type === 'input');
    const editor = document.querySelector('.msg-form__contenteditable');
    const event = { isTrusted: true, target: editor, composedPath: () => [editor] };
    for (let i = 0; i < 5000; i++) onInput(event);
    const batches = [];
    for (let b = 0; b < 200; b++) {
      const t = performance.now();
      for (let i = 0; i < 2000; i++) onInput(event);
      batches.push(((performance.now() - t) / 2000) * 1000);
    }
    const session = controller.sessions.get(editor);
    clearTimeout(session.timer);
    session.timer = null;
    return batches;
  })()`);
  handler.sort((a, b) => a - b);
  console.log(JSON.stringify({
    bench: 'typing-handler',
    page: 'linkedin/thread.html',
    p50_us: percentile(handler, 0.5),
    p99_us: percentile(handler, 0.99),
    batches: handler.length,
    calls_per_batch: 2000,
  }));

  await inIsolated(`(() => {
    const editor = document.querySelector('.msg-form__contenteditable');
    const session = RapportContent.controller.sessions.get(editor);
    const analyze = session.analyze.bind(session);
    globalThis.__rapportBenchLatency = [];
    session.analyze = async (force) => {
      const t = performance.now();
      await analyze(force);
      // The overlay host renders synchronously; a frame later it is on screen.
      await new Promise((r) => requestAnimationFrame(() => r()));
      globalThis.__rapportBenchLatency.push(performance.now() - t);
    };
    return true;
  })()`);
  const words = ['quick', 'note', 'about', 'the', 'numbers', 'for', 'next', 'week', 'and', 'the', 'plan'];
  for (let i = 0; i < KEYSTROKES; i++) {
    await page.keyboard.type(`${words[i % words.length]} `);
    await page.waitForTimeout(450);
  }
  await page.waitForTimeout(800);
  const latency = (await inIsolated('globalThis.__rapportBenchLatency')).sort((a, b) => a - b);
  const state = await page.evaluate(() => document.querySelector('rapport-overlay') !== null);
  console.log(JSON.stringify({
    bench: 'typing-latency',
    page: 'linkedin/thread.html',
    samples: latency.length,
    p50_ms: percentile(latency, 0.5),
    p95_ms: percentile(latency, 0.95),
    max_ms: latency[latency.length - 1],
    overlay_present: state,
    debounce_ms: 300,
  }));
} finally {
  await rapport.close();
}
