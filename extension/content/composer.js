// Watches the page for compose boxes through one site adapter and drives each one:
// debounced analysis, overlay state, the send gate and recording what is sent and seen.
//
// Cost model: the input handler stores a timestamp and maybe arms one timer; it does
// no DOM reads. One MutationObserver per page, whose callback only schedules a rescan.
// Layout is read only when placing badges (after a verdict, on scroll or resize).
'use strict';

(() => {
  const R = globalThis.RapportContent;
  if (!R || R.startComposer) return;

  const SEVERITY_ORDER = { info: 0, caution: 1, stop: 2 };

  function hasElement(nodes) {
    for (let i = 0; i < nodes.length; i++) if (nodes[i].nodeType === 1) return true;
    return false;
  }

  function draftKey(draft) {
    return JSON.stringify([draft.text, draft.subject, draft.recipients, draft.conversation]);
  }

  class ComposeSession {
    constructor(controller, compose) {
      this.controller = controller;
      this.adapter = controller.adapter;
      this.compose = compose;
      this.editor = compose.editor;
      this.lastInput = 0;
      this.timer = null;
      this.seq = 0;
      this.lastKey = null;
      this.verdict = null;
      this.sendGate = 'stop';
      this.dismissed = new Set();
      this.lastRecorded = null;
      this.bypassSend = false;
      this.seenKey = null;
      this.closed = false;
      this.overlay = new R.OverlayHost({
        onDismiss: (rule) => {
          this.dismissed.add(rule);
          this.render();
        },
        onReanalyze: () => this.analyzeNow(true),
        onReview: () => this.editor.focus({ preventScroll: true }),
      });
    }

    /** Called from the input handler: must stay O(1) with no DOM access. */
    touched(now) {
      this.lastInput = now;
      if (this.timer === null) this.timer = setTimeout(() => this.tick(), R.ANALYZE_DELAY_MS);
    }

    tick() {
      const wait = this.lastInput + R.ANALYZE_DELAY_MS - performance.now();
      if (wait > 4) {
        this.timer = setTimeout(() => this.tick(), wait);
        return;
      }
      this.timer = null;
      this.analyze(false);
    }

    analyzeNow(force) {
      if (this.timer !== null) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      this.analyze(force);
    }

    /** Reads the compose box; `{inactive:true}` when who it goes to can't be read. */
    read() {
      const read = this.adapter.read(this.compose);
      if (!read || !Array.isArray(read.recipients)) return { inactive: true };
      const editorRead = read.editor;
      const draft = {
        text: editorRead.text,
        quoted: editorRead.quoted,
        subject: read.subject || null,
        channel: this.adapter.channel,
        recipients: read.recipients,
        operator: null,
        time: Date.now(),
        conversation: read.conversation || null,
      };
      if (read.account) draft.account = read.account;
      return { inactive: false, draft, editorRead };
    }

    async analyze(force) {
      if (this.closed) return;
      if (!R.extensionAlive()) {
        // The extension was updated or removed under this tab: leave quietly.
        R.detachEverything();
        return;
      }
      let read;
      try {
        read = this.read();
      } catch (error) {
        this.fail('inactive', error);
        return;
      }
      if (read.inactive) {
        this.lastKey = null;
        this.verdict = null;
        this.overlay.clearHighlights();
        this.overlay.update('inactive', []);
        return;
      }
      if (!read.draft.text.trim()) {
        this.lastKey = null;
        this.verdict = null;
        this.dismissed.clear();
        this.overlay.clearHighlights();
        this.overlay.update('idle', []);
        return;
      }
      const key = draftKey(read.draft);
      if (key === this.lastKey && !force) return;
      this.lastKey = key;
      const seq = ++this.seq;
      const reply = await R.request({ type: 'analyze', site: this.controller.site, draft: read.draft });
      if (seq !== this.seq || this.closed) return;
      if (!reply.ok || !reply.verdict || !Array.isArray(reply.verdict.warnings)) {
        this.lastKey = null;
        this.fail('error', reply.error);
        return;
      }
      this.verdict = reply.verdict;
      // The background may say how eager the gate is; absent means the default.
      if (Object.prototype.hasOwnProperty.call(reply, 'send_gate')) this.sendGate = reply.send_gate;
      this.analyzedText = read.draft.text;
      this.recipients = read.draft.recipients;
      this.render();
    }

    fail(state, error) {
      this.verdict = null;
      this.overlay.clearHighlights();
      this.overlay.update(state, []);
      if (error) console.debug('Rapport:', state, String((error && error.message) || error));
    }

    visibleWarnings() {
      if (!this.verdict) return [];
      return this.verdict.warnings
        .filter((warning) => !this.dismissed.has(warning.rule))
        .sort((a, b) => (SEVERITY_ORDER[b.severity] || 0) - (SEVERITY_ORDER[a.severity] || 0));
    }

    render() {
      if (!this.verdict) return;
      const warnings = this.visibleWarnings();
      this.overlay.update(warnings.length ? 'warnings' : 'idle', warnings, {
        truncated: Boolean(this.verdict.truncated),
        recipients: this.recipients || [],
        site: this.controller.site,
      });
      this.highlight(warnings);
      this.controller.placeSoon();
    }

    highlight(warnings) {
      let current;
      try {
        current = R.readEditable(this.editor, this.adapter.quoteSelectors);
      } catch (_) {
        return;
      }
      if (current.text !== this.analyzedText) {
        // Typed since the request left: these spans no longer fit; the next verdict will.
        this.overlay.clearHighlights();
        this.touched(performance.now());
        return;
      }
      const bySeverity = {};
      for (const warning of warnings) {
        const ranges = R.rangesFor(current, warning.spans);
        if (ranges.length) (bySeverity[warning.severity] = bySeverity[warning.severity] || []).push(...ranges);
      }
      this.overlay.setHighlights(bySeverity);
    }

    /** True when a warning at or above the configured severity is open. */
    shouldAskBeforeSend() {
      if (!this.sendGate || !(this.sendGate in SEVERITY_ORDER)) return false;
      const threshold = SEVERITY_ORDER[this.sendGate];
      return this.visibleWarnings().some((warning) => SEVERITY_ORDER[warning.severity] >= threshold);
    }

    recordSent() {
      let read;
      try {
        read = this.read();
      } catch (_) {
        return;
      }
      if (read.inactive || !read.draft.text.trim()) return;
      const key = draftKey(read.draft);
      const now = Date.now();
      if (this.lastRecorded && this.lastRecorded.key === key && now - this.lastRecorded.at < R.SEND_DEDUP_MS) return;
      this.lastRecorded = { key, at: now };
      R.request({ type: 'record_sent', site: this.controller.site, draft: read.draft });
      // The site clears the box after sending; start the next draft clean.
      this.dismissed.clear();
      this.verdict = null;
      this.lastKey = null;
      this.overlay.clearHighlights();
      this.overlay.update('idle', []);
    }

    recordSeenSoon() {
      if (this.seenTimer) return;
      this.seenTimer = setTimeout(() => {
        this.seenTimer = null;
        this.recordSeen();
      }, R.SEEN_DELAY_MS);
    }

    recordSeen() {
      if (this.closed || !this.adapter.readConversation) return;
      let conversation;
      try {
        conversation = this.adapter.readConversation(this.compose);
      } catch (_) {
        return;
      }
      if (!conversation || !conversation.with) return;
      // Only the other side's messages. A page script can dress up a message as the
      // user's own and the markup can't tell; what the user sent is recorded when they
      // press Send here (a trusted event) or comes from an import.
      const theirs = conversation.messages.filter((message) => !message.mine);
      if (!theirs.length) return;
      const messages = theirs.slice(-100).map((message) => ({
        from: message.from,
        mine: Boolean(message.mine),
        time: Number.isFinite(message.time) ? message.time : null,
        text: message.text.slice(0, 20000),
      }));
      const last = messages[messages.length - 1];
      const key = JSON.stringify([conversation.id, messages.length, last.text, last.mine]);
      if (key === this.seenKey) return;
      this.seenKey = key;
      R.request({
        type: 'record_seen',
        site: this.controller.site,
        channel: this.adapter.channel,
        conversation: conversation.id || null,
        with: conversation.with,
        messages,
      });
    }

    place() {
      if (this.closed) return;
      this.overlay.place(this.editor.getBoundingClientRect());
    }

    close() {
      this.closed = true;
      if (this.timer !== null) clearTimeout(this.timer);
      if (this.seenTimer) clearTimeout(this.seenTimer);
      this.overlay.destroy();
    }
  }

  class Controller {
    constructor(adapter, site) {
      this.adapter = adapter;
      this.site = site;
      this.sessions = new Map();
      this.scanTimer = null;
      this.placeFrame = 0;
      this.observedRoots = new WeakSet();
      this.listeners = [];
      this.observer = new MutationObserver((records) => this.onMutations(records));
      this.resizeObserver = new ResizeObserver(() => this.placeSoon());
    }

    start() {
      this.observe(document.documentElement);
      this.listen(document, 'input', (event) => this.onInput(event), true);
      this.listen(document, 'focusin', (event) => this.onFocus(event), true);
      for (const type of ['pointerdown', 'mousedown', 'mouseup', 'click']) {
        this.listen(window, type, (event) => this.onPointer(event), true);
      }
      this.listen(window, 'keydown', (event) => this.onKeydown(event), true);
      this.listen(window, 'scroll', () => this.placeSoon(), { capture: true, passive: true });
      this.listen(window, 'resize', () => this.placeSoon(), { passive: true });
      R.onTeardown(() => this.stop());
      this.scan();
    }

    stop() {
      this.observer.disconnect();
      this.resizeObserver.disconnect();
      for (const [target, type, handler, options] of this.listeners) target.removeEventListener(type, handler, options);
      this.listeners = [];
      for (const session of this.sessions.values()) session.close();
      this.sessions.clear();
      clearTimeout(this.scanTimer);
    }

    listen(target, type, handler, options) {
      const guarded = (event) => {
        try {
          handler(event);
        } catch (error) {
          // A Rapport bug must never cost the user a keystroke or a send.
          console.debug('Rapport:', error);
        }
      };
      target.addEventListener(type, guarded, options);
      this.listeners.push([target, type, guarded, options]);
    }

    observe(root) {
      if (this.observedRoots.has(root)) return;
      this.observedRoots.add(root);
      this.observer.observe(root, { childList: true, subtree: true });
    }

    onMutations(records) {
      if (this.scanTimer !== null) return;
      for (const record of records) {
        // Typing (changes inside an editor) and text-only updates (clocks, counters)
        // can't add or remove a compose box.
        if (this.insideEditor(record.target)) continue;
        if (hasElement(record.addedNodes) || hasElement(record.removedNodes)) {
          this.scanSoon();
          return;
        }
      }
    }

    insideEditor(node) {
      for (const editor of this.sessions.keys()) if (editor.contains(node)) return true;
      return false;
    }

    scanSoon() {
      if (this.scanTimer === null) this.scanTimer = setTimeout(() => this.scan(), R.SCAN_DELAY_MS);
    }

    scan() {
      this.scanTimer = null;
      if (!R.extensionAlive()) {
        R.detachEverything();
        return;
      }
      let composes = [];
      try {
        for (const root of this.adapter.searchRoots(document)) if (root !== document) this.observe(root);
        composes = this.adapter.findComposes(document);
      } catch (error) {
        console.debug('Rapport: adapter scan failed', error);
      }
      const found = new Set();
      for (const compose of composes) {
        found.add(compose.editor);
        let session = this.sessions.get(compose.editor);
        if (!session) {
          session = new ComposeSession(this, compose);
          this.sessions.set(compose.editor, session);
          this.resizeObserver.observe(compose.editor);
          session.analyze(false);
        } else {
          session.compose = compose;
        }
        session.recordSeenSoon();
      }
      for (const [editor, session] of this.sessions) {
        if (!found.has(editor) && !editor.isConnected) {
          session.close();
          this.resizeObserver.unobserve(editor);
          this.sessions.delete(editor);
        }
      }
      this.placeSoon();
    }

    placeSoon() {
      if (this.placeFrame) return;
      this.placeFrame = requestAnimationFrame(() => {
        this.placeFrame = 0;
        for (const session of this.sessions.values()) session.place();
      });
    }

    sessionFor(node) {
      if (!node) return null;
      const direct = this.sessions.get(node);
      if (direct) return direct;
      for (const session of this.sessions.values()) {
        if (session.editor.contains(node)) return session;
      }
      return null;
    }

    onInput(event) {
      if (!event.isTrusted) return;
      const target = event.target;
      // Inside an open shadow root (LinkedIn's invitation dialog) the event reaches
      // the document retargeted to the host; only then is the real path needed.
      const session = this.sessions.get(target) || (target.shadowRoot ? this.sessions.get(event.composedPath()[0]) : undefined);
      if (session) session.touched(performance.now());
    }

    onFocus(event) {
      const target = event.composedPath()[0] || event.target;
      const session = this.sessionFor(target);
      if (session) {
        session.analyzeNow(false);
      } else if (target && (target.isContentEditable || target.tagName === 'TEXTAREA')) {
        // A compose box the observer hasn't reported yet (lazy UI): look now.
        this.scanSoon();
      }
    }

    sessionForSendTarget(path) {
      for (const session of this.sessions.values()) {
        let button = null;
        try {
          button = this.adapter.sendButton(session.compose);
        } catch (_) {
          button = null;
        }
        if (button && path.includes(button)) return { session, button };
      }
      return null;
    }

    onPointer(event) {
      if (event.type !== 'click' && event.button !== 0) return;
      const hit = this.sessionForSendTarget(event.composedPath());
      if (!hit) return;
      const { session, button } = hit;
      if (session.bypassSend) {
        // Our own replay after "Send anyway": let the site have it, record once.
        if (event.type === 'click') {
          session.bypassSend = false;
          session.recordSent();
        }
        return;
      }
      if (!event.isTrusted || this.orphaned()) return;
      if (session.shouldAskBeforeSend()) {
        event.preventDefault();
        event.stopImmediatePropagation();
        // One gesture is pointerdown, mousedown, mouseup, click: ask once.
        if (!session.overlay.gateResolve) this.ask(session, () => this.adapter.triggerSend(button));
        return;
      }
      if (event.type === 'click') session.recordSent();
    }

    /**
     * True once the extension was updated or removed under this tab: the verdict on
     * screen is the old version's, so it must not hold a Send (fail open); Rapport
     * leaves the page at once.
     */
    orphaned() {
      if (R.extensionAlive()) return false;
      R.detachEverything();
      return true;
    }

    onKeydown(event) {
      if (!event.isTrusted || event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return;
      const session = this.sessionForKeyTarget(event.composedPath());
      if (!session || this.orphaned()) return;
      if (session.shouldAskBeforeSend()) {
        let button = null;
        try {
          button = this.adapter.sendButton(session.compose);
        } catch (_) {
          button = null;
        }
        // Without a button to press afterwards we could not send for the user, so
        // the gate stands aside rather than risk swallowing the send.
        if (button) {
          event.preventDefault();
          event.stopImmediatePropagation();
          this.ask(session, () => this.adapter.triggerSend(button));
          return;
        }
      }
      session.recordSent();
    }

    sessionForKeyTarget(path) {
      for (const session of this.sessions.values()) {
        const root = session.compose.root || session.editor;
        if (path.includes(session.editor) || path.includes(root)) return session;
      }
      return null;
    }

    ask(session, send) {
      session.overlay.askBeforeSend().then((choice) => {
        if (choice !== 'send' || session.closed) return;
        session.bypassSend = true;
        try {
          send();
        } finally {
          // If the replay didn't reach our click listener (the site sent on mouseup
          // and removed the button), record here; recordSent dedups the other path.
          if (session.bypassSend) {
            session.bypassSend = false;
            session.recordSent();
          }
        }
      });
    }
  }

  /** Starts Rapport on this page with the given adapter; returns the controller. */
  R.startComposer = function startComposer(adapter, site) {
    // A previous instance (extension reloaded in this tab) may have left badges behind.
    for (const stale of document.querySelectorAll('rapport-overlay')) stale.remove();
    const controller = new Controller(adapter, site || adapter.site);
    controller.start();
    return controller;
  };
})();
