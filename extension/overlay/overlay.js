// The warning list, rendered inside an extension page framed into the compose box's
// overlay. The page around it can't read this document (different origin), so warning
// text, evidence and contact actions only ever exist here.
//
// Data arrives over a private MessagePort handed over by the content script that
// created the frame (it proves itself with the token in our URL fragment). Actions
// that change Rapport's data go straight to the background as an extension page.
'use strict';

const t = (key, substitutions) => chrome.i18n.getMessage(key, substitutions) || key;

const token = location.hash.slice(1);
const root = document.getElementById('rapport-overlay');
const list = document.getElementById('rapport-warnings');
const status = document.getElementById('rapport-status');
const truncatedNote = document.getElementById('rapport-truncated');
let port = null;
let current = { state: 'idle', warnings: [], recipients: [] };

document.documentElement.lang = chrome.i18n.getUILanguage();
document.getElementById('rapport-heading').textContent = t('overlay_heading');
const closeButton = document.getElementById('rapport-close');
closeButton.textContent = '×';
closeButton.setAttribute('aria-label', t('overlay_close'));
closeButton.title = t('overlay_close');
closeButton.addEventListener('click', () => tell({ type: 'close' }));
truncatedNote.textContent = t('overlay_truncated');

function onConnect(event) {
  const data = event.data;
  if (port || !token || !data || data.rapport !== 'connect' || data.token !== token || !event.ports[0]) return;
  port = event.ports[0];
  window.removeEventListener('message', onConnect);
  port.onmessage = (message) => {
    if (message.data && message.data.type === 'render') render(message.data);
  };
}
window.addEventListener('message', onConnect);

function tell(message) {
  if (port) port.postMessage(message);
}

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    event.preventDefault();
    tell({ type: 'close' });
  }
});

function element(tag, attributes, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
  if (text != null) node.textContent = String(text);
  return node;
}

const STATUS_KEYS = { idle: 'overlay_idle', inactive: 'overlay_inactive', error: 'overlay_error', warnings: '' };

function render(payload) {
  current = {
    state: STATUS_KEYS[payload.state] !== undefined ? payload.state : 'error',
    warnings: Array.isArray(payload.warnings) ? payload.warnings : [],
    recipients: Array.isArray(payload.recipients) ? payload.recipients : [],
    truncated: Boolean(payload.truncated),
  };
  root.setAttribute('data-rapport-state', current.state);
  status.textContent = STATUS_KEYS[current.state] ? t(STATUS_KEYS[current.state]) : '';
  truncatedNote.hidden = !current.truncated;
  list.replaceChildren(...current.warnings.map(renderWarning));
  // Now, not in an animation frame: a closed (invisible) frame gets none, and the
  // panel must know its size before it opens rather than move under the pointer.
  tell({ type: 'height', px: document.documentElement.scrollHeight });
}

function renderWarning(warning) {
  const severity = ['stop', 'caution', 'info'].includes(warning.severity) ? warning.severity : 'info';
  const item = element('li', { class: 'warning', 'data-rule': String(warning.rule), 'data-severity': severity });
  const head = element('div');
  head.append(element('span', { class: 'severity' }, t(`overlay_severity_${severity}`)), element('span', { class: 'rule' }, warning.rule));
  item.append(head, element('p', { class: 'message' }, warning.message || ''));
  const evidence = renderEvidence(warning.evidence);
  if (evidence) item.append(evidence);
  if (Array.isArray(warning.suggestions) && warning.suggestions.length) {
    const suggestions = element('ul', { class: 'suggestions', 'aria-label': t('overlay_suggestions') });
    for (const suggestion of warning.suggestions) suggestions.append(element('li', {}, suggestion));
    item.append(suggestions);
  }
  item.append(renderActions(warning));
  return item;
}

// Internal keys (ids, scores, how a match was made) help the CLI's JSON, not a person
// deciding whether to send.
const HIDDEN_EVIDENCE = /(^|_)(ids?|score|matched_by)$|^contact(_id)?$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
const MAX_EVIDENCE_ROWS = 6;

