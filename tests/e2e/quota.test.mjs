// A real full disk under an import (issue 10). Rapport holds `unlimitedStorage`, so
// Chromium limits its IndexedDB only by the free space of the disk the profile is on
// (CDP's Storage.overrideQuotaForOrigin does not bind an extension origin). This test
// puts the whole Chromium profile on a small tmpfs (mounted here, so it needs root, as
// CI has), fills it by importing incompressible history, and checks what the user
// gets: the import stops with the quota sentence (store.rs QUOTA_MESSAGE), the batch
// that failed left nothing, what was there before is intact, verdicts keep coming, and
// cancelling or erasing gives the space back. Without root (or where the kernel refuses
// the mount) every test here reports itself skipped, with the reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';
import { launchWithFixtures, open, typeInto, clearEditor, waitForOverlay, hasRule } from './compose.mjs';
import { seedHistory } from './history.mjs';

const EDITOR = '.msg-form__contenteditable';
const MB = 1 << 20;
// Free space left on the tmpfs once Chromium, the profile and the seeded history are
// on it: small, so a few import batches fill it.
const HEADROOM_MB = 24;
const OWNER = { name: 'Dana Whitfield', identity: { kind: 'email', value: 'dana@whitfield.example' } };
const PITCH = [
  'Hi Brian,',
  '',
  "I'm reaching out to introduce our consulting services. We help companies like yours cut costs by 30%.",
  'Would you have 15 minutes next week for a quick call to discuss pricing?',
].join('\n');

/** The sentence the user must see, read from the store's source (one place to change it). */
function quotaMessage() {
  const source = readFileSync(join(ROOT, 'src/web/store.rs'), 'utf8');
  const literal = /pub const QUOTA_MESSAGE: &str = "((?:[^"\\]|\\[\s\S])*)";/.exec(source)[1];
  return literal.replace(/\\\n\s*/g, '');
}

function freeBytes(dir) {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}
function usedBytes(dir) {
  const s = statfsSync(dir);
  return (s.blocks - s.bfree) * s.bsize;
}

