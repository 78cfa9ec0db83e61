// The overlay itself: highlights without touching the draft, focus never taken while
// typing, keyboard (Tab into the panel, Escape out), dark theme, strings through
// chrome.i18n, page-derived text rendered as text, and the per-warning actions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchWithFixtures, open, typeInto, waitForOverlay, overlayFrames, hasRule, openPanel, panelVisible, clickInPanel,
} from './compose.mjs';
import { seedHistory } from './history.mjs';

let rapport;
before(async () => {
  rapport = await launchWithFixtures();
});
after(async () => {
  await rapport?.close();
});

const EDITOR = '.msg-form__contenteditable';

test('spans are highlighted with the Custom Highlight API; the draft DOM and focus are untouched', async () => {
  const page = await open(rapport, 'linkedinThread');
  await typeInto(page, EDITOR, 'Hi {first_name}, hope all is well.');
  const before = await page.locator(EDITOR).evaluate((el) => el.innerHTML);
  await waitForOverlay(page, hasRule('merge-field'));
  await page.waitForTimeout(200);
  const after = await page.evaluate((selector) => ({
    html: document.querySelector(selector).innerHTML,
    focused: document.activeElement === document.querySelector(selector),
    highlighted: CSS.highlights.has('rapport-stop') ? Array.from(CSS.highlights.get('rapport-stop'), (r) => r.toString()) : [],
  }), EDITOR);
  assert.equal(after.html, before, 'Rapport must never modify the editable content');
  assert.equal(after.focused, true, 'a verdict must not move focus');
  assert.ok(after.highlighted.includes('{first_name}'), `highlighted: ${JSON.stringify(after.highlighted)}`);
  await page.close();
});

test('keyboard: the badge opens the list, Tab reaches its buttons, Escape closes it', async () => {
  const page = await open(rapport, 'linkedinThread');
  await typeInto(page, EDITOR, 'Hi {first_name}, hope all is well.');
  await waitForOverlay(page, hasRule('merge-field'));
  assert.equal(await panelVisible(page), false);
  await openPanel(page, EDITOR);
  assert.equal(await panelVisible(page), true);
  await page.keyboard.press('Tab'); // from the badge into the panel
  const frame = overlayFrames(page)[0];
  assert.equal(await frame.evaluate(() => document.hasFocus() && document.activeElement.tagName), 'BUTTON');
  await page.keyboard.press('Escape');
  await page.waitForTimeout(150);
  assert.equal(await panelVisible(page), false);
  await page.close();
});

test('dark theme and localized strings', async () => {
  const page = await open(rapport, 'linkedinThread');
  await page.emulateMedia({ colorScheme: 'dark' });
  await typeInto(page, EDITOR, 'Hi {first_name}, hope all is well.');
  const shown = await waitForOverlay(page, hasRule('merge-field'));
  assert.doesNotMatch(shown.text, /overlay_[a-z]/i, 'a message key leaked instead of its text');
  const frame = overlayFrames(page)[0];
  const dark = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(dark, light);
  assert.equal(light, 'rgb(255, 255, 255)');
  await page.close();
});

test('a recipient named <img src=x onerror=alert(1)> renders as text', async () => {
  const page = await open(rapport, 'linkedinXss');
  await typeInto(page, EDITOR, 'Hi John, good to see you.');
  const shown = await waitForOverlay(page, hasRule('greeting-mismatch'));
  assert.ok(shown.text.includes('<img src=x onerror=alert(1)>'), shown.text);
  assert.equal(shown.images, 0);
  assert.deepEqual(page.rapportDialogs, []);
  await page.close();
});

test("actions: don't warn for this person, then turn the rule off", async (t) => {
  await seedHistory(rapport); // Brian must be a contact to hold an exception
  const { settings } = await rapport.sendFromPage({ type: 'get_settings' });
  t.after(() => rapport.sendFromPage({ type: 'set_settings', settings }));
  const page = await open(rapport, 'linkedinThread');
  await typeInto(page, EDITOR, 'Hi John, good to see you.');
  await waitForOverlay(page, hasRule('greeting-mismatch'));
  const frame = await openPanel(page, EDITOR);
  await clickInPanel(page, frame, 'li[data-rule="greeting-mismatch"] button[data-action="overlay_actionExceptPerson"]');
  await waitForOverlay(page, (s) => !hasRule('greeting-mismatch')(s));

  await page.locator(EDITOR).click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' Quick {first_name} check.');
  await waitForOverlay(page, hasRule('merge-field'));
  await openPanel(page, EDITOR);
  await clickInPanel(page, frame, 'li[data-rule="merge-field"] button[data-action="overlay_actionRuleOff"]');
  await waitForOverlay(page, (s) => !hasRule('merge-field')(s));
  const changed = await rapport.sendFromPage({ type: 'get_settings' });
  assert.equal(changed.settings.rules['merge-field'].enabled, false);
  await page.close();
});

test('Open contact shows the contact view for this tab in a new tab', async () => {
  const page = await open(rapport, 'linkedinThread');
  await typeInto(page, EDITOR, 'Hi {first_name}, hope all is well.');
  await waitForOverlay(page, hasRule('merge-field'));
  const frame = await openPanel(page, EDITOR);
  const opened = rapport.context.waitForEvent('page');
  await clickInPanel(page, frame, 'li[data-rule="merge-field"] button[data-action="overlay_actionOpenContact"]');
  const contactPage = await opened;
  assert.match(contactPage.url(), /^chrome-extension:\/\/[a-p]{32}\/popup\/popup\.html\?tab=\d+$/);
  await contactPage.close();
  await page.close();
});

test('the bundled demo page runs the real adapter and overlay and shows a warning at once', async () => {
  const page = await rapport.openExtensionPage('demo/demo.html');
  const shown = await waitForOverlay(page, (s) => s.state === 'warnings', { timeout: 15000 });
  assert.ok(hasRule('pressure')(shown), JSON.stringify(shown.warnings));
  // The sample history makes the cold pitch to a four-year contact the headline.
  await page.waitForFunction(() => /sample history/i.test(document.getElementById('demo-status').textContent));
  assert.match(await page.locator('#demo-status').textContent(), /^Sample history loaded/);
  await waitForOverlay(page, hasRule('known-contact-pitch'));
  await page.close();
});

test('screen readers: the badge has a name and warnings are announced in a polite live region', async () => {
  const page = await open(rapport, 'linkedinThread');
  await typeInto(page, EDITOR, 'Hi {first_name}, hope all is well.');
  await waitForOverlay(page, hasRule('merge-field'));
  await page.waitForTimeout(200);
  // The accessibility tree reaches into the closed shadow root, as assistive tech does.
  const cdp = await rapport.context.newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  const named = (role) => nodes.filter((n) => n.role && n.role.value === role).map((n) => (n.name && n.name.value) || '');
  const badge = named('button').find((name) => name.startsWith('Rapport:'));
  assert.match(badge, /1 warning\(s\), worst: Stop/);
  const live = nodes.find((n) => n.role && n.role.value === 'status' &&
    (n.properties || []).some((p) => p.name === 'live' && p.value.value === 'polite'));
  assert.ok(live, 'no polite status region');
  const text = nodes.filter((n) => n.role && n.role.value === 'StaticText').map((n) => n.name.value);
  assert.ok(text.some((t) => /1 warning\(s\), worst: Stop/.test(t)), 'the live region did not announce the warning');
  await cdp.detach();
  await page.close();
});