/** Scalar facts of the evidence as "label: value" rows; nested detail stays in the CLI. */
function renderEvidence(evidence) {
  if (!evidence || typeof evidence !== 'object' || Array.isArray(evidence)) return null;
  const rows = [];
  for (const [key, value] of Object.entries(evidence)) {
    if (HIDDEN_EVIDENCE.test(key) || rows.length >= MAX_EVIDENCE_ROWS * 2) continue;
    const shown = displayValue(key, value);
    if (shown === null) continue;
    rows.push(element('dt', {}, key.replace(/[_-]+/g, ' ')), element('dd', {}, shown));
  }
  if (!rows.length) return null;
  const dl = element('dl', { class: 'evidence', 'aria-label': t('overlay_evidence') });
  dl.append(...rows);
  return dl;
}

function displayValue(key, value) {
  if (value === null || value === undefined || value === '') return null;
  const isTime = /(^|_)(time|date|at|since|last|first)(_|$)|_on$/.test(key) && typeof value === 'number' && value > 1e11;
  if (isTime || (typeof value === 'string' && ISO_TIME.test(value))) {
    return new Date(value).toLocaleDateString(chrome.i18n.getUILanguage(), { year: 'numeric', month: 'short', day: 'numeric' });
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.length && value.every((entry) => ['string', 'number'].includes(typeof entry))) {
    const shown = value.slice(0, 5).join(', ');
    return value.length > 5 ? `${shown}, …` : shown;
  }
  return null;
}

function renderActions(warning) {
  const actions = element('div', { class: 'actions' });
  const button = (key, onClick) => {
    const node = element('button', { type: 'button', 'data-action': key }, t(key));
    node.addEventListener('click', () => {
      node.disabled = true;
      Promise.resolve(onClick())
        .catch((error) => showProblem(error))
        .finally(() => {
          node.disabled = false;
        });
    });
    actions.append(node);
  };
  button('overlay_actionDismiss', () => tell({ type: 'dismiss', rule: warning.rule }));
  button('overlay_actionExceptPerson', async () => {
    const contact = await contactFor(warning);
    await ask({ type: 'add_exception', contact, rule: warning.rule });
    tell({ type: 'reanalyze' });
  });
  button('overlay_actionRuleOff', async () => {
    const reply = await ask({ type: 'get_settings' });
    const settings = reply.settings || {};
    settings.rules = settings.rules || {};
    settings.rules[warning.rule] = { ...(settings.rules[warning.rule] || {}), enabled: false };
    await ask({ type: 'set_settings', settings });
    tell({ type: 'reanalyze' });
  });
  button('overlay_actionOpenContact', async () => {
    // The popup page, in a tab of its own, shows the person this tab's draft goes to
    // (popup.html?tab=<id> names the tab whose draft it reads).
    const tab = await chrome.tabs.getCurrent();
    if (!tab) throw new Error(t('overlay_noContact'));
    await chrome.tabs.create({ url: chrome.runtime.getURL(`popup/popup.html?tab=${tab.id}`), openerTabId: tab.id });
  });
  return actions;
}

async function ask(message) {
  const reply = await chrome.runtime.sendMessage(message);
  if (!reply || reply.ok !== true) throw new Error((reply && reply.error) || t('overlay_noReply'));
  return reply;
}

/** The contact a warning is about: named by the evidence, else the first recipient's. */
async function contactFor(warning) {
  const evidence = warning.evidence || {};
  const named = evidence.contact_id || evidence.contact;
  if (typeof named === 'string' && named) return named;
  const recipient = current.recipients[0];
  if (!recipient) throw new Error(t('overlay_noContact'));
  const reply = await ask({ type: 'contact_summary', recipient });
  const contact = reply.contact || reply.summary || reply;
  const id = contact && (contact.id || (contact.contact && contact.contact.id));
  if (!id) throw new Error(t('overlay_noContact'));
  return id;
}

function showProblem(error) {
  status.textContent = t('overlay_actionFailed', [String((error && error.message) || error)]);
  tell({ type: 'height', px: document.documentElement.scrollHeight });
}
