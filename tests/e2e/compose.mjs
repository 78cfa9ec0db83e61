// Helpers for the compose-box end-to-end tests: fixture pages at the sites' real URLs,
// the overlay frames, typing and reading what Rapport shows.
//
// Where the stable hooks live (see README, "In your compose box"): the warning list is rendered
// in the overlay frame (an extension page, origin chrome-extension://<id>), so tests
// reach it through Playwright's frame access; page scripts can't.
//   frame root:   main#rapport-overlay[data-rapport-state = idle|warnings|inactive|error]
//   each warning: li.warning[data-rule][data-severity]

import { join } from 'node:path';
import { launch, ROOT } from './harness.mjs';

export const FIXTURES = join(ROOT, 'tests', 'fixtures', 'sites');

/** Every fixture page, served at the URL the real site uses for that view. */
export const PAGES = {
  linkedinThread: { url: 'https://www.linkedin.com/messaging/thread/2-OGQ5ZjE1/', file: 'linkedin/thread.html' },
  linkedinBubbles: { url: 'https://www.linkedin.com/feed/', file: 'linkedin/bubbles.html' },
  linkedinInvitation: { url: 'https://www.linkedin.com/in/jane-doe/', file: 'linkedin/invitation.html' },
  linkedinInmail: { url: 'https://www.linkedin.com/messaging/compose/?recipient=marco-bianchi-3', file: 'linkedin/inmail.html' },
  linkedinLazy: { url: 'https://www.linkedin.com/messaging/thread/2-YWxleG0/', file: 'linkedin/thread-lazy.html' },
  linkedinHashed: { url: 'https://www.linkedin.com/messaging/thread/2-aGFzaGVk/', file: 'linkedin/thread-hashed.html' },
  linkedinXss: { url: 'https://www.linkedin.com/messaging/thread/2-eHNz/', file: 'linkedin/thread-xss.html' },
  linkedinHostile: { url: 'https://www.linkedin.com/messaging/thread/2-aG9zdGlsZQ/', file: 'linkedin/hostile.html' },
  gmailPopup: { url: 'https://mail.google.com/mail/u/0/#inbox?compose=new', file: 'gmail/popup.html' },
  gmailReply: { url: 'https://mail.google.com/mail/u/2/#inbox/FMfcgzQbfxyzKLMNOPQRSTUV', file: 'gmail/reply.html' },
  gmailFrench: { url: 'https://mail.google.com/mail/u/1/#inbox?compose=new', file: 'gmail/compose-fr.html' },
  outlookReadingPane: { url: 'https://outlook.office.com/mail/inbox/id/AAQkAGI2TG93AAA%3D', file: 'outlook/reading-pane.html' },
  outlookPopout: { url: 'https://outlook.office365.com/mail/deeplink/compose', file: 'outlook/popout.html' },
  outlookGerman: { url: 'https://outlook.live.com/mail/0/deeplink/compose', file: 'outlook/compose-de.html' },
};

/** Launches Chromium with dist/ and every fixture routed. */
export async function launchWithFixtures(options = {}) {
  const rapport = await launch({ dist: process.env.RAPPORT_E2E_DIST || undefined, ...options });
  rapport.serve((url) => new URL(url).pathname === '/rapport-fixture/site-sim.js', { file: join(FIXTURES, 'site-sim.js') });
  for (const page of Object.values(PAGES)) {
    const target = new URL(page.url);
    // Fragments never reach the network; match on everything before them.
    const wanted = target.origin + target.pathname + target.search;
    rapport.serve((url) => {
      const u = new URL(url);
      return u.origin + u.pathname + u.search === wanted;
    }, { file: join(FIXTURES, page.file) });
  }
  return rapport;
}

