// Gmail adapter: popup compose, inline reply, several composes at once, To/Cc/Bcc chips.
//
// Queries are scoped to a compose root: other extensions inject their own
// contenteditables into Gmail's compose and those must not be mistaken for the body.
'use strict';

(() => {
  const R = globalThis.RapportContent;
  if (!R) return;

  const SELECTORS = {
    composeRoots: ['div.M9', 'div.AD', '[role="dialog"]', 'form'],
    // Inside a compose root, in fallback order.
    body: [
      '[g_editable="true"][role="textbox"][contenteditable="true"]',
      '[g_editable="true"][contenteditable="true"]',
      'div.Am.Al.editable[contenteditable="true"]',
      'div[aria-label="Message Body"][contenteditable="true"]',
    ],
    // Page-wide: where to look for bodies before climbing to their root.
    bodies: [
      '[g_editable="true"][contenteditable="true"]',
      'div.Am.Al.editable[contenteditable="true"]',
      'div[aria-label="Message Body"][contenteditable="true"]',
    ],
    recipientFields: { to: ['[name="to"]'], cc: ['[name="cc"]'], bcc: ['[name="bcc"]'] },
    recipientChips: ['[role="option"][data-hovercard-id]', '[data-hovercard-id]', 'span[email]'],
    // Older Gmail kept recipients in hidden inputs, "Name <addr>, ..."
    recipientInputs: ['input[name="to"]', 'textarea[name="to"]'],
    subject: ['input[name="subjectbox"]', 'input[name="subject"]'],
    threadSubject: ['h2.hP', 'h2[data-thread-perm-id]', '[role="main"] h2'],
    threadId: ['[data-legacy-thread-id]', '[data-thread-perm-id]'],
    send: [
      'div.T-I.aoO[role="button"]',
      '[role="button"][data-tooltip^="Send"]',
      '[role="button"][aria-label^="Send"]:not([aria-label*="option" i])',
      '.dC [role="button"]:first-child',
    ],
    quotes: ['.gmail_quote', 'blockquote.gmail_quote', '.gmail_extra', 'div.adL'],
    messages: ['div.adn[data-message-id]', '[data-message-id]'],
    messageBody: ['div.a3s', '.ii.gt'],
    messageSender: ['span.gD[email]', '[email][name]'],
    messageTime: ['span.g3[title]', 'span.g3'],
    account: ['[aria-label^="Google Account:"]', 'a[href^="https://accounts.google.com/SignOutOptions"]'],
  };

  function searchRoots(doc) {
    return [doc];
  }

  function findComposes(doc) {
    const composes = [];
    for (const editor of R.firstAll(doc, SELECTORS.bodies)) {
      const root = R.closestOf(editor, SELECTORS.composeRoots);
      if (!root) continue;
      // The body of this root must be this editor: a foreign editable nested in the
      // compose (another extension's) doesn't qualify.
      if (R.first(root, SELECTORS.body) !== editor) continue;
      composes.push({ editor, root, kind: root.matches('div.AD, [role="dialog"]') || root.querySelector('input[name="subjectbox"]') ? 'popup' : 'reply' });
    }
    return composes;
  }

  function chipsIn(field) {
    return R.allOf(field, SELECTORS.recipientChips).map((chip) => {
      const address = chip.getAttribute('data-hovercard-id') || chip.getAttribute('email') || '';
      const identity = R.emailIdentity(address);
      const name = R.cleanText(chip.getAttribute('data-name') || chip.getAttribute('name') || chip.textContent);
      return { name: name && (!identity || name.toLowerCase() !== identity.value) ? name : null, identity };
    });
  }

  /** To, then Cc, then Bcc. `null` when the compose shows no recipient field at all. */
  function recipients(root) {
    let fieldFound = false;
    const all = [];
    for (const kind of ['to', 'cc', 'bcc']) {
      for (const field of root.querySelectorAll(SELECTORS.recipientFields[kind].join(','))) {
        fieldFound = true;
        if (field.matches('input, textarea')) {
          for (const part of field.value.split(/[,;]/)) {
            const parsed = R.parseAddressLike(part);
            if (parsed && parsed.identity) all.push(parsed);
          }
        } else {
          all.push(...chipsIn(field));
        }
      }
    }
    if (!fieldFound) return null;
    const unique = new Map();
    for (const recipient of all) {
      const key = recipient.identity ? recipient.identity.value : `name:${recipient.name}`;
      if (!unique.has(key)) unique.set(key, recipient);
    }
    return Array.from(unique.values());
  }

  function threadContainer(root) {
    return root.closest('[role="main"]') || document;
  }

  function subject(root) {
    const input = R.first(root, SELECTORS.subject);
    if (input && input.value.trim()) return input.value.trim();
    if (root.matches('div.AD, [role="dialog"]') && input) return null;
    const heading = R.first(threadContainer(root), SELECTORS.threadSubject);
    return heading ? R.cleanText(heading.textContent) || null : null;
  }

  function conversationId(root) {
    if (root.closest('div.AD, [role="dialog"]')) return null;
    const node = R.first(threadContainer(root), SELECTORS.threadId);
    if (node) return node.getAttribute('data-legacy-thread-id') || node.getAttribute('data-thread-perm-id');
    const match = /#[^/]+\/([A-Za-z0-9]{12,})$/.exec(location.hash);
    return match ? match[1] : null;
  }

  function account() {
    const node = R.first(document, SELECTORS.account);
    const label = node ? node.getAttribute('aria-label') || '' : '';
    const identity = R.emailIdentity(label) || R.emailIdentity(document.title);
    if (!identity) return null;
    const name = R.cleanText(label.replace(/^Google Account:/, '').replace(/\(.*\)/, ''));
    return { name: name || null, identity };
  }

  function read(compose) {
    return {
      editor: R.readEditable(compose.editor, SELECTORS.quotes),
      recipients: recipients(compose.root),
      subject: subject(compose.root),
      conversation: conversationId(compose.root),
      account: account(),
    };
  }

  function readConversation(compose) {
    if (compose.root.closest('div.AD, [role="dialog"]')) return null;
    const to = recipients(compose.root);
    if (!to || !to.length) return null;
    const me = account();
    const messages = [];
    for (const node of R.firstAll(threadContainer(compose.root), SELECTORS.messages)) {
      const body = R.first(node, SELECTORS.messageBody);
      const senderNode = R.first(node, SELECTORS.messageSender);
      if (!body || !senderNode) continue;
      const from = {
        name: R.cleanText(senderNode.getAttribute('name') || senderNode.textContent) || null,
        identity: R.emailIdentity(senderNode.getAttribute('email')),
      };
      const timeNode = R.first(node, SELECTORS.messageTime);
      const stamp = timeNode ? Date.parse(timeNode.getAttribute('title') || '') : NaN;
      const text = R.readEditable(body, SELECTORS.quotes).text.trim();
      if (!text) continue;
      const mine = Boolean(me && from.identity && me.identity && from.identity.value === me.identity.value);
      messages.push({ from, mine, time: Number.isFinite(stamp) ? stamp : null, text });
    }
    return { id: conversationId(compose.root), with: to[0], messages };
  }

  function sendButton(compose) {
    return R.first(compose.root, SELECTORS.send);
  }

  // Gmail's buttons act on the mouse sequence, not on click() alone.
  function triggerSend(button) {
    const init = { bubbles: true, cancelable: true, composed: true, view: window, button: 0 };
    button.dispatchEvent(new MouseEvent('mousedown', init));
    button.dispatchEvent(new MouseEvent('mouseup', init));
    button.dispatchEvent(new MouseEvent('click', init));
  }

  R.registerAdapter({
    site: 'gmail',
    channel: 'email',
    selectors: SELECTORS,
    quoteSelectors: SELECTORS.quotes,
    searchRoots,
    findComposes,
    read,
    readConversation,
    sendButton,
    triggerSend,
  });
})();
