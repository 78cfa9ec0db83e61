// Regenerates docs/screenshots/ from the built extension (dist/), in headless
// Chromium, with the sample exports under tests/fixtures/: the images in
// the README's setup walkthrough show the real pages, not mock-ups.
//
//   ./build.sh && node tools/ui-screenshots.mjs

import { join } from 'node:path';
import { launch, ROOT } from '../tests/e2e/harness.mjs';

const OUT = join(ROOT, 'docs/screenshots');
const EXPORTS = join(ROOT, 'tests/fixtures/exports');
const dark = process.argv.includes('--dark');

const rapport = await launch();
try {
  const shot = async (page, name, selector) => {
    if (dark) await page.emulateMedia({ colorScheme: 'dark' });
    const path = join(OUT, `${name}${dark ? '-dark' : ''}.png`);
    if (selector) await page.locator(selector).screenshot({ path });
    else await page.screenshot({ path, fullPage: true });
    console.log(path);
  };

  const onboarding = await rapport.openExtensionPage('popup/popup.html');
  await onboarding.setViewportSize({ width: 380, height: 420 });
  await onboarding.waitForSelector('#onboarding:not([hidden])');
  await shot(onboarding, 'popup-onboarding');
  await onboarding.close();

  const options = await rapport.openExtensionPage('options/options.html');
  await options.setViewportSize({ width: 900, height: 900 });
  await options.waitForSelector('#rule-list fieldset');
  await options.setInputFiles('#import-files', [
    join(EXPORTS, 'messages.csv'),
    join(EXPORTS, 'Connections.csv'),
    join(EXPORTS, 'inbox.mbox'),
  ]);
  await options.waitForSelector('#import-confirm:not([hidden])');
  // The sample mailbox has as many messages from Brian as from Dana: say who the owner is.
  await options.fill('#import-owner-name', 'Dana Whitfield');
  await options.fill('#import-owner-identity', 'dana@whitfield.io');
  await shot(options, 'options-import-confirm', '#import');
  await options.click('#import-start');
  await options.waitForSelector('#import-result:not([hidden])');
  await shot(options, 'options-import', '#import');
  await options.click('#delegate-add');
  await options.fill('[data-path="delegates.0.name"]', 'Sam Reyes');
  await options.fill('[data-path="delegates.0.role"]', 'Personal Assistant to Dana Whitfield');
  await options.press('[data-path="delegates.0.role"]', 'Tab');
  await options.waitForFunction(() => document.getElementById('settings-status').textContent === 'Saved.');
  await shot(options, 'options-identities', '#identities');
  // The top of the rules: the gate, the sites and the first rules (the whole list is long).
  const rules = await options.locator('#rules').boundingBox();
  if (dark) await options.emulateMedia({ colorScheme: 'dark' });
  const path = join(OUT, `options-rules${dark ? '-dark' : ''}.png`);
  await options.screenshot({ path, fullPage: true, clip: { x: rules.x, y: rules.y, width: rules.width, height: 760 } });
  console.log(path);
  await options.close();

  const url = 'https://www.linkedin.com/messaging/thread/2-abc/';
  rapport.serve(url, { body: '<!doctype html><title>Messaging | LinkedIn</title><p>thread</p>' });
  const site = await rapport.openSite(url);
  await rapport.sendFromContent(site, {
    type: 'analyze',
    site: 'linkedin',
    draft: {
      text: "Hi Bryan, I'm reaching out because our platform helps consultancies like yours cut costs by 30%. Would you be open to a quick call next week?",
      channel: 'linkedin',
      recipients: [{ name: 'Brian Miller', identity: { kind: 'linkedin', value: 'brian-miller' } }],
      time: Date.now(),
    },
  });
  const worker = await rapport.serviceWorker();
  const tab = await worker.evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)?.id, site.url());
  const popup = await rapport.openExtensionPage(`popup/popup.html?tab=${tab}`);
  await popup.setViewportSize({ width: 380, height: 900 });
  await popup.waitForSelector('#contact:not([hidden])');
  await shot(popup, 'popup-contact');
} finally {
  await rapport.close();
}
