// Storage faults end to end (issue 10), in the real extension with its real IndexedDB.
// The store's own wasm tests (tests/web_store.rs) cover migrations from version 1, an
// old connection blocking an upgrade, a failing batch, a simulated quota error and
// cancel; the options tests cover export, erase, restore. Here: the service worker
// killed while an import is being written (the store is consistent afterwards and the
// import resumes without duplicates) and re-importing adding nothing across a worker
// restart. A real full disk is produced in tests/e2e/quota.test.mjs (the profile on a
// small tmpfs): CDP's Storage.overrideQuotaForOrigin does not bind an extension origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './harness.mjs';

const OWNER = { name: 'Dana Whitfield', identity: { kind: 'email', value: 'dana@whitfield.example' } };
const DAY = 86400000;

function batchOf(prefix, contacts, perContact, bodyBytes = 200) {
  const now = Date.parse('2026-11-01T00:00:00Z');
  const body = 'Notes from our call about the project timeline and next steps. '.repeat(Math.ceil(bodyBytes / 64)).slice(0, bodyBytes);
  const people = Array.from({ length: contacts }, (_, c) => ({
    id: `${prefix}-c${c}`,
    names: [`Person ${prefix} ${c}`],
    identities: [{ kind: 'email', value: `${prefix}.${c}@example.com` }],
    tags: {},
    exceptions: [],
  }));
  const messages = people.flatMap((p, c) => Array.from({ length: perContact }, (_, i) => ({
    id: `${prefix}-m${c}-${i}`,
    channel: 'email',
    direction: i % 2 ? 'received' : 'sent',
    from: i % 2 ? { name: p.names[0], identity: p.identities[0] } : OWNER,
    to: [i % 2 ? OWNER : { name: p.names[0], identity: p.identities[0] }],
    time: now - (perContact - i) * DAY,
    subject: `Timeline ${i}`,
    text: `${body} (${prefix} ${c}/${i})`,
  })));
  return { contacts: people, messages };
}

let rapport;
before(async () => {
  rapport = await launch();
});
after(async () => {
  await rapport?.close();
});

async function stats() {
  const reply = await rapport.sendFromPage({ type: 'stats' });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return { contacts: reply.contacts, messages: reply.messages };
}

async function exportAll() {
  const reply = await rapport.sendFromPage({ type: 'export', bodies: true });
  assert.equal(reply.ok, true);
  return reply.backup;
}

test('the worker stopped while a batch is written: all or nothing, then the import resumes', async () => {
  const base = await stats();
  const batch = batchOf('kill', 200, 10);
  // Send the batch and stop the worker while it is being parsed and written.
  const probe = await rapport.openExtensionPage('e2e-probe.html');
  const pending = probe.evaluate((b) => chrome.runtime.sendMessage({ type: 'import_batch', import_id: 'killed', file: 'big.mbox', batch: b }).then(
    (r) => r ?? { ok: false, error: 'no reply' }, (e) => ({ ok: false, error: String(e) })), batch);
  await probe.waitForTimeout(30);
  await Promise.race([rapport.stopServiceWorker(), new Promise((r) => setTimeout(r, 5000))]);
  const first = await pending;
  const after = await stats();
  const added = after.messages - base.messages;
  assert.ok(added === 0 || added === batch.messages.length, `half a batch was written: ${added} of ${batch.messages.length} (reply ${JSON.stringify(first)})`);
  // Resuming (the options page resends what it has not seen confirmed) completes it once.
  const again = await rapport.sendFromPage({ type: 'import_batch', import_id: 'killed', file: 'big.mbox', batch });
  assert.equal(again.ok, true, JSON.stringify(again));
  const done = await stats();
  assert.equal(done.messages - base.messages, batch.messages.length, 'complete after the resume, without duplicates');
  assert.equal(done.contacts - base.contacts, batch.contacts.length);
  await probe.close();
});

test('re-importing adds nothing, also after a worker restart', async () => {
  const batch = batchOf('again', 20, 6);
  const first = await rapport.sendFromPage({ type: 'import_batch', import_id: 'again-1', file: 'again.mbox', batch });
  assert.equal(first.ok, true, JSON.stringify(first));
  const before = await exportAll();
  await Promise.race([rapport.stopServiceWorker(), new Promise((r) => setTimeout(r, 5000))]);
  const second = await rapport.sendFromPage({ type: 'import_batch', import_id: 'again-2', file: 'again.mbox', batch });
  assert.equal(second.ok, true);
  assert.equal(second.messages_added, 0);
  assert.equal(second.contacts_added, 0);
  assert.deepEqual(await exportAll(), before);
});

test('nothing left the machine and the worker logged no errors', async () => {
  assert.deepEqual(rapport.outsideRequests(), []);
  assert.deepEqual(rapport.workerErrors, []);
});
