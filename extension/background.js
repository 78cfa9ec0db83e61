// Rapport's background service worker (an ES module).
//
// Chrome stops this worker after ~30 s idle, so: every listener is registered
// synchronously at top level (no top-level await, or messages hang silently after a
// wake), and the wasm core is loaded lazily on the first event after each start.
// This file only establishes WHO is asking, from Chrome's `sender` object (never from
// the message), and hands `(json, senderKind)` to the wasm core, which validates the
// request, checks that sender's authority and answers.

import init, * as core from './pkg/worker.js';

// Content scripts are trusted only on the sites the manifest injects them into.
const SUPPORTED_HOSTS = new Set([
  'www.linkedin.com',
  'mail.google.com',
  'outlook.office.com',
  'outlook.office365.com',
  'outlook.live.com',
]);

const OWN_ORIGIN = chrome.runtime.getURL('');

let coreReady = null;
function loadCore() {
  coreReady ??= init().catch((error) => {
    coreReady = null; // let the next message try again
    throw error;
  });
  return coreReady;
}

// 'page' | 'content' | null (refused), with a reason for the log.
function classifySender(sender) {
  if (!sender || sender.id !== chrome.runtime.id) {
    return { kind: null, reason: 'not this extension' };
  }
  const url = sender.url || '';
  if (url.startsWith(OWN_ORIGIN)) {
    return { kind: 'page', reason: '' };
  }
  if (!sender.tab) {
    return { kind: null, reason: `no tab and not an extension page (${url || 'no url'})` };
  }
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: null, reason: `unreadable sender url '${url}'` };
  }
  if (parsed.protocol !== 'https:' || !SUPPORTED_HOSTS.has(parsed.hostname)) {
    return { kind: null, reason: `content script on unsupported page ${parsed.origin}` };
  }
  return { kind: 'content', reason: '' };
}

function refuse(reason, detail) {
  console.warn(`Rapport refused a message: ${reason}`, detail ?? '');
  return { ok: false, refused: true, error: reason };
}

async function answer(message, sender) {
  const { kind, reason } = classifySender(sender);
  if (!kind) return refuse(reason, sender?.url);
  let json;
  try {
    json = typeof message === 'string' ? message : JSON.stringify(message);
  } catch (error) {
    return refuse(`message is not JSON: ${error.message}`, sender.url);
  }
  if (typeof json !== 'string') return refuse('empty message', sender.url);
  await loadCore();
  const tab = kind === 'content' && Number.isInteger(sender.tab?.id) ? sender.tab.id : -1;
  const reply = JSON.parse(await core.handleRequest(json, kind, tab));
  if (reply.refused) console.warn(`Rapport refused a ${kind} message: ${reply.error}`, sender.url);
  return reply;
}

function onMessage(message, sender, sendResponse) {
  answer(message, sender).then(sendResponse, (error) => {
    console.error('Rapport background failed:', error);
    sendResponse({ ok: false, error: `Rapport's background service failed: ${error?.message ?? error}` });
  });
  return true; // the reply is asynchronous
}

chrome.runtime.onMessage.addListener(onMessage);
