// Outlook on the web adapter (outlook.office.com, outlook.office365.com, outlook.live.com):
// compose in the reading pane and popped out; To/Cc/Bcc.
//
// Outlook localizes aria-labels, so the sturdy hooks are roles, aria-multiline,
// data-app-section and data-icon-name; English labels are the last fallbacks.
'use strict';

(() => {
  const R = globalThis.RapportContent;
  if (!R) return;

  const SELECTORS = {
    bodies: [
      '[contenteditable="true"][aria-multiline="true"][role="textbox"]',
      '[contenteditable="true"][aria-multiline="true"]',
      'div[aria-label="Message body"][contenteditable="true"]',
    ],
    composeRoots: [
      '[data-app-section="Form_Content"]',
      '[data-app-section="MailReadCompose"]',
      '[data-app-section="ComposeForm"]',
      '[role="main"]',
    ],
    // The non-multiline editables of a compose are To, Cc, Bcc in this order.
    recipientFields: [
      '[contenteditable="true"]:not([aria-multiline="true"])',
      '[role="textbox"]:not([aria-multiline="true"]):not(input)',
    ],
    recipientChips: [
      '[data-lpc-hover-target-id]',
      'span[title*="@"]',
      '[role="listitem"]',
      '[role="button"]',
    ],
    subject: [
      'input[aria-label="Add a subject"]',
      'input[placeholder="Add a subject"]',
      'input[type="text"][autocomplete="off"]',
    ],
    send: [
      'button[name="Send"]',
      'button:has([data-icon-name="Send"])',
      'button[aria-label="Send"]',
      'button[title^="Send"]',
    ],
    quotes: ['#appendonsend', '#divRplyFwdMsg', '[id^="divRplyFwdMsg"]', '#x_divRplyFwdMsg'],
    conversation: ['[aria-selected="true"][data-convid]', '[data-convid]'],
    messageBodies: ['[id^="UniqueMessageBody_"]', '[role="document"]'],
    messageContainers: ['[aria-label="Email message"]', '[role="listitem"]', '[data-message-id]'],
    messageSender: ['[data-sender] [title*="@"]', '[title*="@"]'],
    messageTime: ['time[datetime]', '[data-time]'],
    account: ['#mectrl_currentAccount_secondary', '#O365_MainLink_Me [title*="@"]', '[data-account-email]'],
  };

  function searchRoots(doc) {
    return [doc];
  }

  function findComposes(doc) {
    const composes = [];
    for (const editor of R.firstAll(doc, SELECTORS.bodies)) {
      const root = R.closestOf(editor, SELECTORS.composeRoots);
      if (!root) continue;
      composes.push({ editor, root, kind: root.matches('[data-app-section="Form_Content"]') ? 'popout' : 'reading-pane' });
    }
    return composes;
  }

  function parseChip(chip) {
    const title = chip.getAttribute('title') || chip.getAttribute('data-lpc-hover-target-id') || '';
    const fromText = R.parseAddressLike(chip.textContent);
    const identity = R.emailIdentity(title) || (fromText && fromText.identity) || null;
    const name = fromText ? fromText.name : null;
    if (!name && !identity) return null;
    return { name, identity };
  }

  /** To, Cc, Bcc; `null` when the compose shows no recipient field at all. */
  function recipients(compose) {
    const fields = R.firstAll(compose.root, SELECTORS.recipientFields).filter((field) => field !== compose.editor && !compose.editor.contains(field));
    if (!fields.length) return null;
    const all = [];
    for (const field of fields) {
      const chips = R.allOf(field, SELECTORS.recipientChips);
      if (chips.length) {
        for (const chip of chips) {
          const parsed = parseChip(chip);
          if (parsed) all.push(parsed);
        }
      } else {
        // Unresolved typing: "Name <addr>; other@x.com"
        for (const part of (field.textContent || '').split(/[;,]/)) {
          const parsed = R.parseAddressLike(part);
          if (parsed && parsed.identity) all.push(parsed);
        }
      }
    }
    return all;
  }

  function subject(root) {
    const inputs = R.firstAll(root, SELECTORS.subject);
    const input = inputs.length ? inputs[inputs.length - 1] : null;
    return input && input.value.trim() ? input.value.trim() : null;
  }

  function conversationId() {
    const node = R.first(document, SELECTORS.conversation);
    return node ? node.getAttribute('data-convid') : null;
  }

  function account() {
    const node = R.first(document, SELECTORS.account);
    if (!node) return null;
    const identity = R.emailIdentity(node.getAttribute('title') || node.getAttribute('data-account-email') || node.textContent);
    return identity ? { name: null, identity } : null;
  }

  function read(compose) {
    return {
      editor: R.readEditable(compose.editor, SELECTORS.quotes),
      recipients: recipients(compose),
      subject: subject(compose.root),
      conversation: compose.kind === 'popout' ? null : conversationId(),
      account: account(),
    };
  }

  function readConversation(compose) {
    if (compose.kind === 'popout') return null;
    const to = recipients(compose);
    if (!to || !to.length) return null;
    const me = account();
    const messages = [];
    const pane = compose.root.closest('[data-app-section="MailReadCompose"]') || compose.root;
    for (const body of R.firstAll(pane, SELECTORS.messageBodies)) {
      if (compose.root.contains(body) && compose.editor.contains(body)) continue;
      const container = R.closestOf(body, SELECTORS.messageContainers);
      if (!container) continue;
      const senderNode = R.first(container, SELECTORS.messageSender);
      if (!senderNode) continue;
      const from = { name: R.cleanText(senderNode.textContent) || null, identity: R.emailIdentity(senderNode.getAttribute('title')) };
      const timeNode = R.first(container, SELECTORS.messageTime);
      const stamp = timeNode ? Date.parse(timeNode.getAttribute('datetime') || timeNode.getAttribute('data-time') || '') : NaN;
      const text = R.readEditable(body, SELECTORS.quotes).text.trim();
      if (!text) continue;
      const mine = Boolean(me && from.identity && from.identity.value === me.identity.value);
      messages.push({ from, mine, time: Number.isFinite(stamp) ? stamp : null, text });
    }
    return { id: conversationId(), with: to[0], messages };
  }

  function sendButton(compose) {
    return R.first(compose.root, SELECTORS.send);
  }

  R.registerAdapter({
    site: 'outlook',
    channel: 'email',
    selectors: SELECTORS,
    quoteSelectors: SELECTORS.quotes,
    searchRoots,
    findComposes,
    read,
    readConversation,
    sendButton,
    triggerSend: (button) => button.click(),
  });
})();
