// The background service worker: loads from dist/ without errors, answers with
// verdicts computed by the wasm core, refuses what a sender may not ask.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './harness.mjs';

let rapport;
before(async () => {
  rapport = await launch();
});
after(async () => {
  await rapport?.close();
});

const draft = (text, email = 'brian@example.com') => ({
  text,
  channel: 'email',
  recipients: [{ name: 'Brian', identity: { kind: 'email', value: email } }],
  time: Date.parse('2026-11-23T09:00:00Z'),
});

test('dist/ loads: the module service worker starts and the manifest is what we ship', async () => {
  const worker = await rapport.serviceWorker();
  assert.match(worker.url(), /^chrome-extension:\/\/[a-p]{32}\/background\.js$/);
  const manifest = await worker.evaluate(() => chrome.runtime.getManifest());
  assert.equal(manifest.manifest_version, 3);
  assert.equal(manifest.background.type, 'module');
  assert.deepEqual(manifest.permissions.sort(), ['storage', 'unlimitedStorage']);
});

test('an extension page gets a verdict computed by the wasm core', async () => {
  const reply = await rapport.sendFromPage({ type: 'analyze', site: 'gmail', draft: draft('Hi Brian, lunch next week?') });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  assert.ok(Array.isArray(reply.verdict.warnings), JSON.stringify(reply));
  assert.equal(typeof reply.verdict.truncated, 'boolean');
});

test('malformed and unknown requests are refused with the validator\'s reason', async () => {
  const unknown = await rapport.sendFromPage({ type: 'format_disk' });
  assert.equal(unknown.ok, false);
  assert.equal(unknown.refused, true);
  assert.match(unknown.error, /malformed request: unknown variant `format_disk`/);

  const missing = await rapport.sendFromPage({ type: 'analyze', site: 'gmail' });
  assert.equal(missing.refused, true);
  assert.match(missing.error, /missing field `draft`/);

  const warned = rapport.workerLogs.filter((l) => l.type === 'warning' && /Rapport refused/.test(l.text));
  assert.ok(warned.length >= 2, 'refusals are logged with a reason');
});

test('a content script may ask for a verdict but not for settings or another contact', async () => {
  rapport.serve(/^https:\/\/www\.linkedin\.com\/messaging\/thread\/[^/]+\/$/, {
    body: '<!doctype html><title>Messaging | LinkedIn</title><main>thread</main>',
  });
  const page = await rapport.openSite('https://www.linkedin.com/messaging/thread/2-abc/');

  const verdict = await rapport.sendFromContent(page, { type: 'analyze', site: 'linkedin', draft: draft('Hello') });
  assert.equal(verdict.ok, true, JSON.stringify(verdict));

  const settings = await rapport.sendFromContent(page, { type: 'get_settings' });
  assert.deepEqual([settings.ok, settings.refused], [false, true]);
  assert.match(settings.error, /'get_settings' is only answered for this extension's own pages/);

  const other = await rapport.sendFromContent(page, {
    type: 'contact_summary',
    recipient: { identity: { kind: 'email', value: 'someone.else@example.com' } },
  });
  assert.deepEqual([other.ok, other.refused], [false, true]);
  await page.close();
});

const DAY = 24 * 60 * 60 * 1000;
const OWNER = { name: 'Dana Whitfield', identity: { kind: 'email', value: 'dana@whitfield.example' } };
const BRIAN = { name: 'Brian Miller', identity: { kind: 'email', value: 'brian.miller@acme.example' } };
const PITCH =
  "Hi Brian, I'm reaching out because our platform helps teams like yours cut cloud costs by 30%. " +
  'Would you be open to a quick 15-minute call next week to see a demo?';

function history(count) {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const sent = i % 2 === 0;
    return {
      id: `brian-${i}`,
      channel: 'email',
      direction: sent ? 'sent' : 'received',
      from: sent ? OWNER : BRIAN,
      to: [sent ? BRIAN : OWNER],
      time: now - (count - i) * 20 * DAY,
      subject: 'Quarterly review',
      text: sent ? `Thanks for the numbers, see you at the review (${i}).` : `Here are the numbers for the review (${i}).`,
    };
  });
}

const rulesOf = (reply) => reply.verdict.warnings.map((w) => w.rule);

test('a worker stopped between keystrokes wakes, reopens IndexedDB and gives the same verdict', async () => {
  const seeded = await rapport.sendFromPage({
    type: 'import_batch',
    import_id: 'e2e-wake',
    file: 'seed.json',
    batch: {
      contacts: [{ id: 'c-brian', names: ['Brian Miller'], identities: [BRIAN.identity] }],
      messages: history(12),
    },
  });
  assert.deepEqual([seeded.ok, seeded.messages_added, seeded.contacts_added], [true, 12, 1], JSON.stringify(seeded));

  const stranger = await rapport.sendFromPage({
    type: 'analyze',
    site: 'gmail',
    draft: { ...draft(PITCH, 'nobody@elsewhere.example'), recipients: [{ name: 'Nora', identity: { kind: 'email', value: 'nobody@elsewhere.example' } }] },
  });
  assert.ok(!rulesOf(stranger).includes('known-contact-pitch'), 'a stranger is not a known contact');

  const warm = await rapport.sendFromPage({ type: 'analyze', site: 'gmail', draft: { ...draft(PITCH), recipients: [BRIAN] } });
  assert.ok(rulesOf(warm).includes('known-contact-pitch'), JSON.stringify(rulesOf(warm)));

  await rapport.stopServiceWorker();
  assert.equal(await rapport.workerStatus(), 'stopped');

  const woken = await rapport.sendFromPage({ type: 'analyze', site: 'gmail', draft: { ...draft(PITCH + ' '), recipients: [BRIAN] } });
  assert.deepEqual(rulesOf(woken), rulesOf(warm));
  assert.match(woken.verdict.warnings.find((w) => w.rule === 'known-contact-pitch').message, /12 times|Brian/);

  // History recorded just before a stop is there after it.
  const sent = await rapport.sendFromPage({
    type: 'record_sent',
    site: 'gmail',
    draft: { ...draft(PITCH), recipients: [BRIAN] },
  });
  assert.equal(sent.messages_added, 1, JSON.stringify(sent));
  await rapport.stopServiceWorker();
  const stats = await rapport.sendFromPage({ type: 'stats' });
  assert.deepEqual([stats.contacts, stats.messages], [1, 13]);
});

test('a content script cannot change or read data', async () => {
  rapport.serve('https://mail.google.com/mail/u/0/', { body: '<!doctype html><title>Inbox</title>' });
  const page = await rapport.openSite('https://mail.google.com/mail/u/0/');
  for (const request of [
    { type: 'set_tags', contact: 'c-brian', tags: { notes: 'pwned' } },
    { type: 'export', bodies: true },
    { type: 'erase' },
    { type: 'search', query: 'brian', limit: 5 },
    { type: 'import_batch', import_id: 'x', file: 'x', batch: { contacts: [], messages: [] } },
  ]) {
    const reply = await rapport.sendFromContent(page, request);
    assert.deepEqual([reply.ok, reply.refused], [false, true], `${request.type}: ${JSON.stringify(reply)}`);
  }
  const stats = await rapport.sendFromPage({ type: 'stats' });
  assert.equal(stats.messages, 13, 'nothing was erased');
  await page.close();
});

test('nothing left the machine and the worker logged no errors', async () => {
  assert.deepEqual(rapport.outsideRequests(), []);
  assert.deepEqual(rapport.workerErrors, []);
});
