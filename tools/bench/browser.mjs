#!/usr/bin/env node
// The engine and the importers as wasm in headless Chromium (the extension's release
// profile; see tools/bench/wasm). Prints one JSON line per figure.
//
//   node tools/bench/browser.mjs analyze 1k 10k 100k
//   node tools/bench/browser.mjs import bench/data/100k
//
// The page is cross-origin isolated (COOP + COEP), which gives performance.now() 5 µs
// resolution instead of 100 µs, so single analyses of a few hundred µs can be timed;
// the mean over all runs is reported too.
import { chromium } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { join, dirname, resolve, relative, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATA = process.env.RAPPORT_BENCH_DATA || join(ROOT, 'bench', 'data');
const PKG = join(DATA, 'wasm-pkg');
const ORIGIN = 'https://bench.rapport.test';
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };

function parseSize(s) {
  const m = /^(\d+)([km]?)$/i.exec(s);
  if (!m) throw new Error(`${s} is not a size`);
  return Number(m[1]) * ({ '': 1, k: 1e3, m: 1e6 }[m[2].toLowerCase()]);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];
}

async function open() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run',
      '--host-resolver-rules=MAP * ~NOTFOUND'],
  });
  const page = await browser.newPage();
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    if (path === '/') return route.fulfill({ status: 200, headers: { ...headers, 'Content-Type': 'text/html' }, body: '<!doctype html><title>bench</title>' });
    const file = path.startsWith('/pkg/') ? join(PKG, path.slice(5)) : join(DATA, path.slice(6));
    if (!path.startsWith('/pkg/') && !path.startsWith('/data/')) return route.fulfill({ status: 404 });
    try {
      const body = await readFile(file);
      return route.fulfill({ status: 200, headers: { ...headers, 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' }, body });
    } catch {
      return route.fulfill({ status: 404 });
    }
  });
  await page.goto(`${ORIGIN}/`);
  const isolated = await page.evaluate(async () => {
    const mod = await import('/pkg/rapport_bench.js');
    await mod.default();
    window.bench = mod;
    return self.crossOriginIsolated;
  });
  const version = browser.version();
  return { browser, page, isolated, version };
}

async function analyzeSizes(sizes) {
  const { browser, page, isolated, version } = await open();
  try {
    await page.evaluate(async () => {
      const pools = await (await fetch('/data/pools.json')).text();
      window.engine = new window.bench.Bench(pools);
    });
    for (const size of sizes) {
      const r = await page.evaluate(({ size, rounds }) => {
        const { engine, bench } = window;
        const t0 = performance.now();
        const contacts = engine.build(size);
        const buildS = (performance.now() - t0) / 1000;
        const n = engine.draft_count();
        for (let i = 0; i < n; i++) engine.analyze(i);
        const times = [];
        const heaviest = [];
        const all0 = performance.now();
        for (let r = 0; r < rounds; r++) {
          for (let i = 0; i < n; i++) {
            const t = performance.now();
            engine.analyze(i);
            const dt = performance.now() - t;
            times.push(dt);
            if (engine.draft_kind(i) === 'heaviest') heaviest.push(dt);
          }
        }
        const meanMs = (performance.now() - all0) / times.length;
        let bytes = 0;
        for (let i = 0; i < n; i++) bytes += engine.draft_bytes(i);
        return { contacts, buildS, times, heaviest, meanMs, draftBytes: bytes / n, memory: bench.memory_bytes() };
      }, { size, rounds: 200 });
      const times = r.times.sort((a, b) => a - b);
      const heaviest = r.heaviest.sort((a, b) => a - b);
      console.log(JSON.stringify({
        bench: 'analyze-browser',
        messages: size,
        contacts: r.contacts,
        index_build_s: r.buildS,
        draft_bytes: Math.round(r.draftBytes),
        runs: times.length,
        p50_ms: percentile(times, 0.5),
        p99_ms: percentile(times, 0.99),
        mean_ms: r.meanMs,
        heaviest_p50_ms: percentile(heaviest, 0.5),
        wasm_memory_mb: r.memory / 1048576,
        timer_isolated: isolated,
        chromium: version,
      }));
    }
  } finally {
    await browser.close();
  }
}

async function importFiles(dir) {
  const { browser, page, version } = await open();
  try {
    for (const [name, format] of [['messages.csv', 'linkedin-csv'], ['mail.mbox', 'mbox']]) {
      const url = `/data/${relative(DATA, join(dir, name))}`;
      const r = await page.evaluate(async ({ url, name }) => {
        const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
        let best = Infinity;
        let messages = 0;
        for (let i = 0; i < 3; i++) {
          const t = performance.now();
          messages = window.bench.import_file(name, bytes);
          best = Math.min(best, performance.now() - t);
        }
        return { bytes: bytes.length, messages, seconds: best / 1000, memory: window.bench.memory_bytes() };
      }, { url, name });
      console.log(JSON.stringify({
        bench: 'import-browser',
        file: relative(ROOT, join(dir, name)),
        format,
        bytes: r.bytes,
        messages: r.messages,
        seconds: r.seconds,
        mb_per_s: r.bytes / 1048576 / r.seconds,
        messages_per_s: r.messages / r.seconds,
        chromium: version,
      }));
    }
  } finally {
    await browser.close();
  }
}

const [command, ...args] = process.argv.slice(2);
if (command === 'analyze') await analyzeSizes(args.map(parseSize));
else if (command === 'import' && args.length === 1) await importFiles(resolve(args[0]));
else {
  console.error('usage: browser.mjs analyze SIZE... | import DIR');
  process.exit(2);
}
