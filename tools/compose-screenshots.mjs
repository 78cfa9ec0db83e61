#!/usr/bin/env node
// Regenerates docs/screenshots/compose-*.png: the overlay open on each site's fixture,
// with the sample history imported, as the README shows it.
//
//   ./build.sh && node tools/compose-screenshots.mjs
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../tests/e2e/harness.mjs';
import { launchWithFixtures, open, typeInto, waitForOverlay, openPanel } from '../tests/e2e/compose.mjs';
import { seedHistory } from '../tests/e2e/history.mjs';

const OUT = join(ROOT, 'docs', 'screenshots');
// With the sample history, the pitch to Brian (four years of email) is the headline;
// the other drafts' rules need no history.
const PITCH = [
  'Hi Brian,',
  '',
  "I'm reaching out to introduce our consulting services. We help companies like yours cut costs by 30%.",
  'This launch pricing ends Friday, so would you have 15 minutes tomorrow for a quick call?',
].join('\n');
const FAVOR = [
  'Hi John,',
  'Could you endorse me for product strategy and introduce me to your CEO?',
  "I'll send you a $50 Amazon gift card if you do it today.",
].join('\n');
const TEMPLATE = 'Hi {first_name},\n\nI came across [Company] and was impressed. Do you have 15 minutes this week?\n';

const SHOTS = [
  { name: 'compose-linkedin', page: 'linkedinThread', editor: '.msg-form__contenteditable', text: PITCH },
  { name: 'compose-gmail', page: 'gmailPopup', editor: '.M9 >> nth=1 >> [g_editable="true"]', text: TEMPLATE, index: 1 },
  { name: 'compose-outlook', page: 'outlookPopout', editor: '[contenteditable="true"][aria-multiline="true"]', text: FAVOR },
];

const rapport = await launchWithFixtures();
try {
  await seedHistory(rapport).catch((error) => console.warn(`(without sample history: ${error.message})`));
  await mkdir(OUT, { recursive: true });
  for (const shot of SHOTS) {
    const page = await open(rapport, shot.page);
    await page.setViewportSize({ width: 1100, height: 760 });
    await typeInto(page, shot.editor, shot.text, { atStart: shot.atStart });
    const index = shot.index || 0;
    const shown = await waitForOverlay(page, (s) => s.state === 'warnings', { timeout: 15000, index });
    await openPanel(page, shot.editor, index);
    await page.waitForTimeout(400);
    const path = join(OUT, `${shot.name}.png`);
    await page.screenshot({ path });
    console.log(`${path}: ${shown.warnings.map((w) => `${w.rule}/${w.severity}`).join(', ')}`);
    await page.close();
  }
} finally {
  await rapport.close();
}
