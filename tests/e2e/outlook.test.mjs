// Outlook on the web: compose in the reading pane (reply with quoted history) and
// popped out; To/Cc/Bcc chips with and without addresses; German labels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchWithFixtures, open, typeInto, waitForOverlay, hasRule, sentOnPage, activeDraft,
} from './compose.mjs';

let rapport;
before(async () => {
  rapport = await launchWithFixtures();
});
after(async () => {
  await rapport?.close();
});

const BODY = '[contenteditable="true"][aria-multiline="true"]';

test('reading pane reply: verdict, quoted history apart, send then repeat-message', async () => {
  const page = await open(rapport, 'outlookReadingPane');
  await typeInto(page, BODY, 'Hi {first_name}, thanks!', { atStart: true });
  await waitForOverlay(page, hasRule('merge-field'));
  const reply = await activeDraft(rapport, page);
  assert.equal(reply.site, 'outlook');
  assert.equal(reply.draft.text, 'Hi {first_name}, thanks!');
  assert.match(reply.draft.quoted, /the Q3 numbers are attached/);
  assert.equal(reply.draft.conversation, 'AAQkAGI2TG93AAA=');
  assert.deepEqual(reply.draft.recipients, [{ name: 'Brian Okafor', identity: { kind: 'email', value: 'brian@okafor.consulting' } }]);

  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  const text = 'Hi Brian, the board liked the returns pilot. Thursday works for the debrief.';
  await page.keyboard.type(text);
  await waitForOverlay(page, (s) => !s.warnings.some((w) => w.severity === 'stop'));
  await page.waitForTimeout(500);
  await page.click('button[name="Send"]');
  await page.waitForFunction(() => window.__sent.length === 1);
  await typeInto(page, BODY, text);
  await waitForOverlay(page, hasRule('repeat-message'));
  await page.close();
});

test('popped-out compose: chips with an address, with "Name <address>", and name only', async () => {
  const page = await open(rapport, 'outlookPopout');
  await typeInto(page, BODY, 'Hi John, quick intro.');
  await waitForOverlay(page, hasRule('greeting-mismatch'));
  const reply = await activeDraft(rapport, page);
  assert.equal(reply.draft.subject, 'Intro');
  assert.deepEqual(reply.draft.recipients, [
    { name: 'Priya Raman', identity: { kind: 'email', value: 'priya@raman.example' } },
    { name: 'Sam Lee', identity: { kind: 'email', value: 'sam@lee.example' } },
    { name: 'Marco Bianchi', identity: null },
  ]);
  await page.close();
});

test('German Outlook: found by roles and icons, Send still works', async () => {
  const page = await open(rapport, 'outlookGerman');
  await typeInto(page, BODY, 'Hallo {first_name}, kurze Frage.');
  await waitForOverlay(page, hasRule('merge-field'));
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type('Hallo Priya, danke für das Gespräch.');
  await waitForOverlay(page, (s) => !hasRule('merge-field')(s));
  await page.waitForTimeout(400);
  await page.click('button[aria-label="Senden"]');
  await page.waitForFunction(() => window.__sent.length === 1);
  assert.deepEqual(await sentOnPage(page), ['Hallo Priya, danke für das Gespräch.']);
  assert.deepEqual(rapport.outsideRequests(), []);
  await page.close();
});
