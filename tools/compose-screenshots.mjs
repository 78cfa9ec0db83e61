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
const PITCH = [
  'Hi Brian,',
  '',
  "I'm reaching out to introduce our consulting services. We help companies like yours cut costs by 30%.",
  'Would you have 15 minutes next week for a quick call to discuss pricing?',
].join('\n');

const SHOTS = [
  { name: 'compose-linkedin', page: 'linkedinThread', editor: '.msg-form__contenteditable', text: PITCH },
  { name: 'compose-gmail', page: 'gmailPopup', editor: '.M9 >> nth=0 >> [g_editable="true"]', text: PITCH },
  { name: 'compose-outlook', page: 'outlookReadingPane', editor: '[contenteditable="true"][aria-multiline="true"]', text: `${PITCH}\n`, atStart: true },
];

const rapport = await launchWithFixtures();
try {
  await seedHistory(rapport);
  await mkdir(OUT, { recursive: true });
  for (const shot of SHOTS) {
    const page = await open(rapport, shot.page);
    await page.setViewportSize({ width: 1100, height: 760 });
    await typeInto(page, shot.editor, shot.text, { atStart: shot.atStart });
    const shown = await waitForOverlay(page, (s) => s.state === 'warnings', { timeout: 15000 });
    await openPanel(page, shot.editor);
    await page.waitForTimeout(400);
    const path = join(OUT, `${shot.name}.png`);
    await page.screenshot({ path });
    console.log(`${path}: ${shown.warnings.map((w) => `${w.rule}/${w.severity}`).join(', ')}`);
    await page.close();
  }
} finally {
  await rapport.close();
}