export async function open(rapport, name) {
  const page = await rapport.openSite(PAGES[name].url);
  page.rapportDialogs = [];
  page.on('dialog', (dialog) => {
    page.rapportDialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  return page;
}

export function overlayFrames(page) {
  return page.frames().filter((frame) => /^chrome-extension:\/\/[^/]+\/overlay\/overlay\.html/.test(frame.url()));
}

/** What overlay frame `index` (in the order compose boxes were found) shows. */
export async function overlayState(page, index = 0) {
  const frame = overlayFrames(page)[index];
  if (!frame) return null;
  return frame.evaluate(() => {
    const root = document.getElementById('rapport-overlay');
    return {
      state: root.getAttribute('data-rapport-state'),
      warnings: Array.from(root.querySelectorAll('li.warning'), (li) => ({
        rule: li.getAttribute('data-rule'),
        severity: li.getAttribute('data-severity'),
        text: li.querySelector('.message').textContent,
      })),
      text: root.textContent,
      images: document.images.length,
    };
  });
}

/** Polls until `predicate(state)` holds for overlay `index`; returns that state. */
export async function waitForOverlay(page, predicate, { index = 0, timeout = 15000 } = {}) {
  const deadline = Date.now() + timeout;
  let last = null;
  while (Date.now() < deadline) {
    try {
      last = await overlayState(page, index);
      if (last && predicate(last)) return last;
    } catch {
      // The frame is (re)loading.
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`overlay ${index} never matched; last seen: ${JSON.stringify(last)}`);
}

export const hasRule = (rule) => (state) => state.warnings.some((w) => w.rule === rule);
export const rulesOf = (state) => state.warnings.map((w) => w.rule).sort();

/**
 * Opens overlay `index`'s warning list the way a user does: a click on its badge,
 * which sits (in a closed shadow root) at the editor's bottom-right corner.
 */
export async function openPanel(page, editorSelector, index = 0) {
  await page.locator(editorSelector).waitFor();
  const { x, y } = await badgeCenter(page, index);
  await page.mouse.click(x, y);
  const frameElement = await overlayFrames(page)[index].frameElement();
  await frameElement.waitForElementState('visible');
  // A verdict may still be re-placing the panel: click only once it holds still.
  let last = null;
  let steady = 0;
  for (let i = 0; i < 30 && steady < 3; i++) {
    const box = JSON.stringify(await frameElement.boundingBox());
    steady = box === last ? steady + 1 : 0;
    last = box;
    await page.waitForTimeout(100);
  }
  return overlayFrames(page)[index];
}

/**
 * Clicks `selector` inside an open panel frame as a user does, once input really reaches
 * the frame. The panel is an out-of-process frame: right after it opens, on a loaded
 * machine, Chromium can still route the pointer by stale hit-test data to the page
 * beneath, and a click is lost (seen 1 run in 6 at load 6). A mouse move the frame
 * itself reports proves the routing is current.
 */
export async function clickInPanel(page, frame, selector) {
  const target = frame.locator(selector);
  await target.waitFor();
  await frame.evaluate(() => {
    window.__e2ePointerArrived = false;
    document.addEventListener('mousemove', () => { window.__e2ePointerArrived = true; }, { once: true });
  });
  for (let attempt = 0; attempt < 50; attempt++) {
    const box = await target.boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2 + (attempt % 2), box.y + box.height / 2);
      if (await frame.evaluate(() => window.__e2ePointerArrived)) break;
    }
    await page.waitForTimeout(100);
  }
  await target.click();
}

/**
 * Where badge `index` is on screen. The badge lives in a closed shadow root, which
 * only the DevTools protocol (like assistive technology) reaches; page scripts can't.
 */
export async function badgeCenter(page, index = 0) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const hosts = [];
    const walk = (node) => {
      if (node.nodeName === 'RAPPORT-OVERLAY') hosts.push(node);
      for (const child of [...(node.children || []), ...(node.shadowRoots || [])]) walk(child);
    };
    walk(root);
    let badge = null;
    const findBadge = (node) => {
      const attributes = node.attributes || [];
      const cls = attributes[attributes.indexOf('class') + 1];
      if (node.nodeName === 'BUTTON' && attributes.includes('class') && cls === 'badge') badge = node;
      for (const child of [...(node.children || []), ...(node.shadowRoots || [])]) if (!badge) findBadge(child);
    };
    if (!hosts[index]) throw new Error(`no overlay host ${index}`);
    findBadge(hosts[index]);
    if (!badge) throw new Error(`overlay host ${index} has no badge`);
    const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: badge.backendNodeId });
    const [x1, y1, , , x3, y3] = model.border;
    return { x: (x1 + x3) / 2, y: (y1 + y3) / 2 };
  } finally {
    await cdp.detach();
  }
}

export async function panelVisible(page, index = 0) {
  return (await overlayFrames(page)[index].frameElement()).isVisible();
}

/** Clicks into an editor and types like a person (trusted key events). */
export async function typeInto(page, selector, text, { atStart = false } = {}) {
  const editor = page.locator(selector);
  await editor.click();
  if (atStart) await page.keyboard.press('Control+Home');
  await page.keyboard.type(text);
}

/** Empties a contenteditable or textarea through the keyboard, as a user would. */
export async function clearEditor(page, selector) {
  await page.locator(selector).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
}

export async function sentOnPage(page) {
  return page.evaluate(() => window.__sent.slice());
}

/** The draft the background last analyzed for this tab (extension-page request). */
export async function activeDraft(rapport, page) {
  const probe = await rapport.openExtensionPage('e2e-probe.html');
  try {
    const reply = await probe.evaluate(async (url) => {
      const tabs = await chrome.tabs.query({});
      const tab = tabs.find((t) => t.url === url);
      return chrome.runtime.sendMessage({ type: 'active_draft', tab: tab ? tab.id : -1 });
    }, page.url());
    if (!reply || reply.ok !== true || !reply.draft) throw new Error(`active_draft gave no draft: ${JSON.stringify(reply)}`);
    return reply;
  } finally {
    await probe.close();
  }
}
