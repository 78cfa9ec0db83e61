// Messaging authority (issue 10): who may talk to the background and what it answers.
// The background must refuse other extensions and web pages outright, refuse unknown
// or malformed requests and payloads above the caps documented in src/protocol.rs,
// and answer a content script (tested from a real content-script world: the harness's
// probe content script, which runs in this extension's isolated world on the site)
// only with the verdict for the draft it sent, never with data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { launch, ROOT } from './harness.mjs';

const OTHER_EXTENSION = join(ROOT, 'tests', 'fixtures', 'hostile', 'other-extension');
const THREAD = 'https://www.linkedin.com/messaging/thread/2-bWVzc2FnaW5n/';

// The caps, read from the Rust source so the test follows the documented contract.
async function caps() {
  const source = await readFile(join(ROOT, 'src', 'protocol.rs'), 'utf8');
  const read = (name) => {
    const m = source.match(new RegExp(`pub const ${name}: usize = ([^;]+);`));
    assert.ok(m, `${name} is documented in src/protocol.rs`);
    return m[1].split('*').reduce((product, factor) => product * Number(factor.trim().replace(/_/g, '')), 1);
  };
  return { content: read('MAX_CONTENT_REQUEST_BYTES'), page: read('MAX_PAGE_REQUEST_BYTES') };
}

const draft = (text) => ({
  text,
  channel: 'linkedin',
  recipients: [{ name: 'Brian Miller', identity: { kind: 'linkedin', value: 'brian-miller' } }],
  time: Date.parse('2026-11-23T09:00:00Z'),
});

// Every request only extension pages may make, each with a well-formed payload.
const PAGE_ONLY = [
  { type: 'contact_summary', recipient: { identity: { kind: 'linkedin', value: 'brian-miller' } } },
  { type: 'active_draft', tab: 1 },
  { type: 'search', query: '', limit: 1000 },
  { type: 'recent_contacts', limit: 1000 },
  { type: 'set_tags', contact: 'c1', tags: { kind: 'friend' } },
  { type: 'merge', keep: 'c1', absorb: 'c2' },
  { type: 'split', contact: 'c1', identity: { kind: 'email', value: 'a@example.com' } },
  { type: 'link', contact: 'c1', identity: { kind: 'email', value: 'a@example.com' } },
  { type: 'add_exception', contact: 'c1', rule: 'pressure' },
  { type: 'remove_exception', contact: 'c1', rule: 'pressure' },
  { type: 'get_settings' },
  { type: 'set_operator', operator: 'Mallory' },
  { type: 'set_settings', settings: { send_gate: null } },
  { type: 'import_batch', import_id: 'evil', file: 'evil.csv', batch: { contacts: [], messages: [] } },
  { type: 'cancel_import', import_id: 'evil' },
  { type: 'export', bodies: true },
  { type: 'export', bodies: false },
  { type: 'restore', backup: { format: 'rapport-backup', version: 1, contacts: [], messages: [] } },
  { type: 'erase' },
  { type: 'stats' },
];

let rapport;
let site;
before(async () => {
  rapport = await launch({ extensions: [OTHER_EXTENSION] });
  rapport.serve(THREAD, { body: '<!doctype html><title>Messaging | LinkedIn</title><main>thread</main>' });
  site = await rapport.openSite(THREAD);
});
after(async () => {
  await rapport?.close();
});

const refusals = () => rapport.workerLogs.filter((l) => /Rapport refused/.test(l.text)).length;

test('another extension cannot reach the background, by message or by port', async () => {
  const other = rapport.context.serviceWorkers().find((w) => w.url().endsWith('/other-worker.js'));
  assert.ok(other, 'the hostile extension is loaded');
  const before = await rapport.sendFromPage({ type: 'stats' });
  const results = await other.evaluate((id) => self.attack(id), rapport.extensionId);
  for (const result of results) {
    // No onMessageExternal/onConnectExternal listener: Chrome itself finds no receiver.
    assert.equal(result.reply, undefined, `${result.type} got an answer: ${JSON.stringify(result)}`);
    assert.equal(result.message, undefined, `${result.type} got an answer over a port`);
  }
  assert.ok(results.filter((r) => r.type !== 'port').every((r) => /Receiving end does not exist|Could not establish connection/.test(r.error)), JSON.stringify(results));
  assert.deepEqual(await rapport.sendFromPage({ type: 'stats' }), before, 'nothing changed');
});

test("another extension's content script on the site cannot reach it either", async () => {
  const result = await site.evaluate(
    (rapportId) =>
      new Promise((resolve) => {
        window.addEventListener('message', (e) => e.data?.otherExtensionResult && resolve(e.data.otherExtensionResult));
        window.postMessage({ otherExtensionAttack: { rapportId, request: { type: 'get_settings' } } }, '*');
      }),
    rapport.extensionId,
  );
  assert.equal(result.reply, undefined, JSON.stringify(result));
  assert.match(result.error, /Receiving end does not exist|Could not establish connection/);
});

