// Injection (issue 10): the XSS corpus (tests/fixtures/xss/corpus.json) as recipient
// names, thread messages, contact names and tags, subjects and bodies, and import file
// names must render as literal text in the overlay, the popup and the options page:
// the text appears verbatim, nothing executes (no dialog, no window.__xss, no element
// the payload would create, no CSP refusal of an inline script). And the lint in
// `./build.sh test` really fails on every markup sink and eval it promises to catch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launchWithFixtures, open, typeInto, waitForOverlay, hasRule, overlayFrames } from './compose.mjs';
import { ROOT } from './harness.mjs';

const XSS = join(ROOT, 'tests', 'fixtures', 'xss');
const { payloads } = JSON.parse(await readFile(join(XSS, 'corpus.json'), 'utf8'));
const TEMPLATE = await readFile(join(XSS, 'thread.template.html'), 'utf8');
const run = promisify(execFile);

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
// What a reader sees: whitespace runs collapse (the DOM's text keeps the characters).
const squash = (s) => s.replace(/\s+/g, ' ').trim();
const EXECUTED = /Refused to execute|Refused to load|Refused to apply inline/;

let rapport;
const consoleProblems = [];
before(async () => {
  rapport = await launchWithFixtures();
  rapport.context.on('page', (page) => page.on('console', (m) => EXECUTED.test(m.text()) && consoleProblems.push(m.text())));
});
after(async () => {
  await rapport?.close();
});

async function assertInert(target, label) {
  const found = await target.evaluate(() => ({
    xss: window.__xss ?? null,
    created: document.querySelectorAll('img[src="x"], script:not([src]), svg[onload], iframe[srcdoc], details[ontoggle], a[href^="javascript:"], math, b[data-rule]').length,
  }));
  assert.deepEqual(found, { xss: null, created: 0 }, label);
}

test('the overlay shows every payload as a recipient name, verbatim and inert', async () => {
  for (const [i, payload] of payloads.entries()) {
    const url = `https://www.linkedin.com/messaging/thread/2-eHNzLWNvcnB1cw${i}/`;
    rapport.serve(url, {
      body: TEMPLATE.replaceAll('{{NAME}}', escapeHtml(payload)).replaceAll('{{BODY}}', escapeHtml(payload)).replaceAll('{{SLUG}}', `xss-corpus-${i}`),
    });
    const page = await rapport.openSite(url);
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    await typeInto(page, '.msg-form__contenteditable', 'Hi Zed, good to see you. Quick [insert company] question.');
    const shown = await waitForOverlay(page, hasRule('merge-field'));
    const greeting = shown.warnings.find((w) => w.rule === 'greeting-mismatch');
    if (squash(payload).match(/\p{L}{2,}/u)) {
      assert.ok(greeting, `payload ${i}: a name with words gets a greeting check: ${JSON.stringify(shown.warnings)}`);
      assert.ok(squash(greeting.text).includes(squash(payload)), `payload ${i} not verbatim: ${greeting.text}`);
    }
    assert.equal(shown.images, 0, `payload ${i} made an image in the overlay`);
    for (const frame of overlayFrames(page)) await assertInert(frame, `overlay, payload ${i}`);
    await assertInert(page, `page, payload ${i}`);
    assert.deepEqual(dialogs, [], `payload ${i} opened a dialog`);
    await page.close();
  }
  assert.deepEqual(consoleProblems, []);
});

test('the options page shows payload file names and senders as text', async () => {
  const page = await rapport.openExtensionPage('options/options.html');
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  const files = payloads.slice(0, 6).map((payload, i) => ({
    // File names may hold anything but a slash.
    name: `${payload.replaceAll('/', '∕')}.mbox`,
    mimeType: 'application/mbox',
    buffer: Buffer.from(
      `From x@example.com Mon Jan  1 00:00:00 2024\nFrom: "${payload.replace(/"/g, "'")}" <x${i}@example.com>\n` +
        `To: Dana <dana@whitfield.example>\nSubject: ${payload}\nMessage-ID: <x${i}@example.com>\n` +
        `Date: Mon, 1 Jan 2024 10:00:00 +0000\n\n${payload}\n`,
    ),
  }));
  files.push({ name: `${payloads[0]}.csv`, mimeType: 'text/csv', buffer: Buffer.from('not,a,linkedin\nexport,at,all\n') });
  await page.setInputFiles('#import-files', files);
  await page.waitForSelector('#import-confirm:not([hidden]), #import-errors li', { timeout: 60000 });
  await page.waitForTimeout(500);
  const text = squash(await page.textContent('body'));
  for (const file of files) {
    assert.ok(text.includes(squash(file.name)), `file name not shown verbatim: ${file.name}`);
  }
  await assertInert(page, 'options page');
  assert.deepEqual(dialogs, []);
  assert.deepEqual(consoleProblems, []);
  await page.close();
});

