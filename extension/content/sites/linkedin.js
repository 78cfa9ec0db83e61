// LinkedIn adapter: the /messaging/ thread page, chat bubbles (several at once), a new
// message with recipient pills, InMail with a subject, and the connection invitation's
// "Add a note" (also inside the open shadow root of #interop-outlet).
//
// Every selector lives in SELECTORS, ordered fallbacks, first match wins; see
// /work/shared/site-notes.md for where each was seen. Hashed class names are never used.
'use strict';

(() => {
  const R = globalThis.RapportContent;
  if (!R) return;

  const SELECTORS = {
    // Hosts whose open shadow roots hold dialogs (the invitation on newer profile pages).
    shadowHosts: ['#interop-outlet'],
    messageEditors: [
      '.msg-form__contenteditable[contenteditable="true"]',
      '.msg-form [role="textbox"][contenteditable="true"]',
      '[role="dialog"] [role="textbox"][contenteditable="true"]',
      '.msg-thread [role="textbox"][contenteditable="true"]',
      'main [role="textbox"][contenteditable="true"]',
    ],
    inviteNotes: ['textarea#custom-message', '[role="dialog"] textarea[name="message"]'],
    // Containers, innermost first: a bubble is a dialog; the thread page is .msg-thread.
    composeRoots: [
      '[id^="msg-overlay-conversation-bubble-"]',
      '.msg-overlay-conversation-bubble',
      '[role="dialog"]',
      '.msg-thread',
      '.scaffold-layout__list-detail-inner',
      'main',
    ],
    inviteRoots: ['[role="dialog"]', '.send-invite'],
    recipientName: [
      '.msg-entity-lockup__entity-title',
      '.artdeco-entity-lockup__title > *:first-child',
      '.msg-overlay-bubble-header__title',
      '.msg-thread__link-to-profile',
      'header h2',
    ],
    recipientLink: [
      '.msg-thread__link-to-profile',
      '.msg-overlay-bubble-header a[href*="/in/"]',
      '.msg-entity-lockup a[href*="/in/"]',
      'header a[href*="/in/"]',
      '.artdeco-entity-lockup a[href*="/in/"]',
    ],
    recipientPills: ['.msg-compose__recipient-pills .artdeco-pill', '.artdeco-pill', '[data-recipient-pill]'],
    subject: ['input[name="subject"]', '[role="dialog"] input[name="subject"]'],
    sendButton: ['.msg-form__send-button', 'button[type="submit"].msg-form__send-btn', '.msg-form button[type="submit"]'],
    inviteSend: ['button[aria-label="Send invitation"]', 'button[aria-label="Send now"]', 'button.artdeco-button--primary'],
    messageList: ['.msg-s-message-list', '.msg-s-message-list-content', '[role="list"]'],
    messageItems: ['.msg-s-event-listitem'],
    messageBody: ['.msg-s-event-listitem__body', '.msg-s-event__content'],
    groupName: ['.msg-s-message-group__name', '.msg-s-message-group__profile-link'],
    groupLink: ['a.msg-s-message-group__profile-link', 'a[href*="/in/"]'],
    groupTime: ['time[datetime]', '.msg-s-message-group__timestamp', 'time'],
    account: ['img.global-nav__me-photo[alt]', '.global-nav__me-photo[alt]'],
    threadLink: ['a[href*="/messaging/thread/"]'],
  };
  // The new-message bubble's header is a label, not a person.
  const NOT_A_NAME = /^(new message|nouveau message|neue nachricht|nuevo mensaje)$/i;

  function searchRoots(doc) {
    const roots = [doc];
    for (const selector of SELECTORS.shadowHosts) {
      for (const host of doc.querySelectorAll(selector)) if (host.shadowRoot) roots.push(host.shadowRoot);
    }
    return roots;
  }

  function findComposes(doc) {
    const composes = [];
    const seen = new Set();
    for (const root of searchRoots(doc)) {
      for (const editor of R.firstAll(root, SELECTORS.messageEditors)) {
        if (seen.has(editor)) continue;
        seen.add(editor);
        const container = R.closestOf(editor, SELECTORS.composeRoots);
        composes.push({ editor, root: container, kind: 'message' });
      }
      for (const editor of R.firstAll(root, SELECTORS.inviteNotes)) {
        if (seen.has(editor)) continue;
        seen.add(editor);
        composes.push({ editor, root: R.closestOf(editor, SELECTORS.inviteRoots), kind: 'invitation' });
      }
    }
    return composes;
  }

  function profileLinkIn(root) {
    const link = R.first(root, SELECTORS.recipientLink);
    return link ? R.linkedinIdentity(link.getAttribute('href')) : null;
  }

  function messageRecipients(compose) {
    const root = compose.root;
    if (!root) return null;
    const pills = R.firstAll(root, SELECTORS.recipientPills);
    if (pills.length) {
      return pills.map((pill) => {
        const link = pill.querySelector('a[href*="/in/"]');
        return {
          name: R.cleanText(pill.getAttribute('data-name') || pill.textContent) || null,
          identity: R.linkedinIdentity(pill.getAttribute('data-profile-url') || (link && link.getAttribute('href'))),
        };
      });
    }
    const nameNode = R.first(root, SELECTORS.recipientName);
    const name = nameNode ? R.cleanText(nameNode.textContent) : '';
    const identity = profileLinkIn(root);
    if ((!name || NOT_A_NAME.test(name)) && !identity) return null;
    return [{ name: name && !NOT_A_NAME.test(name) ? name : null, identity }];
  }

  function invitationRecipients() {
    // The invitation dialog doesn't name the person; the profile page behind it does.
    const identity = R.linkedinIdentity(location.pathname);
    const name = R.cleanText(document.title.split('|')[0]);
    if (!identity && !name) return null;
    return [{ name: name || null, identity }];
  }

  function conversationId(compose) {
    const fromUrl = /\/messaging\/thread\/([^/?#]+)/.exec(location.pathname);
    if (compose.root && compose.root.matches('[id^="msg-overlay-conversation-bubble-"], .msg-overlay-conversation-bubble, [role="dialog"]')) {
      const link = R.first(compose.root, SELECTORS.threadLink);
      const match = link && /\/messaging\/thread\/([^/?#]+)/.exec(link.getAttribute('href'));
      if (match) return match[1];
      const data = compose.root.getAttribute('data-conversation-id');
      if (data) return data;
      // A bubble over a thread page is a different conversation: don't borrow the URL's.
      return null;
    }
    return fromUrl ? fromUrl[1] : null;
  }

  function account() {
    const photo = R.first(document, SELECTORS.account);
    const name = photo ? R.cleanText(photo.getAttribute('alt')).replace(/^photo of\s+/i, '') : '';
    return name ? { name, identity: null } : null;
  }

  function read(compose) {
    const invitation = compose.kind === 'invitation';
    const recipients = invitation ? invitationRecipients() : messageRecipients(compose);
    const subjectInput = compose.root ? R.first(compose.root, SELECTORS.subject) : null;
    return {
      editor: R.readEditable(compose.editor, []),
      recipients,
      subject: subjectInput ? subjectInput.value.trim() || null : null,
      conversation: invitation ? null : conversationId(compose),
      account: account(),
    };
  }

  function parseTime(node) {
    if (!node) return null;
    const stamp = Date.parse(node.getAttribute('datetime') || '');
    return Number.isFinite(stamp) ? stamp : null;
  }

  function readConversation(compose) {
    if (compose.kind !== 'message' || !compose.root) return null;
    const recipients = messageRecipients(compose);
    if (!recipients || recipients.length !== 1) return null;
    const list = R.first(compose.root, SELECTORS.messageList);
    if (!list) return null;
    const me = account();
    const messages = [];
    let sender = null;
    let time = null;
    for (const item of R.firstAll(list, SELECTORS.messageItems)) {
      const group = item.closest('li') || item;
      const nameNode = R.first(group, SELECTORS.groupName);
      if (nameNode) {
        const link = R.first(group, SELECTORS.groupLink);
        sender = {
          name: R.cleanText(nameNode.textContent) || null,
          identity: link ? R.linkedinIdentity(link.getAttribute('href')) : null,
        };
        time = parseTime(R.first(group, SELECTORS.groupTime));
      }
      const body = R.first(item, SELECTORS.messageBody);
      const text = body ? R.readEditable(body, []).text.trim() : '';
      if (!text) continue;
      const mine = !item.classList.contains('msg-s-event-listitem--other');
      const from = mine ? me || { name: null, identity: null } : sender || recipients[0];
      messages.push({ from, mine, time, text });
    }
    return { id: conversationId(compose), with: recipients[0], messages };
  }

  function sendButton(compose) {
    if (!compose.root) return null;
    return R.first(compose.root, compose.kind === 'invitation' ? SELECTORS.inviteSend : SELECTORS.sendButton);
  }

  R.registerAdapter({
    site: 'linkedin',
    channel: 'linkedin',
    selectors: SELECTORS,
    quoteSelectors: [],
    searchRoots,
    findComposes,
    read,
    readConversation,
    sendButton,
    triggerSend: (button) => button.click(),
  });
})();
