#!/usr/bin/env node
// `./build.sh demo`: opens Chromium with dist/ loaded on the bundled demo page
// (extension/demo/demo.html), a replica LinkedIn compose box with sample history.
// With a display it opens a window and waits until you close it. Without one it runs
// headless, saves screenshots under demo/ and prints the warnings the overlay showed.
import { chromium } from 'playwright-core';
import { mkdtemp, mkdir, rm, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { badgeCenter } from '../tests/e2e/compose.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.env.RAPPORT_DIST || join(ROOT, 'dist');
const OUT = join(ROOT, 'demo');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const headed = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) && !process.env.RAPPORT_DEMO_HEADLESS;

async function main() {
  await access(join(DIST, 'manifest.json')).catch(() => {
    throw new Error(`${DIST} has no manifest.json: run ./build.sh first`);
  });
  const profile = await mkdtemp(join(tmpdir(), 'rapport-demo-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: !headed,
    viewport: headed ? null : { width: 1100, height: 860 },
    args: [
      `--disable-extensions-except=${DIST}`,
      `--load-extension=${DIST}`,
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--host-resolver-rules=MAP * ~NOTFOUND',
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
  });
  try {
    const worker = context.serviceWorkers()[0] || (await context.waitForEvent('serviceworker', { timeout: 20000 }));
    const id = new URL(worker.url()).host;
    const url = `chrome-extension://${id}/demo/demo.html`;
    const page = context.pages()[0] || (await context.newPage());
    await page.goto(url);
    if (headed) {
      console.log(`Rapport demo open at ${url}: close the window when done.`);
      await new Promise((done) => context.on('close', done));
      return 0;
    }
    return await screenshotRun(page, url);
  } finally {
    await context.close().catch(() => {});
    await rm(profile, { recursive: true, force: true });
  }
}

async function overlay(page) {
  const frame = page.frames().find((f) => f.url().includes('/overlay/overlay.html'));
  if (!frame) return null;
  return frame.evaluate(() => {
    const root = document.getElementById('rapport-overlay');
    return {
      state: root.getAttribute('data-rapport-state'),
      warnings: Array.from(root.querySelectorAll('li.warning'), (li) => ({
        rule: li.dataset.rule,
        severity: li.dataset.severity,
        message: li.querySelector('.message').textContent,
      })),
    };
  }).catch(() => null);
}

async function screenshotRun(page, url) {
  console.log(`Headless demo (no display): ${url}`);
  const deadline = Date.now() + 30000;
  let shown = null;
  while (Date.now() < deadline) {
    shown = await overlay(page);
    if (shown && shown.state === 'warnings') break;
    await page.waitForTimeout(200);
  }
  await mkdir(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, 'demo-draft.png') });
  if (!shown || shown.state !== 'warnings') {
    console.error(`No warning appeared within 30 s (overlay state: ${shown ? shown.state : 'none'}).`);
    console.error(`Screenshot: ${join(OUT, 'demo-draft.png')}`);
    return 1;
  }
  // Open the list the way a user does: a click on the badge at the box's corner.
  const { x, y } = await badgeCenter(page);
  await page.mouse.click(x, y);
  await page.waitForTimeout(600);
  await page.screenshot({ path: join(OUT, 'demo-warnings.png') });
  const status = await page.locator('#demo-status').textContent();
  if (status) console.log(`Demo page: ${status}`);
  console.log(`Rapport showed ${shown.warnings.length} warning(s) on the demo draft:`);
  for (const warning of shown.warnings) {
    console.log(`  [${warning.severity}] ${warning.rule}: ${warning.message}`);
  }
  console.log(`Screenshots: ${join(OUT, 'demo-draft.png')}, ${join(OUT, 'demo-warnings.png')}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`demo failed: ${error.message}`);
    process.exit(1);
  },
);