test('the popup shows payload names, tags and messages as text', async () => {
  const owner = { name: 'Dana Whitfield', identity: { kind: 'email', value: 'dana@whitfield.example' } };
  const contacts = payloads.map((payload, i) => ({
    id: `xss-${i}`,
    names: [payload],
    identities: [{ kind: 'email', value: `xss${i}@example.com` }],
    company: payload,
    position: payload,
    tags: { nicknames: [payload], preferred_name: payload, do_not_pitch: { reason: payload } },
    exceptions: [],
  }));
  const messages = payloads.flatMap((payload, i) => [0, 1].map((k) => ({
    id: `xss-m-${i}-${k}`,
    channel: 'email',
    direction: k === 0 ? 'sent' : 'received',
    from: k === 0 ? owner : { name: payload, identity: { kind: 'email', value: `xss${i}@example.com` } },
    to: [k === 0 ? { name: payload, identity: { kind: 'email', value: `xss${i}@example.com` } } : owner],
    time: Date.parse('2026-10-01T10:00:00Z') + k * 86400000,
    subject: payload,
    text: `${payload}\n\nNo thanks, not interested. ${payload}`,
  })));
  const seeded = await rapport.sendFromPage({ type: 'import_batch', import_id: 'xss-corpus', file: `${payloads[0]}.json`, batch: { contacts, messages } });
  assert.equal(seeded.ok, true, JSON.stringify(seeded));

  for (const [i, payload] of payloads.entries()) {
    const reply = await rapport.sendFromPage({ type: 'contact_summary', recipient: { identity: { kind: 'email', value: `xss${i}@example.com` } } });
    assert.equal(reply.contact?.tags?.preferred_name, payload, 'stored verbatim');
  }
  const popup = await rapport.openExtensionPage('popup/popup.html');
  const dialogs = [];
  popup.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  // Each payload contact found by search and opened, as a user would.
  for (const [i, payload] of payloads.entries()) {
    await popup.fill('#search', `xss${i}@example.com`);
    const item = popup.locator('#results li', { hasText: `xss${i}@example.com` });
    await item.waitFor();
    assert.ok(squash(await item.textContent()).includes(squash(payload)), `search result ${i} not verbatim`);
    await item.locator('button').first().click();
    await popup.waitForSelector('#contact:not([hidden])');
    const text = squash(await popup.textContent('#contact'));
    assert.ok(text.includes(squash(payload)), `contact view of payload ${i} not verbatim: ${text.slice(0, 300)}`);
    await assertInert(popup, `popup, payload ${i}`);
    await popup.goto(popup.url());
  }
  await assertInert(popup, 'popup');
  assert.deepEqual(dialogs, []);
  assert.deepEqual(consoleProblems, []);
  await popup.close();
});

test("the sink lint catches every sink it promises to, and today's tree is clean", async () => {
  const sinks = {
    'inner.js': 'el.innerHTML = name;',
    'outer.js': 'el.outerHTML = name;',
    'adjacent.js': "el.insertAdjacentHTML('beforeend', name);",
    'write.js': 'document.write(name);',
    'writeln.js': 'document.writeln(name);',
    'eval.js': 'eval(code);',
    'spaced-eval.mjs': 'window.eval (code);',
    'function.js': "const f = new Function('a', code);",
    'bare-function.js': "const f = Function('return 1');",
    'timer.js': "setTimeout('run()', 10);",
    'srcdoc.js': 'frame.srcdoc = html;',
    'fragment.js': 'range.createContextualFragment(html);',
    'unsafe.js': 'el.setHTMLUnsafe(html);',
    'page.html': '<script>document.body.innerHTML = location.hash</script>',
    'glue.rs': 'element.set_inner_html(&name);',
    'glue2.rs': 'element.insert_adjacent_html("beforeend", &name)?;',
  };
  const dir = await mkdtemp(join(tmpdir(), 'rapport-lint-'));
  try {
    for (const [file, line] of Object.entries(sinks)) {
      const folder = await mkdtemp(join(dir, 'case-'));
      await writeFile(join(folder, file), `// planted\n${line}\n`);
      const outcome = await run('bash', [join(ROOT, 'build.sh'), 'lint', folder]).then(
        () => ({ failed: false }),
        (error) => ({ failed: true, output: `${error.stdout}${error.stderr}` }),
      );
      assert.ok(outcome.failed, `the lint let ${file} (${line}) through`);
      assert.match(outcome.output, new RegExp(`${file.replace('.', '\\.')}:2:`), 'it names the file and line');
    }
    const clean = await mkdtemp(join(dir, 'clean-'));
    await writeFile(join(clean, 'ok.js'), "el.textContent = name;\nel.setAttribute('data-rule', rule);\n");
    await run('bash', [join(ROOT, 'build.sh'), 'lint', clean]);
    await run('bash', [join(ROOT, 'build.sh'), 'lint']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
