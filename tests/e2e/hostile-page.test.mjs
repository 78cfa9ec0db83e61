// A hostile page (issue 10), beyond tests/e2e/hostile.test.mjs (which covers the
// overlay's shadow root and frame, a forged Send click and an input flood through the
// overlay's own state). Here the page script (tests/fixtures/hostile/attack.js) runs
// before Rapport, hooks the page's prototypes, listens to every message and event, and
// the test checks, through an extension page asking the background:
// - no tag, history or warning text ever reaches anything the page can read;
// - window.postMessage and CustomEvents shaped like Rapport's requests change nothing;
// - thread messages forged in the DOM and sends the user never made are not recorded
//   as the user's own sent mail (a real, trusted send is: the control);
// - the page's main thread is not held up by Rapport (figures reported).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchWithFixtures, typeInto, waitForOverlay, overlayFrames } from './compose.mjs';
import { ROOT } from './harness.mjs';

const HOSTILE = join(ROOT, 'tests', 'fixtures', 'hostile');
const URL_ = 'https://www.linkedin.com/messaging/thread/2-YXR0YWNr/';
const EDITOR = '.msg-form__contenteditable';
const SECRETS = ['SECRET-NICKNAME-7Q', 'SECRET-REASON-4K', 'SECRET-HISTORY-9Z', 'SECRET-SUBJECT-2M'];
const DANA = { name: 'Dana Whitfield', identity: { kind: 'linkedin', value: 'dana-whitfield' } };
const HANA = { name: 'Hana Tanaka', identity: { kind: 'linkedin', value: 'hana-tanaka' } };
const DAY = 86400000;
// The same fixture at a host Rapport does not run on.
const BASELINE = 'https://baseline.example/messaging/thread/2-YXR0YWNr/';

/** Pastes 10 MB into the compose box; long tasks (> 50 ms) during and after it. */
async function pasteTenMegabytes(page) {
  await page.waitForTimeout(500);
  await page.locator(EDITOR).click();
  const cdp = await page.context().newCDPSession(page);
  const startAt = await page.evaluate(() => performance.now());
  const text = 'Hi Hana, pasting a very long document here. '.repeat(240000).slice(0, 10 * 1024 * 1024);
  await cdp.send('Input.insertText', { text });
  const insertedAt = await page.evaluate(() => performance.now());
  await page.waitForTimeout(3000); // past the analysis debounce and the verdict
  await cdp.detach();
  const tasks = (await page.evaluate(() => window.__attack.seen.longTasks.slice())).filter((task) => task.start >= startAt);
  return {
    insertionMs: Math.round(insertedAt - startAt),
    longTasksDuring: tasks.filter((task) => task.start < insertedAt).map((task) => task.duration),
    longTasksAfter: tasks.filter((task) => task.start >= insertedAt).map((task) => task.duration),
  };
}

let rapport;
before(async () => {
  rapport = await launchWithFixtures();
  rapport.serve((u) => new URL(u).pathname === '/rapport-fixture/attack.js', { file: join(HOSTILE, 'attack.js') });
  rapport.serve(URL_, { file: join(HOSTILE, 'thread.html') });
  const settings = await rapport.sendFromPage({ type: 'set_settings', settings: { owner: { name: DANA.name, identities: [DANA.identity] } } });
  assert.equal(settings.ok, true, JSON.stringify(settings));
  const now = Date.now();
  const messages = Array.from({ length: 12 }, (_, i) => ({
    id: `hana-${i}`,
    channel: 'linkedin',
    direction: i % 2 ? 'received' : 'sent',
    from: i % 2 ? HANA : DANA,
    to: [i % 2 ? DANA : HANA],
    time: now - (40 - i) * DAY,
    subject: SECRETS[3],
    text: `${SECRETS[2]} about the December offsite planning, part ${i}.`,
  }));
  const seeded = await rapport.sendFromPage({
    type: 'import_batch',
    import_id: 'hostile-seed',
    file: 'seed.json',
    batch: {
      contacts: [{
        id: 'hana', names: ['Hana Tanaka'], identities: [HANA.identity], company: 'Tanaka KK',
        tags: { kind: 'client', nicknames: [SECRETS[0]], do_not_pitch: { reason: SECRETS[1] } }, exceptions: [],
      }],
      messages,
    },
  });
  assert.equal(seeded.ok, true, JSON.stringify(seeded));
});
after(async () => {
  await rapport?.close();
});

async function backup() {
  const reply = await rapport.sendFromPage({ type: 'export', bodies: true });
  assert.equal(reply.ok, true, JSON.stringify(reply).slice(0, 300));
  return reply.backup;
}

