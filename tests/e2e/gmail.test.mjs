// Gmail compose boxes: popup compose, two composes at once, To/Cc/Bcc chips, inline
// reply with quoted history kept apart, another extension's editable inside the
// compose, French labels, and the send gate on Ctrl+Enter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchWithFixtures, open, typeInto, clearEditor, waitForOverlay, overlayFrames, overlayState,
  hasRule, sentOnPage, activeDraft,
} from './compose.mjs';
import { seedHistory } from './history.mjs';

let rapport;
before(async () => {
  rapport = await launchWithFixtures();
});
after(async () => {
  await rapport?.close();
});

const FIRST_BODY = '.M9 >> nth=0 >> [g_editable="true"]';
const SECOND_BODY = '.M9 >> nth=1 >> [g_editable="true"]';

test('two popup composes: each has its own overlay; chips give every recipient', async () => {
  const page = await open(rapport, 'gmailPopup');
  await page.waitForFunction(() => document.querySelectorAll('rapport-overlay').length === 2);
  assert.equal(overlayFrames(page).length, 2, 'one overlay per compose, none for the foreign editable');
  await seedHistory(rapport);

  await typeInto(page, FIRST_BODY, [
    'Hi Brian,',
    '',
    "I'm reaching out to introduce our consulting services. We help companies like yours cut costs by 30%.",
    'Would you have 15 minutes next week for a quick call to discuss pricing?',
  ].join('\n'));
  await waitForOverlay(page, hasRule('known-contact-pitch'), { index: 0 });
  assert.equal((await overlayState(page, 1)).state, 'idle');

  const reply = await activeDraft(rapport, page);
  assert.equal(reply.ok, true);
  assert.equal(reply.site, 'gmail');
  assert.equal(reply.draft.subject, 'Partnership opportunity');
  assert.deepEqual(reply.draft.recipients.map((r) => r.identity && r.identity.value), [
    'brian@okafor.consulting', 'ops@okafor.consulting', 'archive@whitfield.example',
  ]);

  await typeInto(page, SECOND_BODY, 'Hi {first_name}, following up.');
  await waitForOverlay(page, hasRule('merge-field'), { index: 1 });
  await page.close();
});

test("another extension's editable in the compose is not the draft", async () => {
  const page = await open(rapport, 'gmailPopup');
  await page.waitForFunction(() => document.querySelectorAll('rapport-overlay').length === 2);
  await typeInto(page, '.M9 >> nth=0 >> .ext-notes', 'Hi {first_name} remember to follow up');
  await page.waitForTimeout(1000);
  assert.equal((await overlayState(page, 0)).state, 'idle');
  assert.equal(overlayFrames(page).length, 2);
  await page.close();
});

test('inline reply: the quoted history is kept apart from the new text', async () => {
  const page = await open(rapport, 'gmailReply');
  await typeInto(page, '[g_editable="true"]', 'Hi {first_name}, thanks for these.', { atStart: true });
  await waitForOverlay(page, hasRule('merge-field'));
  const reply = await activeDraft(rapport, page);
  assert.equal(reply.draft.text, 'Hi {first_name}, thanks for these.');
  assert.match(reply.draft.quoted, /Attached are the numbers for Q3/);
  assert.equal(reply.draft.subject, 'Re: Quarterly review');
  assert.equal(reply.draft.channel, 'email');
  await page.close();
});

test('Ctrl+Enter with a stop warning asks first; Send anyway sends once; then repeat-message', async () => {
  const page = await open(rapport, 'gmailPopup');
  await page.waitForFunction(() => document.querySelectorAll('rapport-overlay').length === 2);
  const text = "Hi {first_name}, the deck from Tuesday's workshop is attached, with the pricing appendix and the rollout timeline we discussed.";
  await typeInto(page, SECOND_BODY, text);
  await waitForOverlay(page, hasRule('merge-field'), { index: 1 });
  await page.keyboard.press('Control+Enter');
  await page.waitForTimeout(300);
  assert.deepEqual(await sentOnPage(page), []);
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.__sent.length > 0);
  await page.waitForTimeout(300);
  assert.deepEqual(await sentOnPage(page), [text]);

  await typeInto(page, SECOND_BODY, text);
  await waitForOverlay(page, hasRule('repeat-message'), { index: 1 });
  await page.close();
});

test('French Gmail: localized labels do not matter', async () => {
  const page = await open(rapport, 'gmailFrench');
  await page.waitForFunction(() => document.querySelectorAll('rapport-overlay').length === 2);
  await typeInto(page, SECOND_BODY, 'Bonjour {first_name}, merci pour votre temps.');
  await waitForOverlay(page, hasRule('merge-field'), { index: 1 });
  await clearEditor(page, SECOND_BODY);
  await waitForOverlay(page, (s) => s.state === 'idle', { index: 1 });
  assert.deepEqual(rapport.outsideRequests(), []);
  await page.close();
});