/** Mounts a tmpfs at `dir`; returns null, or why it could not. */
function mountTmpfs(dir, megabytes) {
  if (process.getuid?.() !== 0) return `not root (uid ${process.getuid?.()}): mounting a tmpfs needs root`;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mount -t tmpfs refused: ${String(error.stderr || error.message).trim()}`;
  }
}

/** `count` messages with `bytes` of random (incompressible) text each, from new contacts. */
function fillerBatch(tag, count, bytes) {
  const now = Date.parse('2026-11-01T00:00:00Z');
  const contacts = [];
  const messages = [];
  for (let i = 0; i < count; i++) {
    const identity = { kind: 'email', value: `${tag}.${i}@filler.example` };
    contacts.push({ id: `${tag}-c${i}`, names: [`Filler ${tag} ${i}`], identities: [identity], tags: {}, exceptions: [] });
    messages.push({
      id: `${tag}-m${i}`,
      channel: 'email',
      direction: 'received',
      from: { name: `Filler ${tag} ${i}`, identity },
      to: [OWNER],
      time: now - i * 60000,
      subject: `Archive ${tag} ${i}`,
      text: randomBytes(Math.ceil((bytes * 3) / 4)).toString('base64').slice(0, bytes),
    });
  }
  return { contacts, messages };
}

let mountPoint = null;
let mounted = false;
let skipReason = null;
let rapport = null;
let page = null;
let work = null;
const QUOTA_MESSAGE = quotaMessage();

before(async () => {
  mountPoint = mkdtempSync(join(tmpdir(), 'rapport-quota-'));
  work = mkdtempSync(join(tmpdir(), 'rapport-quota-files-'));
  // Generous at first, so Chromium's profile surely fits; shrunk once it is written.
  skipReason = mountTmpfs(mountPoint, 512);
  if (skipReason) return;
  mounted = true;
  rapport = await launchWithFixtures({ profileRoot: mountPoint });
  await seedHistory(rapport);
  page = await open(rapport, 'linkedinThread');
  await typeInto(page, EDITOR, PITCH);
  await waitForOverlay(page, hasRule('known-contact-pitch'));
  const used = usedBytes(mountPoint);
  const size = Math.ceil(used / MB) + HEADROOM_MB;
  execFileSync('mount', ['-o', `remount,size=${size}m`, mountPoint], { stdio: 'pipe' });
  test.diagnostic?.(`profile ${Math.round(used / MB)} MB; tmpfs ${size} MB`);
});

after(async () => {
  try {
    await rapport?.close();
  } finally {
    if (mounted) {
      try {
        execFileSync('umount', [mountPoint], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
      }
    }
    if (mountPoint) rmSync(mountPoint, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  }
});

async function stats() {
  const reply = await rapport.sendFromPage({ type: 'stats' });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return { contacts: reply.contacts, messages: reply.messages };
}

/** The import's log record, read straight from the extension origin's IndexedDB. */
async function importLog(importId) {
  const probe = await rapport.openExtensionPage('e2e-probe.html');
  try {
    return await probe.evaluate((id) => new Promise((resolve, reject) => {
      const opening = indexedDB.open('rapport');
      opening.onerror = () => reject(opening.error);
      opening.onsuccess = () => {
        const db = opening.result;
        const get = db.transaction('imports').objectStore('imports').get(id);
        get.onsuccess = () => { db.close(); resolve(get.result ?? null); };
        get.onerror = () => { db.close(); reject(get.error); };
      };
    }), importId);
  } finally {
    await probe.close();
  }
}

/** Counts once the open tab's thread has been recorded (record_seen, after its delay). */
async function settledStats() {
  let previous = await stats();
  for (;;) {
    await new Promise((r) => setTimeout(r, 2000));
    const now = await stats();
    if (now.messages === previous.messages && now.contacts === previous.contacts) return now;
    previous = now;
  }
}

async function verdictStillComes(text) {
  await clearEditor(page, EDITOR);
  await waitForOverlay(page, (s) => s.state === 'idle');
  await typeInto(page, EDITOR, text);
  return waitForOverlay(page, hasRule('known-contact-pitch'));
}

test('a full disk stops an import cleanly with the quota sentence; freeing space lets cancel take it back', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const base = await settledStats();
  // Mail-sized messages (16 KB, under the size at which Chromium moves a value to a
  // blob file: that path fails with "Failed to write blobs", also mapped to quota).
  const perBatch = 128;
  const bodyBytes = 16 * 1024;
  let done = 0;
  let last = base;
  let failure = null;
  for (let i = 0; i < 64 && !failure; i++) {
    const batch = fillerBatch(`fill${i}`, perBatch, bodyBytes);
    const reply = await rapport.sendFromPage({ type: 'import_batch', import_id: 'fill', file: 'archive.mbox', batch });
    if (reply.ok) {
      done++;
      last = await stats();
      assert.equal(last.messages, base.messages + done * perBatch);
    } else {
      failure = { reply, batch: i };
    }
  }
  t.diagnostic(`batches written before the disk was full: ${done} (${(done * perBatch * bodyBytes) / MB} MB of text); free: ${Math.round(freeBytes(mountPoint) / 1024)} KB`);
  assert.ok(failure, `the disk never filled (${done} batches written)`);
  assert.equal(failure.reply.error, QUOTA_MESSAGE, JSON.stringify(failure.reply));
  // While the disk stays full, Chromium has closed the database (an IO error closes
  // every connection) and reopening it needs a few bytes of log: a request gets either
  // the right answer or the same sentence, never a wrong one. Cancelling fails too and
  // changes nothing: Chromium's IndexedDB keeps an undo log of what a transaction
  // deletes, so taking 16 MB back needs free space of about that size.
  const onFull = await rapport.sendFromPage({ type: 'stats' });
  if (onFull.ok) assert.deepEqual({ contacts: onFull.contacts, messages: onFull.messages }, last);
  else assert.equal(onFull.error, QUOTA_MESSAGE);
  const stuck = await rapport.sendFromPage({ type: 'cancel_import', import_id: 'fill' });
  assert.equal(stuck.ok, false);
  t.diagnostic(`on the full disk: stats ${JSON.stringify(onFull)}; cancel ${JSON.stringify(stuck)}`);
  // The user frees disk space, as the sentence asks (here: the tmpfs grows by twice
  // what the import wrote). The failing batch left nothing, the batches before it are
  // whole, the import log agrees, and verdicts come from the history as before.
  const size = Math.round((statfsSync(mountPoint).blocks * statfsSync(mountPoint).bsize) / MB);
  const grown = size + Math.ceil((2 * done * perBatch * bodyBytes) / MB);
  execFileSync('mount', ['-o', `remount,size=${grown}m`, mountPoint], { stdio: 'pipe' });
  assert.deepEqual(await stats(), last);
  const log = await importLog('fill');
  assert.equal(log.batches, done, JSON.stringify(log));
  assert.equal(log.messages_added, done * perBatch);
  assert.equal(log.status, 'running');
  await verdictStillComes(`${PITCH}\nAny day works.`);
  // Cancelling now takes the whole import back, and the store takes imports again.
  // (The files do not shrink at once: LevelDB compacts when it chooses, so the bytes
  // on disk coming back are not asserted.)
  const cancelled = await rapport.sendFromPage({ type: 'cancel_import', import_id: 'fill' });
  assert.equal(cancelled.ok, true, JSON.stringify(cancelled));
  assert.equal(cancelled.messages_removed, done * perBatch);
  assert.deepEqual(await stats(), base);
  assert.equal((await importLog('fill')).status, 'cancelled');
  const again = await rapport.sendFromPage({
    type: 'import_batch', import_id: 'after-cancel', file: 'small.mbox', batch: fillerBatch('after', perBatch, bodyBytes),
  });
  assert.equal(again.ok, true, JSON.stringify(again));
  assert.equal((await stats()).messages, base.messages + perBatch);
  await verdictStillComes(`${PITCH}\nThanks!`);
});
