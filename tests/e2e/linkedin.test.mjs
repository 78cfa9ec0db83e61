// LinkedIn compose boxes: the /messaging/ thread, chat bubbles (several open), a new
// message with a recipient pill, the invitation note inside #interop-outlet's open
// shadow root, InMail with a subject, a lazily loaded thread, and a redesigned page
// whose selectors no longer match.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchWithFixtures, open, typeInto, clearEditor, waitForOverlay, overlayFrames, overlayState,
  hasRule, rulesOf, sentOnPage, openPanel, activeDraft, clickInPanel,
} from './compose.mjs';
import { seedHistory, contactSummary } from './history.mjs';

let rapport;
before(async () => {
  rapport = await launchWithFixtures();
});
after(async () => {
  await rapport?.close();
});

const EDITOR = '.msg-form__contenteditable';

test('thread page: rule families show as data-rule, dismiss hides one for this draft', async () => {
  const page = await open(rapport, 'linkedinThread');
  await waitForOverlay(page, (s) => s.state === 'idle');

  await typeInto(page, EDITOR, 'Hi {first_name}, quick one.');
  let shown = await waitForOverlay(page, hasRule('merge-field'));
  assert.equal(shown.warnings.find((w) => w.rule === 'merge-field').severity, 'stop');

  await clearEditor(page, EDITOR);
  await waitForOverlay(page, (s) => s.state === 'idle');
  await typeInto(page, EDITOR, 'Hi John, good to see you at the offsite.');
  shown = await waitForOverlay(page, hasRule('greeting-mismatch'));
  assert.match(shown.warnings.find((w) => w.rule === 'greeting-mismatch').text, /John/);

  // Brian and Dana have four years of email behind them: a cold pitch is wrong.
  await seedHistory(rapport);
  await clearEditor(page, EDITOR);
  await typeInto(page, EDITOR, [
    'Hi Brian,',
    '',
    "I'm reaching out to introduce our consulting services. We help companies like yours cut costs by 30%.",
    'Would you have 15 minutes next week for a quick call to discuss pricing?',
  ].join('\n'));
  shown = await waitForOverlay(page, hasRule('known-contact-pitch'));

  // Dismiss for this draft: the frame's own button, a real click inside the extension page.
  const frame = await openPanel(page, EDITOR);
  await clickInPanel(page, frame, 'li[data-rule="known-contact-pitch"] button[data-action="overlay_actionDismiss"]');
  shown = await waitForOverlay(page, (s) => !hasRule('known-contact-pitch')(s));
  // Typing on keeps it dismissed: the dismissal is for this draft, not this keystroke.
  await page.keyboard.type(' Thanks!');
  await page.waitForTimeout(900);
  assert.ok(!hasRule('known-contact-pitch')(await overlayState(page)));
  await page.close();
});

test('favors and pressure to a stranger: early-favor and pressure', async () => {
  const page = await open(rapport, 'linkedinInmail');
  await page.fill('input[name="subject"]', 'A quick favor');
  await typeInto(page, EDITOR, [
    'Hi Marco,',
    'Could you endorse me for product strategy and introduce me to your CEO?',
    "I'll send you a $50 Amazon gift card if you do it today.",
  ].join('\n'));
  const shown = await waitForOverlay(page, (s) => hasRule('early-favor')(s) && hasRule('pressure')(s));
  assert.ok(shown.warnings.every((w) => ['stop', 'caution', 'info'].includes(w.severity)));
  const reply = await activeDraft(rapport, page);
  assert.equal(reply.draft.subject, 'A quick favor');
  assert.deepEqual(reply.draft.recipients, [{ name: 'Marco Bianchi', identity: { kind: 'linkedin', value: 'marco-bianchi-3' } }]);
  await page.close();
});

test('send, then the same text again: repeat-message', async () => {
  const page = await open(rapport, 'linkedinThread');
  await waitForOverlay(page, (s) => s.state === 'idle');
  const text = 'Hi Brian, are you free for coffee on Thursday to talk about the Lagos warehouse project?';
  await typeInto(page, EDITOR, text);
  await waitForOverlay(page, (s) => s.state !== 'idle' || s.warnings.length === 0);
  await page.waitForTimeout(500);
  await page.click('.msg-form__send-button');
  await page.waitForFunction(() => window.__sent.length === 1);
  assert.equal((await sentOnPage(page))[0], text);

  await typeInto(page, EDITOR, text);
  const shown = await waitForOverlay(page, hasRule('repeat-message'));
  assert.ok(rulesOf(shown).includes('repeat-message'));
  await page.close();
});

test('send gate: a stop warning asks first; Review keeps the draft, Send anyway sends once', async () => {
  const page = await open(rapport, 'linkedinThread');
  await waitForOverlay(page, (s) => s.state === 'idle');
  await typeInto(page, EDITOR, 'Dear {first_name}, following up on my last note.');
  await waitForOverlay(page, (s) => s.warnings.some((w) => w.severity === 'stop'));

  // Ctrl+Enter is held back while the question is open; focus moves to "Review".
  await page.keyboard.press('Control+Enter');
  await page.waitForTimeout(300);
  assert.deepEqual(await sentOnPage(page), []);
  await page.keyboard.press('Escape'); // = Review
  await page.waitForTimeout(200);
  assert.deepEqual(await sentOnPage(page), []);
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('msg-form__contenteditable')), true,
    'Review returns focus to the draft');

  // A click on Send asks again; Shift+Tab from "Review" reaches "Send anyway".
  await page.click('.msg-form__send-button');
  await page.waitForTimeout(300);
  assert.deepEqual(await sentOnPage(page), []);
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.__sent.length > 0);
  await page.waitForTimeout(300);
  assert.deepEqual(await sentOnPage(page), ['Dear {first_name}, following up on my last note.'], 'sent exactly once');
  await page.close();
});

