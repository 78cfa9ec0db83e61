#!/usr/bin/env node
// Measures what Rapport's content script costs per keystroke: the busy time of its
// `input` listener (the guarded handler registered on the document), called in the
// content script's own isolated world on the LinkedIn thread fixture. It also reports
// the debounced work that runs once typing pauses (reading the draft, building the
// request), which is off the keystroke path.
//
//   node tools/bench-input.mjs            (needs dist/ built: ./build.sh)
//
// Prints one JSON line per figure for BENCHMARKS.md.
import { launch } from '../tests/e2e/harness.mjs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'sites');
const URL_THREAD = 'https://www.linkedin.com/messaging/thread/2-YmVuY2g/';
const CALLS = 200000;

const rapport = await launch({ dist: process.env.RAPPORT_DIST || undefined, probe: false });
try {
  rapport.serve((url) => new URL(url).pathname === '/rapport-fixture/site-sim.js', { file: join(FIXTURES, 'site-sim.js') });
  rapport.serve(URL_THREAD, { file: join(FIXTURES, 'linkedin', 'thread.html') });
  const page = await rapport.context.newPage();
  const cdp = await rapport.context.newCDPSession(page);
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
  await cdp.send('Runtime.enable');
  await page.goto(URL_THREAD, { waitUntil: 'load' });
  await page.locator('.msg-form__contenteditable').click();
  await page.keyboard.type('Hi Brian, a realistic draft of a few words before we measure.');
  await page.waitForTimeout(800);
  const isolated = contexts.filter((c) => c.auxData && c.auxData.type === 'isolated' && /^rapport$/i.test(c.name)).pop();
  if (!isolated) throw new Error(`no Rapport isolated world among ${contexts.map((c) => c.name).join(', ')}`);
  const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
    contextId: isolated.id,
    returnByValue: true,
    awaitPromise: true,
    expression: `(() => {
      const controller = RapportContent.controller;
      const [, , onInput] = controller.listeners.find(([, type]) => type === 'input');
      const editor = document.querySelector('.msg-form__contenteditable');
      const event = { isTrusted: true, target: editor, composedPath: () => [editor] };
      for (let i = 0; i < 2000; i++) onInput(event); // warm up
      const t0 = performance.now();
      for (let i = 0; i < ${CALLS}; i++) onInput(event);
      const perKeystrokeUs = ((performance.now() - t0) / ${CALLS}) * 1000;
      const session = controller.sessions.get(editor);
      const r0 = performance.now();
      const rounds = 200;
      for (let i = 0; i < rounds; i++) session.read();
      const readUs = ((performance.now() - r0) / rounds) * 1000;
      // The first keystroke after a pause also arms the debounce timer.
      // (Timed in aggregate: performance.now() is too coarse for one call; the figure
      // includes the clearTimeout that makes each call take the arming path.)
      const a0 = performance.now();
      for (let i = 0; i < 20000; i++) {
        clearTimeout(session.timer);
        session.timer = null;
        onInput(event);
      }
      const armUs = ((performance.now() - a0) / 20000) * 1000;
      clearTimeout(session.timer);
      session.timer = null;
      // Typing also mutates the editor's DOM: the observer's callback for that case.
      const records = [{ target: editor.firstChild || editor, addedNodes: [editor.firstChild], removedNodes: [] }];
      const m0 = performance.now();
      for (let i = 0; i < ${CALLS}; i++) controller.onMutations(records);
      const observerUs = ((performance.now() - m0) / ${CALLS}) * 1000;
      const draftChars = session.read().draft.text.length;
      // A 10 MB paste: what one debounced read costs (capped at the engine's limit).
      const saved = Array.from(editor.childNodes);
      const paragraph = document.createElement('p');
      paragraph.textContent = 'lorem ipsum dolor sit amet '.repeat(400000).slice(0, 10 * 1024 * 1024);
      editor.replaceChildren(paragraph);
      const p0 = performance.now();
      const pasted = session.read();
      const pasteReadMs = performance.now() - p0;
      editor.replaceChildren(...saved);
      return { perKeystrokeUs, armUs, observerUs, readUs, draftChars, pasteReadMs, pastedChars: pasted.draft.text.length };
    })()`,
  });
  if (exceptionDetails) throw new Error(JSON.stringify(exceptionDetails));
  const figures = result.value;
  console.log(JSON.stringify({ name: 'content input handler per keystroke', value_us: Number(figures.perKeystrokeUs.toFixed(3)), calls: CALLS, page: 'linkedin/thread.html' }));
  console.log(JSON.stringify({ name: 'content input handler, first keystroke after a pause (arms the timer)', value_us: Number(figures.armUs.toFixed(3)) }));
  console.log(JSON.stringify({ name: 'content mutation observer callback, a keystroke inside the editor', value_us: Number(figures.observerUs.toFixed(3)) }));
  console.log(JSON.stringify({ name: 'content draft read of a 10 MB paste (debounced, capped)', value_ms: Number(figures.pasteReadMs.toFixed(2)), chars_read: figures.pastedChars }));
  console.log(JSON.stringify({ name: 'content draft read after typing pauses (debounced)', value_us: Number(figures.readUs.toFixed(1)), draft_chars: figures.draftChars }));
} finally {
  await rapport.close();
}
