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

test('nothing left the machine and the worker logged no errors', async () => {
  assert.deepEqual(rapport.outsideRequests(), []);
  assert.deepEqual(rapport.workerErrors, []);
});
