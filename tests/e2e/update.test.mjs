// An extension update under an open tab (issue 10), simulated by chrome.runtime.reload()
// from an extension page. tests/e2e/hostile.test.mjs checks the old overlay leaves and
// Send still works; here: no uncaught exception in ANY world of the page (the content
// scripts' isolated worlds included, through CDP) while the user keeps typing and sends.
// After chrome.runtime.reload() headless Chromium leaves an extension loaded with
// --load-extension unloaded (its pages answer ERR_BLOCKED_BY_CLIENT), so the second
// test updates it for real instead (harness rapport.update()): the loaded folder's
// manifest gets a new version and the browser loads the folder again through CDP's
// Extensions.loadUnpacked (a browser-level command, allowed on Playwright's pipe
// connection with --enable-unsafe-extension-debugging), which replaces the running
// extension under the same id, as an update does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchWithFixtures, open, typeInto, clearEditor, waitForOverlay, hasRule } from './compose.mjs';
import { seedHistory } from './history.mjs';

const EDITOR = '.msg-form__contenteditable';
let rapport;
before(async () => {
  rapport = await launchWithFixtures();
  await seedHistory(rapport);
});
after(async () => {
  await rapport?.close();
});

test('reload under an open tab: no uncaught error in any world while typing and sending', async () => {
  const page = await open(rapport, 'linkedinThread');
  const cdp = await rapport.context.newCDPSession(page);
  const exceptions = [];
  cdp.on('Runtime.exceptionThrown', (e) => exceptions.push(e.exceptionDetails.exception?.description || e.exceptionDetails.text));
  await cdp.send('Runtime.enable');
  const consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));

  await typeInto(page, EDITOR, 'Hi {first_name}, typing while the extension updates.');
  await waitForOverlay(page, hasRule('merge-field'));
  const probe = await rapport.openExtensionPage('e2e-probe.html');
  await probe.evaluate(() => chrome.runtime.reload()).catch(() => {});
  await page.waitForTimeout(1500);
  // Keep typing into the old tab: the old content script must not throw.
  await page.locator(EDITOR).click();
  await page.keyboard.type(' More text after the update, then Send.');
  await page.waitForTimeout(1500);
  await page.click('.msg-form__send-button');
  await page.waitForFunction(() => window.__sent.some((t) => t.includes('More text after the update')));
  assert.equal(await page.evaluate(() => document.querySelectorAll('rapport-overlay').length), 0, 'the old overlay left');
  assert.deepEqual(exceptions, [], 'uncaught exceptions in the page (any world)');
  assert.deepEqual(consoleErrors.filter((t) => /context invalidated|Rapport/i.test(t)), []);
  await cdp.detach();
  await page.close();
});

/** Every uncaught exception in any world of `page` (content scripts' included). */
async function watchExceptions(rapport, page) {
  const cdp = await rapport.context.newCDPSession(page);
  const exceptions = [];
  cdp.on('Runtime.exceptionThrown', (e) => exceptions.push(e.exceptionDetails.exception?.description || e.exceptionDetails.text));
  await cdp.send('Runtime.enable');
  page.on('console', (m) => m.type() === 'error' && /context invalidated|Rapport/i.test(m.text()) && exceptions.push(m.text()));
  return exceptions;
}

const THANKS = 'Hi Brian, thank you for the long call yesterday about the Lisbon office move.';
const overlays = (page) => page.evaluate(() => document.querySelectorAll('rapport-overlay').length);

test('a real update under an open tab: the old script leaves, the new version runs once per page', async () => {
  const updating = await launchWithFixtures({ updatable: true });
  try {
    await seedHistory(updating);
    const page = await open(updating, 'linkedinThread');
    const exceptions = await watchExceptions(updating, page);
    await typeInto(page, EDITOR, 'Hi {first_name}, typing while the extension updates.');
    await waitForOverlay(page, hasRule('merge-field'));
    assert.equal(await overlays(page), 1);

    // The update: a new version in the same folder, loaded again by the browser.
    let most = 0;
    const counting = setInterval(() => overlays(page).then((n) => { most = Math.max(most, n); }, () => {}), 50);
    const newVersion = await updating.update();
    // The old verdict had a stop-level warning and the send gate is on: a Send right
    // after the update goes out (fail open), whatever the old script still shows.
    await page.click('.msg-form__send-button');
    await page.waitForFunction(() => window.__sent.some((t) => t.includes('typing while the extension updates')), null, { timeout: 5000 });
    const probe = await updating.openExtensionPage('e2e-probe.html');
    const versionNow = await probe.evaluate(() => chrome.runtime.getManifest().version);
    await probe.close();
    assert.equal(versionNow, newVersion, 'the new version is the one running');

    // The open tab: the old content script has left (at that Send, if it had not
    // noticed before); nothing injects the new one into a page already loaded, so at
    // no point are there two badges. Typing and Send work as without Rapport.
    await page.waitForFunction(() => document.querySelectorAll('rapport-overlay').length === 0, null, { timeout: 5000 });
    await page.locator(EDITOR).click();
    await page.keyboard.type(' More text after the update.');
    await page.waitForFunction(() => document.querySelectorAll('rapport-overlay').length === 0, null, { timeout: 5000 });
    await page.click('.msg-form__send-button');
    await page.waitForFunction(() => window.__sent.some((t) => t.includes('More text after the update')));
    clearInterval(counting);
    assert.ok(most <= 1, `two overlays at once in the open tab (${most})`);

    // The same tab reloaded: the new version, once, with the history the update kept.
    await page.reload({ waitUntil: 'load' });
    await waitForOverlay(page, (s) => s.state === 'idle');
    assert.equal(await overlays(page), 1);
    await typeInto(page, EDITOR, [
      'Hi Brian,',
      '',
      "I'm reaching out to introduce our consulting services. We help companies like yours cut costs by 30%.",
      'Would you have 15 minutes next week for a quick call to discuss pricing?',
    ].join('\n'));
    await waitForOverlay(page, hasRule('known-contact-pitch'));
    assert.equal(await overlays(page), 1);
    await clearEditor(page, EDITOR);
    await typeInto(page, EDITOR, THANKS);
    await page.waitForTimeout(800);
    const beforeSend = await waitForOverlay(page, (s) => !hasRule('known-contact-pitch')(s));
    assert.ok(!hasRule('repeat-message')(beforeSend), 'not a repeat before it is sent');
    await page.click('.msg-form__send-button');
    await page.waitForFunction((text) => window.__sent.includes(text), THANKS);

    // A new tab: the new version, once; the send above was recorded by it.
    const next = await open(updating, 'linkedinThread');
    const nextExceptions = await watchExceptions(updating, next);
    await waitForOverlay(next, (s) => s.state === 'idle');
    assert.equal(await overlays(next), 1);
    await typeInto(next, EDITOR, THANKS);
    await waitForOverlay(next, hasRule('repeat-message'));
    await clearEditor(next, EDITOR);
    await typeInto(next, EDITOR, 'Hi {first_name}, after the update.');
    await waitForOverlay(next, (s) => hasRule('merge-field')(s) && !hasRule('repeat-message')(s));
    assert.equal(await overlays(next), 1);

    assert.deepEqual(exceptions, [], 'uncaught exceptions in the updated tab (any world)');
    assert.deepEqual(nextExceptions, [], 'uncaught exceptions in the new tab (any world)');
    assert.deepEqual(updating.outsideRequests(), []);
    assert.deepEqual(updating.workerErrors, [], 'errors in the old or the new service worker');
  } finally {
    await updating.close();
  }
});