test('the send gate follows the severity set in the options (send_gate)', async () => {
  const { settings } = await rapport.sendFromPage({ type: 'get_settings' });
  try {
    // "caution": a caution-only draft (false urgency to a stranger) now asks first.
    assert.equal((await rapport.sendFromPage({ type: 'set_settings', settings: { ...settings, send_gate: 'caution' } })).ok, true);
    const page = await open(rapport, 'linkedinInmail');
    const urgent = 'Hi Marco, this launch pricing ends Friday, so would you have 15 minutes tomorrow for a quick call?';
    await typeInto(page, EDITOR, urgent);
    const shown = await waitForOverlay(page, hasRule('pressure'));
    assert.ok(shown.warnings.every((w) => w.severity !== 'stop'), JSON.stringify(shown.warnings));
    await page.click('.msg-form__send-button');
    await page.waitForTimeout(400);
    assert.deepEqual(await sentOnPage(page), [], 'a caution warning must ask when send_gate is caution');
    await page.keyboard.press('Escape');

    // null: never ask, even with a stop warning open.
    assert.equal((await rapport.sendFromPage({ type: 'set_settings', settings: { ...settings, send_gate: null } })).ok, true);
    await clearEditor(page, EDITOR);
    await page.keyboard.type('Hi {first_name}, this goes out unasked.');
    await waitForOverlay(page, hasRule('merge-field'));
    await page.click('.msg-form__send-button');
    await page.waitForFunction(() => window.__sent.length === 1);
    assert.deepEqual(await sentOnPage(page), ['Hi {first_name}, this goes out unasked.']);
    await page.close();
  } finally {
    await rapport.sendFromPage({ type: 'set_settings', settings });
  }
});

test('chat bubbles: several at once, each with its own overlay; the new-message pill names the recipient', async () => {
  const page = await open(rapport, 'linkedinBubbles');
  await page.waitForFunction(() => document.querySelectorAll('rapport-overlay').length === 3);
  assert.equal(overlayFrames(page).length, 3);
  await typeInto(page, '#msg-overlay-conversation-bubble-3 .msg-form__contenteditable', 'Hi {first_name}, nice to meet you.');
  await waitForOverlay(page, hasRule('merge-field'), { index: 2 });
  // The other bubbles are untouched.
  assert.equal((await overlayState(page, 0)).state, 'idle');
  assert.equal((await overlayState(page, 1)).state, 'idle');

  await typeInto(page, '#msg-overlay-conversation-bubble-2 .msg-form__contenteditable', 'Hi Paul, thanks for the intro!');
  await waitForOverlay(page, hasRule('greeting-mismatch'), { index: 1 });
  assert.ok(hasRule('merge-field')(await overlayState(page, 2)));
  await page.close();
});

test('invitation note inside the open shadow root of #interop-outlet', async () => {
  const page = await open(rapport, 'linkedinInvitation');
  const note = page.locator('#interop-outlet #custom-message');
  await note.waitFor();
  await note.click();
  await page.keyboard.type('Hi {first_name}, I would love to connect. Could you introduce me to your head of sales?');
  const shown = await waitForOverlay(page, hasRule('merge-field'));
  assert.ok(shown.warnings.length >= 1);
  await page.close();
});

test('lazily loaded thread: the compose box is found when it appears', async () => {
  const page = await open(rapport, 'linkedinLazy');
  await page.locator(EDITOR).waitFor();
  await page.waitForSelector('.msg-s-event-listitem');
  await typeInto(page, EDITOR, 'Hi {first_name}, circling back on the demo.');
  await waitForOverlay(page, hasRule('merge-field'));
  await page.close();
});

test('the visible conversation is recorded once, however often it is shown', async () => {
  const alex = { name: 'Alex Moreno', identity: { kind: 'linkedin', value: 'alex-moreno-9' } };
  for (let visit = 0; visit < 2; visit++) {
    const page = await open(rapport, 'linkedinLazy');
    await page.waitForSelector('.msg-s-event-listitem');
    await page.waitForTimeout(2500); // the seen-messages report waits for the thread to settle
    await page.close();
  }
  const reply = await contactSummary(rapport, alex);
  assert.equal(reply.ok, true, JSON.stringify(reply));
  assert.equal(reply.summary.received, 1, JSON.stringify(reply.summary));
  // The user's own message on the page is not taken from the page (it could be forged).
  assert.equal(reply.summary.sent, 0, JSON.stringify(reply.summary));
  assert.match(reply.summary.last_reply.excerpt, /not looking for new vendors/);
});

test('selectors broken by a redesign: the badge says inactive and Send still works', async () => {
  const page = await open(rapport, 'linkedinHashed');
  await typeInto(page, '[contenteditable="true"]', 'Hi {first_name}, this should still send.');
  const shown = await waitForOverlay(page, (s) => s.state === 'inactive');
  assert.deepEqual(shown.warnings, []);
  await page.click('button[data-fixture-send]');
  await page.waitForFunction(() => window.__sent.length === 1);
  assert.deepEqual(await sentOnPage(page), ['Hi {first_name}, this should still send.']);
  await page.close();
});
