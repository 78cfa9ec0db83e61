// The first end-to-end test (issue 2): the extension loads, a LinkedIn messaging page
// served at its real URL with a strict CSP (no 'wasm-unsafe-eval') gets the overlay,
// and a verdict computed by the wasm core in the service worker shows in it. Nothing
// leaves the machine and the worker logs no errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchWithFixtures, open, typeInto, waitForOverlay, hasRule } from './compose.mjs';

let rapport;
before(async () => {
  rapport = await launchWithFixtures();
});
after(async () => {
  await rapport?.close();
});

test('a draft on a strict-CSP LinkedIn thread gets a wasm-computed verdict in the overlay', async () => {
  const page = await open(rapport, 'linkedinThread');
  // The page itself may not compile wasm: the verdict can only come from the worker.
  const pageCompiles = await page.evaluate(async () => {
    try {
      await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
      return true;
    } catch {
      return false;
    }
  });
  assert.equal(pageCompiles, false, 'the fixture CSP must forbid wasm in the page');

  await waitForOverlay(page, (s) => s.state === 'idle');
  await typeInto(page, '.msg-form__contenteditable', 'Hi {first_name}, hope the quarter went well.');
  const shown = await waitForOverlay(page, hasRule('merge-field'));
  assert.equal(shown.state, 'warnings');
  const warning = shown.warnings.find((w) => w.rule === 'merge-field');
  assert.equal(warning.severity, 'stop');
  assert.match(warning.text, /\{first_name\}/);

  assert.deepEqual(rapport.workerErrors, [], 'service worker logged errors');
  assert.deepEqual(rapport.outsideRequests(), [], 'a request went beyond the fixture routes');
  await page.close();
});