test('a web page has no channel to the extension at all', async () => {
  const reachable = await site.evaluate(() => ({
    runtime: typeof globalThis.chrome?.runtime?.sendMessage,
    connect: typeof globalThis.chrome?.runtime?.connect,
  }));
  assert.deepEqual(reachable, { runtime: 'undefined', connect: 'undefined' });
});

test('a content script is refused every request that reads or changes data', async () => {
  for (const request of PAGE_ONLY) {
    const reply = await rapport.sendFromContent(site, request);
    assert.equal(reply.ok, false, `${request.type} answered a content script: ${JSON.stringify(reply)}`);
    assert.equal(reply.refused, true, JSON.stringify(reply));
    assert.match(reply.error, new RegExp(`'${request.type}' is only answered for this extension's own pages`));
  }
  // Claims in the payload change nothing: authority comes from Chrome's sender object.
  for (const claim of [{ sender: 'page' }, { senderKind: 'page' }, { from: 'chrome-extension://x/options.html' }]) {
    const reply = await rapport.sendFromContent(site, { type: 'get_settings', ...claim });
    assert.equal(reply.refused, true, JSON.stringify(reply));
  }
});

test("a content script's verdict carries the verdict and nothing else", async () => {
  const reply = await rapport.sendFromContent(site, { type: 'analyze', site: 'linkedin', draft: draft('Hi Brian, could you endorse me?') });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  // The send gate is the one setting a content script acts on (ask before sending).
  assert.deepEqual(Object.keys(reply).sort(), ['ok', 'send_gate', 'verdict', 'worst']);
  assert.ok(reply.send_gate === null || ['info', 'caution', 'stop'].includes(reply.send_gate));
  assert.deepEqual(Object.keys(reply.verdict).sort(), ['truncated', 'warnings']);
});

test('unknown, malformed and oddly shaped requests are refused from either side', async () => {
  const odd = [
    'erase',
    '{"type":"erase"',
    42,
    null,
    [],
    [{ type: 'erase' }],
    {},
    { type: 'Erase' },
    { type: 'erase ' },
    { type: ['erase'] },
    { type: 'format_disk' },
    { type: 'analyze', site: 'myspace', draft: draft('x') },
    { type: 'analyze', site: 'linkedin', draft: { ...draft('x'), time: 'yesterday' } },
    { type: 'search', query: 'a', limit: -1 },
    JSON.parse('{"__proto__":{"type":"get_settings"}}'),
  ];
  const before = refusals();
  for (const request of odd) {
    for (const [who, reply] of [
      ['content', await rapport.sendFromContent(site, request)],
      ['page', await rapport.sendFromPage(request)],
    ]) {
      assert.equal(reply?.ok, false, `${who} ${JSON.stringify(request)}: ${JSON.stringify(reply)}`);
      assert.equal(typeof reply.error, 'string');
    }
  }
  assert.ok(refusals() - before >= odd.length * 2 - 2, 'refusals are logged with a reason');
});

test('payloads above the documented caps are refused unread', async () => {
  const cap = await caps();
  const padded = (bytes) => {
    const base = { type: 'analyze', site: 'linkedin', draft: draft('') };
    const overhead = JSON.stringify(base).length;
    return { ...base, draft: draft('x'.repeat(bytes - overhead)) };
  };
  const justOver = padded(cap.content + 1);
  assert.equal(JSON.stringify(justOver).length, cap.content + 1);
  const refused = await rapport.sendFromContent(site, justOver);
  assert.equal(refused.refused, true, JSON.stringify(refused).slice(0, 300));
  assert.match(refused.error, new RegExp(`request of ${cap.content + 1} bytes exceeds the ${cap.content} byte limit`));
  const atCap = await rapport.sendFromContent(site, padded(cap.content));
  assert.equal(atCap.ok, true, JSON.stringify(atCap).slice(0, 300));

  const bigBatch = {
    type: 'import_batch',
    import_id: 'too-big',
    file: 'huge.mbox',
    batch: { contacts: [], messages: [{ id: 'x', channel: 'email', direction: 'received', from: {}, to: [], time: 0, text: 'y'.repeat(cap.page) }] },
  };
  const tooBig = await rapport.sendFromPage(bigBatch);
  assert.equal(tooBig.refused, true);
  assert.match(tooBig.error, new RegExp(`exceeds the ${cap.page} byte limit`));
});

test('the worker survived all of it and nothing left the machine', async () => {
  const reply = await rapport.sendFromPage({ type: 'analyze', site: 'gmail', draft: draft('Hi Brian') });
  assert.equal(reply.ok, true);
  assert.deepEqual(rapport.outsideRequests(), []);
  assert.deepEqual(rapport.workerErrors, []);
});
