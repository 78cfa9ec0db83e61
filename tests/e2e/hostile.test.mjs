// A hostile page (issue 10): its script tries to read the overlay, spoof Rapport's
// messages, forge a send, and flood the compose box with input events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchWithFixtures, open, typeInto, clearEditor, waitForOverlay, overlayState, hasRule,
} from './compose.mjs';

let rapport;
before(async () => {
  rapport = await launchWithFixtures();
});
after(async () => {
  await rapport?.close();
});

const EDITOR = '.msg-form__contenteditable';

test('page scripts cannot read the overlay, and spoofed messages change nothing', async () => {
  const page = await open(rapport, 'linkedinHostile');
  await typeInto(page, EDITOR, 'Hi {first_name}, one more thing.');
  const before = await waitForOverlay(page, hasRule('merge-field'));

  const seen = await page.evaluate(() => window.__hostileProbe());
  assert.equal(seen.hosts, 1);
  assert.deepEqual(seen.shadowRoots, ['closed']);
  assert.deepEqual(seen.hostText, ['']);
  assert.equal(seen.iframesInDom, 0, 'the frame is not in the light DOM');
  // A frame inside a shadow root is not in window.frames: the page can't even get a
  // WindowProxy to post to, let alone read (a cross-origin read would throw anyway).
  assert.deepEqual(seen.frameReads, []);

  await page.evaluate(() => window.__hostileSpoof());
  await page.waitForTimeout(700);
  const after = await overlayState(page);
  assert.equal(after.state, 'warnings');
  assert.deepEqual(after.warnings.map((w) => w.rule), before.warnings.map((w) => w.rule));
  await page.close();
});

test('a forged send is not recorded as the user\'s; a real one is', async () => {
  const page = await open(rapport, 'linkedinHostile');
  await waitForOverlay(page, (s) => s.state === 'idle');
  await page.evaluate(() => window.__hostileForgeSend());
  await page.waitForFunction(() => window.__sent.length === 1); // the page "sent" it

  const real = 'Hi Hana, thank you for the warm welcome at the summit last week.';
  await typeInto(page, EDITOR, real);
  await page.waitForTimeout(800);
  await page.click('.msg-form__send-button');
  await page.waitForFunction(() => window.__sent.length === 2);

  // Retyping the real message is a repeat; retyping the forged one is not.
  await typeInto(page, EDITOR, real);
  await waitForOverlay(page, hasRule('repeat-message'));
  await clearEditor(page, EDITOR);
  await waitForOverlay(page, (s) => s.state === 'idle');
  await typeInto(page, EDITOR, 'FORGED message the user never wrote');
  await page.waitForTimeout(1200);
  assert.ok(!hasRule('repeat-message')(await overlayState(page)));
  await page.close();
});

test('a flood of synthetic input events triggers no analysis', async () => {
  const page = await open(rapport, 'linkedinHostile');
  await waitForOverlay(page, (s) => s.state === 'idle');
  await page.evaluate(() => {
    const editor = document.querySelector('.msg-form__contenteditable');
    const p = document.createElement('p');
    p.textContent = 'Hi {first_name} flood';
    editor.replaceChildren(p);
  });
  const floodMs = await page.evaluate(() => window.__hostileFlood(20000));
  await page.waitForTimeout(1000);
  assert.equal((await overlayState(page)).state, 'idle', 'untrusted input must not drive analysis');
  assert.ok(Number.isFinite(floodMs));
  assert.deepEqual(rapport.outsideRequests(), []);
  await page.close();
});

test('extension reloaded under an open tab: the old overlay leaves quietly and Send works', async () => {
  const page = await open(rapport, 'linkedinHostile');
  const errors = [];
  page.on('console', (msg) => {
    if (/context invalidated/i.test(msg.text())) errors.push(msg.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await typeInto(page, EDITOR, 'Hi {first_name}, before the update.');
  await waitForOverlay(page, hasRule('merge-field'));

  const worker = await rapport.serviceWorker();
  await worker.evaluate(() => chrome.runtime.reload()).catch(() => {});
  await page.waitForTimeout(1500);
  await clearEditor(page, EDITOR);
  await page.keyboard.type('Hi Hana, after the update.');
  await page.waitForFunction(() => document.querySelectorAll('rapport-overlay').length === 0, null, { timeout: 5000 });
  await page.click('.msg-form__send-button');
  await page.waitForFunction(() => window.__sent.includes('Hi Hana, after the update.'));
  assert.deepEqual(errors, []);
  await page.close();
});
