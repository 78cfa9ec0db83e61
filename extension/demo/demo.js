// The bundled demo: a replica of a LinkedIn thread running the real LinkedIn adapter,
// composer and overlay. It adds a small sample history (Dana Whitfield's four years of
// email with Brian Okafor, and a prospect who said no) through the background, the
// same additive import an options page does, so a warning appears with no setup.
'use strict';

(() => {
  const R = globalThis.RapportContent;
  const t = (key, substitutions) => chrome.i18n.getMessage(key, substitutions) || key;
  const status = document.getElementById('demo-status');
  const editor = document.querySelector('.msg-form__contenteditable');
  const list = document.querySelector('.msg-s-message-list');

  document.title = t('demo_title');
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);

  // Sample drafts are sample data, like the thread above: in the demo's language.
  const SAMPLES = {
    pitch: [
      'Hi Brian,',
      '',
      "I'm reaching out on behalf of Dana Whitfield to introduce our new consulting services. We help companies like yours cut costs by 30%.",
      'This launch pricing ends Friday, so would you have 15 minutes tomorrow for a quick call?',
    ],
    placeholder: ['Hi {first_name},', '', 'I came across your profile and [insert compliment] — would love to connect!'],
    pressure: [
      'Hi Brian,',
      'Could you write me a LinkedIn recommendation? I will send you a $100 gift card for it.',
      'I need it today, this offer expires tonight!',
    ],
    friendly: ['Hi Brian,', '', 'Thanks again for the offsite last week. Coffee when you are back from Lagos?', '', 'Dana'],
  };

  function setDraft(lines) {
    const paragraphs = lines.map((line) => {
      const paragraph = document.createElement('p');
      if (line) paragraph.textContent = line;
      else paragraph.append(document.createElement('br'));
      return paragraph;
    });
    editor.replaceChildren(...paragraphs);
    // Rapport analyzes on focus; a programmatic change is not typing.
    editor.blur();
    editor.focus();
  }

  for (const button of document.querySelectorAll('[data-sample]')) {
    button.addEventListener('click', () => setDraft(SAMPLES[button.dataset.sample]));
  }

  // What the site itself would do on Send (Rapport's capture listener runs first).
  document.querySelector('.msg-form__send-button').addEventListener('click', () => {
    const text = editor.innerText.trim();
    if (!text) return;
    const item = document.createElement('li');
    item.className = 'msg-s-message-list__event';
    const event = document.createElement('div');
    event.className = 'msg-s-event-listitem';
    const body = document.createElement('div');
    body.className = 'msg-s-event-listitem__body';
    body.textContent = text;
    event.append(body);
    item.append(event);
    list.append(item);
    setDraft(['']);
    status.textContent = t('demo_sent');
  });

  async function seed() {
    const response = await fetch('sample-history.json');
    const batch = await response.json();
    const reply = await chrome.runtime.sendMessage({
      type: 'import_batch',
      import_id: 'rapport-demo-sample-history',
      file: 'demo/sample-history.json',
      batch,
    });
    if (!reply || reply.ok !== true) throw new Error((reply && reply.error) || 'no reply');
  }

  seed()
    .then(() => {
      status.textContent = t('demo_ready');
    })
    .catch((error) => {
      status.textContent = t('demo_seedFailed', [String((error && error.message) || error)]);
    })
    .finally(() => {
      R.controller = R.startComposer(R.adapters[0], 'demo');
    });
})();