async function openHostile() {
  const page = await rapport.openSite(URL_);
  page.dialogs = [];
  page.on('dialog', (d) => { page.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  return page;
}

const PITCH = "Hi Hana, I'm reaching out to introduce our consulting services. Would you have 15 minutes for a call about pricing? Offer ends today!";

test('nothing the page can read holds tags, history or warning text', async () => {
  const page = await openHostile();
  await typeInto(page, EDITOR, PITCH);
  const shown = await waitForOverlay(page, (s) => s.state === 'warnings' && s.warnings.length >= 2);
  const loot = await page.evaluate(() => window.__attack.harvest());
  for (const secret of [...SECRETS, ...shown.warnings.map((w) => w.text)]) {
    assert.ok(!loot.text.includes(secret), `the page can read: ${secret}`);
  }
  const found = await page.evaluate((s) => s.map((x) => window.find(x, false, false, true)), SECRETS);
  assert.deepEqual(found, SECRETS.map(() => false), 'window.find reaches no secret');
  assert.ok(!loot.shadowHosts.some((h) => /RAPPORT/i.test(h)), `Rapport used the page's attachShadow: ${loot.shadowHosts}`);
  assert.ok(loot.frames.every((f) => f.startsWith('blocked:')), 'no frame is readable');
  assert.ok(overlayFrames(page).length >= 1, 'the overlay frame is there (for the test, not the page)');
  await page.close();
});

test('messages and events shaped like Rapport\'s change nothing', async () => {
  const page = await openHostile();
  await typeInto(page, EDITOR, PITCH);
  const shown = await waitForOverlay(page, (s) => s.state === 'warnings');
  // The visible thread is recorded on its own (legitimately); let that settle first.
  await page.waitForTimeout(1500);
  const before = await backup();
  const settingsBefore = await rapport.sendFromPage({ type: 'get_settings' });
  for (let i = 0; i < 3; i++) await page.evaluate(() => window.__attack.spoof());
  await page.waitForTimeout(1500);
  const after = await waitForOverlay(page, (s) => s.state === 'warnings');
  assert.deepEqual(after.warnings.map((w) => w.rule).sort(), shown.warnings.map((w) => w.rule).sort());
  assert.deepEqual(await backup(), before, 'the store changed');
  assert.deepEqual(await rapport.sendFromPage({ type: 'get_settings' }), settingsBefore, 'settings changed');
  assert.deepEqual(page.dialogs, []);
  await page.close();
});

test('a send the user never made is not recorded; a real send is', async () => {
  const page = await openHostile();
  await page.waitForTimeout(800);
  await page.evaluate(() => window.__attack.forge());
  await page.waitForTimeout(1500);
  const forged = (await backup()).messages.filter((m) => /FORGED (draft|spoofed)/.test(m.text));
  assert.deepEqual(forged.map((m) => m.text), [], 'a page script made Rapport record a send');

  const real = 'Thanks Hana, December works well; I will send two dates tomorrow.';
  await page.locator(EDITOR).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(real);
  await page.waitForTimeout(600);
  await page.click('.msg-form__send-button');
  await page.waitForFunction((t) => window.__sent.includes(t), real);
  let recorded = [];
  for (let i = 0; i < 30 && recorded.length === 0; i++) {
    await page.waitForTimeout(200);
    recorded = (await backup()).messages.filter((m) => m.text.includes('December works well'));
  }
  assert.equal(recorded.length, 1, 'the trusted send is recorded once');
  assert.equal(recorded[0].direction, 'sent');
  await page.close();
});

// A content script cannot tell the site's markup from a page script's, so the
// visible thread's "mine" messages are never recorded (content script and service
// both drop them): the user's sent mail comes from a real Send and from imports.
test('a thread message forged in the DOM is not recorded as sent by the user', async () => {
  const page = await openHostile();
  await page.waitForTimeout(800);
  await page.evaluate(() => window.__attack.forge());
  await page.waitForTimeout(1500);
  const forgedSent = (await backup()).messages.filter((m) => /FORGED thread/.test(m.text) && m.direction === 'sent');
  await page.close();
  assert.deepEqual(forgedSent.map((m) => m.text), []);
});

test('the page is not held up: typing, a flood and a 10 MB paste (figures reported)', async (t) => {
  const page = await openHostile();
  await page.waitForTimeout(500);
  await typeInto(page, EDITOR, 'Hi Hana, typing at a normal pace to see what the main thread does. '.repeat(3));
  await page.waitForTimeout(800);
  const floodMs = await page.evaluate(() => window.__attack.flood(20000));
  await page.waitForTimeout(800);
  const typingTasks = await page.evaluate(() => window.__attack.seen.longTasks.slice());
  t.diagnostic(`typing and a 40,000-event flood: page-side flood ${floodMs.toFixed(0)} ms, long tasks ${JSON.stringify(typingTasks)}`);

  // 10 MB arrives as one trusted insertion (what a paste does). The same page at a host
  // Rapport does not run on is the baseline: the difference is Rapport's.
  const withRapport = await pasteTenMegabytes(page);
  rapport.serve(BASELINE, { file: join(HOSTILE, 'thread.html') });
  const baselinePage = await rapport.openSite(BASELINE);
  await baselinePage.waitForTimeout(500);
  const baselineFloodMs = await baselinePage.evaluate(() => window.__attack.flood(20000));
  t.diagnostic(`the same flood without Rapport: ${baselineFloodMs.toFixed(0)} ms`);
  const baseline = await pasteTenMegabytes(baselinePage);
  await baselinePage.close();
  t.diagnostic(`10 MB paste with Rapport: ${JSON.stringify(withRapport)}`);
  t.diagnostic(`10 MB paste, same page without Rapport: ${JSON.stringify(baseline)}`);
  const state = await waitForOverlay(page, (s) => s.state === 'warnings' || s.state === 'idle', { timeout: 20000 });
  assert.ok(['warnings', 'idle'].includes(state.state), 'Rapport still answers after the paste');
  assert.deepEqual(rapport.outsideRequests(), []);
  await page.close();
});
