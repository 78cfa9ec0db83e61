// Rapport content-script core: shared by every site adapter.
//
// Runs in the extension's isolated world on LinkedIn, Gmail and Outlook (and in the
// demo page). It finds compose boxes through the one adapter loaded for this site,
// reads them only when typing pauses, asks the background for a verdict and hands it
// to the overlay. It never edits the page's editable content and never holds history:
// the background answers with warnings only.
//
// Everything here must fail open: any exception inside Rapport leaves the page, the
// draft and the Send button exactly as they would be without the extension.
'use strict';

(() => {
  if (globalThis.RapportContent) return;

  const ANALYZE_DELAY_MS = 300;
  // A full rescan is a few querySelectorAll calls; mutation bursts (a thread loading,
  // a compose opening) are coalesced into one.
  const SCAN_DELAY_MS = 200;
  const SEEN_DELAY_MS = 1500;
  // Two send signals for one message (a click that also fires a keydown, a retry)
  // must not record it twice.
  const SEND_DEDUP_MS = 3000;
  // What a compose box may hand the background: far above the engine's own analysis
  // cap (settings.max_draft_chars), far below the 2 MB a content request may weigh.
  const MAX_DRAFT_CHARS = 200000;

  const BLOCK_TAGS = new Set([
    'P', 'DIV', 'LI', 'UL', 'OL', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6',
    'PRE', 'TABLE', 'TR', 'SECTION', 'ARTICLE', 'HEADER', 'FOOTER', 'HR', 'DL', 'DT', 'DD',
  ]);
  const SKIP_TAGS = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT']);

  // ---------------------------------------------------------------- selectors

  /** First element matching any selector of an ordered fallback list. */
  function first(root, selectors) {
    if (!root) return null;
    for (const selector of selectors) {
      const found = root.querySelector(selector);
      if (found) return found;
    }
    return null;
  }

  /** All elements of the first selector in the list that matches anything. */
  function firstAll(root, selectors) {
    if (!root) return [];
    for (const selector of selectors) {
      const found = root.querySelectorAll(selector);
      if (found.length) return Array.from(found);
    }
    return [];
  }

  /** Elements matching any of the selectors, outermost only (a chip, not its label inside). */
  function allOf(root, selectors) {
    if (!root) return [];
    const found = Array.from(root.querySelectorAll(selectors.join(',')));
    return found.filter((node) => !found.some((other) => other !== node && other.contains(node)));
  }

  /** Nearest ancestor (crossing shadow boundaries) matching the first selector that matches. */
  function closestOf(element, selectors) {
    for (const selector of selectors) {
      let node = element;
      while (node) {
        const hit = node.closest ? node.closest(selector) : null;
        if (hit) return hit;
        const root = (node.getRootNode && node.getRootNode()) || null;
        node = root && root.host ? root.host : null;
      }
    }
    return null;
  }

  function cleanText(value) {
    return (value || '').replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
  }

  // ---------------------------------------------------------------- identities

  const EMAIL_RE = /[^\s<>()"',;:]+@[^\s<>()"',;:]+\.[^\s<>()"',;:]+/;

  function emailIdentity(raw) {
    const match = EMAIL_RE.exec(raw || '');
    return match ? { kind: 'email', value: match[0].toLowerCase() } : null;
  }

  /** `https://www.linkedin.com/in/Brian-Okafor-12/?x` -> linkedin identity `brian-okafor-12`. */
  function linkedinIdentity(href) {
    const match = /\/in\/([^/?#]+)/.exec(href || '');
    if (!match) return null;
    let slug = match[1];
    try {
      slug = decodeURIComponent(slug);
    } catch (_) {
      // A malformed escape is still a usable slug as written.
    }
    slug = slug.trim().toLowerCase();
    return slug ? { kind: 'linkedin', value: slug } : null;
  }

  /** `Brian Okafor <brian@x.com>` -> {name, identity}; a bare address or a bare name also work. */
  function parseAddressLike(raw) {
    const text = cleanText(raw);
    if (!text) return null;
    const identity = emailIdentity(text);
    let name = text.replace(/<[^>]*>/g, '').replace(/^"|"$/g, '').trim();
    if (identity && name.toLowerCase() === identity.value) name = '';
    return { name: name || null, identity };
  }

  // ---------------------------------------------------------------- text

  function codePointLength(text) {
    let count = 0;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit < 0xdc00 || unit > 0xdfff) count++;
    }
    return count;
  }

  function utf16Offset(text, codePoints) {
    let seen = 0;
    for (let i = 0; i < text.length; i++) {
      if (seen === codePoints) return i;
      const unit = text.charCodeAt(i);
      if (unit < 0xdc00 || unit > 0xdfff) seen++;
    }
    return text.length;
  }

  /**
   * Plain text of an editable with the line breaks a reader sees, without layout
   * (innerText would force one). Everything from the first quote marker on is quoted
   * reply history, kept apart. `segments` maps text offsets (code points, like the
   * engine's spans) back to DOM text nodes for highlighting.
   */
  function readEditable(root, quoteSelectors, limit = MAX_DRAFT_CHARS) {
    if (root instanceof HTMLTextAreaElement || root instanceof HTMLInputElement) {
      return { text: root.value.slice(0, limit).replace(/\u00a0/g, ' '), quoted: null, segments: null };
    }
    const own = [];
    const quoted = [];
    const segments = [];
    let inQuote = false;
    let ownLength = 0;
    const quoteSelector = quoteSelectors && quoteSelectors.length ? quoteSelectors.join(',') : null;

    const lastOf = (parts) => (parts.length ? parts[parts.length - 1] : '');
    // A 10 MB paste must not cost 10 MB of work per pause: past the cap (the engine
    // reads no further either) the rest is neither copied nor counted.
    let budget = limit;
    const push = (piece, node) => {
      if (budget <= 0) return;
      if (piece.length > budget) piece = piece.slice(0, budget);
      budget -= piece.length;
      if (inQuote) {
        quoted.push(piece);
        return;
      }
      if (node) segments.push({ node, start: ownLength });
      own.push(piece);
      ownLength += codePointLength(piece);
    };
    const lineBreak = () => {
      const parts = inQuote ? quoted : own;
      if (parts.length && !lastOf(parts).endsWith('\n')) push('\n');
    };
    const walk = (node) => {
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (budget <= 0) return;
        if (child.nodeType === Node.TEXT_NODE) {
          if (child.data) push(child.data.slice(0, budget).replace(/\u00a0/g, ' '), child);
        } else if (child.nodeType === Node.ELEMENT_NODE) {
          const tag = child.tagName;
          if (SKIP_TAGS.has(tag)) continue;
          if (!inQuote && quoteSelector && child.matches(quoteSelector)) {
            inQuote = true;
          }
          if (tag === 'BR') {
            push('\n');
          } else if (BLOCK_TAGS.has(tag)) {
            lineBreak();
            walk(child);
            lineBreak();
          } else {
            walk(child);
          }
        }
      }
    };
    walk(root);
    const text = own.join('').replace(/\s+$/, '');
    const quotedText = quoted.join('').trim();
    return { text, quoted: quotedText || null, segments };
  }

  /** DOM ranges for engine spans ([start, end) in code points of `read.text`). */
  function rangesFor(read, spans) {
    const ranges = [];
    const { segments } = read;
    if (!segments || !segments.length) return ranges;
    const locate = (offset, preferEnd) => {
      for (let i = segments.length - 1; i >= 0; i--) {
        const segment = segments[i];
        const length = codePointLength(segment.node.data);
        const inside = preferEnd
          ? offset > segment.start && offset <= segment.start + length
          : offset >= segment.start && offset < segment.start + length;
        if (inside) return { node: segment.node, offset: utf16Offset(segment.node.data, offset - segment.start) };
      }
      return null;
    };
    for (const span of spans || []) {
      if (!Array.isArray(span) || span.length !== 2 || !(span[1] > span[0])) continue;
      const start = locate(span[0], false);
      const end = locate(span[1], true);
      if (!start || !end) continue;
      try {
        const range = new Range();
        range.setStart(start.node, start.offset);
        range.setEnd(end.node, end.offset);
        ranges.push(range);
      } catch (_) {
        // The node changed under us; the next verdict brings fresh spans.
      }
    }
    return ranges;
  }

  // ---------------------------------------------------------------- messaging

  let contextAlive = true;
  const teardownHooks = [];

  function extensionAlive() {
    try {
      return contextAlive && Boolean(chrome.runtime && chrome.runtime.id);
    } catch (_) {
      return false;
    }
  }

  /**
   * One request to the background. Resolves to the reply or to `{ok:false, error}`;
   * never throws, so a stopped worker or a reloaded extension can't break the page.
   */
  async function request(message) {
    if (!extensionAlive()) {
      detachEverything();
      return { ok: false, error: 'extension context gone' };
    }
    try {
      const reply = await chrome.runtime.sendMessage(message);
      return reply && typeof reply === 'object' ? reply : { ok: false, error: 'no reply' };
    } catch (error) {
      const text = String((error && error.message) || error);
      if (/context invalidated/i.test(text)) detachEverything();
      return { ok: false, error: text };
    }
  }

  function detachEverything() {
    if (!contextAlive) return;
    contextAlive = false;
    for (const hook of teardownHooks.splice(0)) {
      try {
        hook();
      } catch (_) {
        // Tearing down must go on whatever one hook does.
      }
    }
  }

  // ---------------------------------------------------------------- i18n

  function t(key, substitutions) {
    try {
      const text = chrome.i18n.getMessage(key, substitutions);
      if (text) return text;
    } catch (_) {
      // The extension was reloaded; the overlay is being torn down anyway.
    }
    return key;
  }

  globalThis.RapportContent = {
    ANALYZE_DELAY_MS,
    SCAN_DELAY_MS,
    SEEN_DELAY_MS,
    SEND_DEDUP_MS,
    MAX_DRAFT_CHARS,
    first,
    firstAll,
    allOf,
    closestOf,
    cleanText,
    emailIdentity,
    linkedinIdentity,
    parseAddressLike,
    codePointLength,
    readEditable,
    rangesFor,
    request,
    extensionAlive,
    detachEverything,
    onTeardown: (hook) => teardownHooks.push(hook),
    t,
    adapters: [],
    /** Each site file calls this once; start.js runs the adapter for the current page. */
    registerAdapter(adapter) {
      this.adapters.push(adapter);
    },
  };
})();
