// The part of the overlay that lives in the page: a badge anchored to one compose box,
// the frame that shows the warning list, the "send anyway?" question and the span
// highlights. The badge sits in a closed shadow root; warning text only ever exists
// inside the extension-page frame (extension/overlay/), which page scripts cannot read.
'use strict';

(() => {
  const R = globalThis.RapportContent;
  if (!R || R.OverlayHost) return;

  const SEVERITY_ORDER = { info: 0, caution: 1, stop: 2 };
  const FRAME_PATH = 'overlay/overlay.html';
  const PANEL_WIDTH = 360;
  const PANEL_MAX_HEIGHT = 440;
  const BADGE_SIZE = 26;
  const HIGHLIGHT_NAMES = { stop: 'rapport-stop', caution: 'rapport-caution', info: 'rapport-info' };

  const STYLE = `
    :host { all: initial; }
    .root { position: fixed; left: 0; top: 0; width: 0; height: 0; z-index: 2147483646;
      font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color-scheme: light dark; }
    .root[hidden], [hidden] { display: none !important; }
    .badge { position: fixed; box-sizing: border-box; min-width: ${BADGE_SIZE}px; height: ${BADGE_SIZE}px;
      padding: 0 7px; border-radius: 13px; border: 1px solid #8a8f98; cursor: pointer;
      display: inline-flex; align-items: center; gap: 4px; font: 600 12px/1 system-ui, sans-serif;
      background: #f4f5f7; color: #2d3138; box-shadow: 0 1px 3px rgba(0,0,0,.25); }
    .badge:focus-visible { outline: 2px solid #1a73e8; outline-offset: 2px; }
    .badge .dot { width: 8px; height: 8px; border-radius: 50%; background: #8a8f98; }
    .root[data-worst="stop"] .badge { background: #fdecea; border-color: #c62828; color: #8e1b1b; }
    .root[data-worst="stop"] .dot { background: #c62828; }
    .root[data-worst="caution"] .badge { background: #fff4e0; border-color: #b26a00; color: #6b4100; }
    .root[data-worst="caution"] .dot { background: #e08a00; }
    .root[data-worst="info"] .badge { background: #e8f0fe; border-color: #1a73e8; color: #174ea6; }
    .root[data-worst="info"] .dot { background: #1a73e8; }
    .root[data-rapport-state="idle"] .badge { opacity: .75; }
    .root[data-rapport-state="inactive"] .badge, .root[data-rapport-state="error"] .badge {
      background: #eceff1; color: #455a64; border-style: dashed; font-weight: 500; }
    .panel { position: fixed; width: ${PANEL_WIDTH}px; height: 160px; max-height: ${PANEL_MAX_HEIGHT}px;
      border: 1px solid #8a8f98; border-radius: 8px; box-shadow: 0 6px 24px rgba(0,0,0,.28);
      background: Canvas; overflow: hidden; }
    /* Closed, the list still lays out (invisible, inert), so it knows its height before
       it opens and never jumps under the pointer once shown. */
    .panel.closed { visibility: hidden; pointer-events: none; }
    .panel iframe { border: 0; width: 100%; height: 100%; display: block; color-scheme: light dark; }
    .gate { position: fixed; box-sizing: border-box; width: 300px; padding: 12px; border-radius: 8px;
      border: 1px solid #c62828; background: Canvas; color: CanvasText; box-shadow: 0 6px 24px rgba(0,0,0,.3); }
    .gate p { margin: 0 0 10px; }
    .gate .actions { display: flex; gap: 8px; justify-content: flex-end; }
    .gate button { font: inherit; padding: 5px 10px; border-radius: 6px; border: 1px solid #8a8f98;
      background: ButtonFace; color: ButtonText; cursor: pointer; }
    .gate button.primary { background: #1a73e8; border-color: #1a73e8; color: #fff; }
    .gate button:focus-visible { outline: 2px solid #1a73e8; outline-offset: 2px; }
    .sr { position: fixed; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    @media (prefers-color-scheme: dark) {
      .badge { background: #2d3138; color: #e8eaed; border-color: #9aa0a6; }
      .root[data-worst="stop"] .badge { background: #4a1c1c; color: #ffb4ab; border-color: #ff6b5f; }
      .root[data-worst="caution"] .badge { background: #4a3410; color: #ffd699; border-color: #e0a030; }
      .root[data-worst="info"] .badge { background: #15304f; color: #a8c7fa; border-color: #4d8ef0; }
      .root[data-rapport-state="inactive"] .badge, .root[data-rapport-state="error"] .badge {
        background: #30343a; color: #c4c7c5; }
    }
  `;

  // One Highlight per severity for the whole document; each compose box owns its ranges.
  const highlights = {};
  function highlightFor(severity) {
    if (!globalThis.CSS || !CSS.highlights || typeof Highlight !== 'function') return null;
    const name = HIGHLIGHT_NAMES[severity] || HIGHLIGHT_NAMES.info;
    if (!highlights[name]) {
      highlights[name] = new Highlight();
      CSS.highlights.set(name, highlights[name]);
    }
    return highlights[name];
  }

  function randomToken() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (text != null) node.textContent = text;
    return node;
  }

  class OverlayHost {
    /**
     * @param {object} hooks - onDismiss(rule), onReanalyze(), onReview(): what the
     *   frame's actions mean for the compose box this overlay belongs to.
     */
    constructor(hooks) {
      this.hooks = hooks;
      this.state = 'idle';
      this.payload = { state: 'idle', warnings: [], truncated: false, recipients: [] };
      this.ranges = [];
      this.panelOpen = false;
      this.port = null;
      this.gateResolve = null;
      this.anchorRect = null;
      this.panelHeight = 0;

      this.host = document.createElement('rapport-overlay');
      this.host.setAttribute('style', 'all: initial !important; position: fixed !important; width: 0 !important; height: 0 !important;');
      const shadow = this.host.attachShadow({ mode: 'closed' });
      shadow.append(element('style', {}, STYLE));

      this.root = element('div', { class: 'root', 'data-rapport-state': 'idle' });
      this.badge = element('button', {
        type: 'button',
        class: 'badge',
        'aria-haspopup': 'dialog',
        'aria-expanded': 'false',
      });
      this.badgeDot = element('span', { class: 'dot', 'aria-hidden': 'true' });
      this.badgeLabel = element('span', { class: 'label' });
      this.badge.append(this.badgeDot, this.badgeLabel);
      this.badge.addEventListener('click', (event) => {
        if (!event.isTrusted) return;
        this.togglePanel();
      });
      this.badge.addEventListener('keydown', (event) => {
        if (event.key === 'Escape' && this.panelOpen) {
          event.stopPropagation();
          this.closePanel(false);
        }
      });

      this.panel = element('div', { class: 'panel', role: 'dialog', 'aria-label': R.t('overlay_panelLabel') });
      this.panel.classList.add('closed');
      this.panel.setAttribute('aria-hidden', 'true');
      this.frameToken = randomToken();
      this.frame = element('iframe', { title: R.t('overlay_panelLabel') });
      this.frame.addEventListener('load', () => this.connectFrame());
      this.frame.src = `${chrome.runtime.getURL(FRAME_PATH)}#${this.frameToken}`;
      // The frame is loaded through the per-session dynamic URL, but its document runs
      // in the extension's own origin; postMessage must name that one.
      this.frameOrigin = `chrome-extension://${chrome.runtime.id}`;
      this.panel.append(this.frame);

      this.gate = element('div', { class: 'gate', role: 'alertdialog', 'aria-modal': 'false' });
      this.gate.hidden = true;
      const question = element('p', { id: 'rapport-gate-question' }, R.t('overlay_gateQuestion'));
      this.gate.setAttribute('aria-labelledby', 'rapport-gate-question');
      const actions = element('div', { class: 'actions' });
      this.reviewButton = element('button', { type: 'button', class: 'primary' }, R.t('overlay_gateReview'));
      this.sendAnywayButton = element('button', { type: 'button' }, R.t('overlay_gateSendAnyway'));
      actions.append(this.sendAnywayButton, this.reviewButton);
      this.gate.append(question, actions);
      this.reviewButton.addEventListener('click', (event) => event.isTrusted && this.answerGate('review'));
      this.sendAnywayButton.addEventListener('click', (event) => event.isTrusted && this.answerGate('send'));
      this.gate.addEventListener('keydown', (event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          this.answerGate('review');
        }
      });

      this.live = element('div', { class: 'sr', role: 'status', 'aria-live': 'polite' });
      this.root.append(this.badge, this.panel, this.gate, this.live);
      shadow.append(this.root);
      this.render();
      (document.body || document.documentElement).append(this.host);
    }

    // ------------------------------------------------------------ frame channel

    /**
     * Hands the frame a private MessagePort. The token travels in the frame's URL
     * fragment, which the page cannot read, so a page script posting to the frame
     * cannot impersonate us; after the handshake all traffic uses the port.
     */
    connectFrame() {
      if (this.port) this.port.close();
      const channel = new MessageChannel();
      this.port = channel.port1;
      this.port.onmessage = (event) => this.onFrameMessage(event.data);
      try {
        this.frame.contentWindow.postMessage({ rapport: 'connect', token: this.frameToken }, this.frameOrigin, [channel.port2]);
      } catch (_) {
        this.port = null;
        return;
      }
      this.pushToFrame();
    }

    onFrameMessage(message) {
      if (!message || typeof message !== 'object') return;
      switch (message.type) {
        case 'dismiss':
          if (typeof message.rule === 'string') this.hooks.onDismiss(message.rule);
          break;
        case 'reanalyze':
          this.hooks.onReanalyze();
          break;
        case 'close':
          this.closePanel(true);
          break;
        case 'height':
          if (Number.isFinite(message.px)) {
            this.panelHeight = Math.max(60, Math.min(PANEL_MAX_HEIGHT, message.px));
            this.place(this.anchorRect);
          }
          break;
        default:
          break;
      }
    }

    pushToFrame() {
      if (!this.port) return;
      try {
        this.port.postMessage({ type: 'render', ...this.payload });
      } catch (_) {
        // The frame is navigating; it asks again on load.
      }
    }

    // ------------------------------------------------------------ state

    /**
     * @param {'idle'|'warnings'|'inactive'|'error'} state
     * @param {Array} warnings - visible (not dismissed) warnings, worst first
     */
    update(state, warnings, extra) {
      const changed = state !== this.state || (warnings || []).length !== this.payload.warnings.length;
      this.state = state;
      this.payload = { state, warnings: warnings || [], ...(extra || {}) };
      this.render();
      this.pushToFrame();
      if (changed) this.announce();
      // Nothing left to show (the last warning dismissed): close, and if focus was in
      // the list, hand it back to the badge rather than lose it.
      if (this.panelOpen && state === 'idle') this.closePanel(document.activeElement === this.host);
    }

    worst() {
      let worst = null;
      for (const warning of this.payload.warnings) {
        if (worst === null || SEVERITY_ORDER[warning.severity] > SEVERITY_ORDER[worst]) worst = warning.severity;
      }
      return worst;
    }

    render() {
      const worst = this.state === 'warnings' ? this.worst() : null;
      this.root.setAttribute('data-rapport-state', this.state);
      if (worst) this.root.setAttribute('data-worst', worst);
      else this.root.removeAttribute('data-worst');
      const count = this.payload.warnings.length;
      let label;
      let accessible;
      switch (this.state) {
        case 'warnings':
          label = String(count);
          accessible = R.t('overlay_badgeWarnings', [String(count), R.t(`overlay_severity_${worst}`)]);
          break;
        case 'inactive':
          label = R.t('overlay_badgeInactiveShort');
          accessible = R.t('overlay_badgeInactive');
          break;
        case 'error':
          label = R.t('overlay_badgeErrorShort');
          accessible = R.t('overlay_badgeError');
          break;
        default:
          label = '✓';
          accessible = R.t('overlay_badgeIdle');
      }
      this.badgeLabel.textContent = label;
      this.badge.setAttribute('aria-label', accessible);
      this.badge.title = accessible;
    }

    announce() {
      // Only states worth interrupting for; "all clear" while typing would be noise.
      if (this.state === 'warnings' || this.state === 'inactive') {
        this.live.textContent = this.badge.getAttribute('aria-label');
      } else {
        this.live.textContent = '';
      }
    }

    // ------------------------------------------------------------ layout

    /** Anchors the badge to the compose box's bottom-right corner (viewport coordinates). */
    place(rect) {
      this.anchorRect = rect;
      const visible = rect && rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.top < innerHeight;
      this.root.hidden = !visible;
      if (!visible) return;
      const left = Math.max(4, Math.min(innerWidth - BADGE_SIZE - 40, rect.right - BADGE_SIZE - 30));
      const top = Math.max(4, Math.min(innerHeight - BADGE_SIZE - 4, rect.bottom - BADGE_SIZE - 6));
      this.badge.style.left = `${left}px`;
      this.badge.style.top = `${top}px`;
      // Above the badge, or below it when there is more room there; never over it
      // (the list scrolls inside the frame when the window is short).
      const wanted = this.panelHeight || 160;
      const roomAbove = top - 8 - 4;
      const roomBelow = innerHeight - (top + BADGE_SIZE + 8) - 4;
      const below = roomAbove < wanted && roomBelow > roomAbove;
      const panelHeight = Math.max(60, Math.min(wanted, below ? roomBelow : roomAbove));
      const panelLeft = Math.max(4, Math.min(innerWidth - PANEL_WIDTH - 4, left + BADGE_SIZE - PANEL_WIDTH));
      this.panel.style.height = `${panelHeight}px`;
      this.panel.style.left = `${panelLeft}px`;
      this.panel.style.top = `${below ? top + BADGE_SIZE + 8 : top - 8 - panelHeight}px`;
      this.gate.style.left = `${Math.max(4, Math.min(innerWidth - 304, left + BADGE_SIZE - 300))}px`;
      this.gate.style.top = `${Math.max(4, top - 110)}px`;
    }

    togglePanel() {
      if (this.panelOpen) this.closePanel(false);
      else this.openPanel();
    }

    openPanel() {
      this.panelOpen = true;
      this.panel.classList.remove('closed');
      this.panel.removeAttribute('aria-hidden');
      this.badge.setAttribute('aria-expanded', 'true');
      this.place(this.anchorRect);
      this.pushToFrame();
    }

    closePanel(returnFocus) {
      this.panelOpen = false;
      this.panel.classList.add('closed');
      this.panel.setAttribute('aria-hidden', 'true');
      this.badge.setAttribute('aria-expanded', 'false');
      if (returnFocus) this.badge.focus({ preventScroll: true });
    }

    // ------------------------------------------------------------ highlights

    setHighlights(rangesBySeverity) {
      this.clearHighlights();
      for (const [severity, ranges] of Object.entries(rangesBySeverity)) {
        const highlight = highlightFor(severity);
        if (!highlight) return;
        for (const range of ranges) {
          highlight.add(range);
          this.ranges.push([highlight, range]);
        }
      }
    }

    clearHighlights() {
      for (const [highlight, range] of this.ranges) highlight.delete(range);
      this.ranges = [];
    }

    // ------------------------------------------------------------ send gate

    /** Asks "send anyway?"; resolves 'send' or 'review'. Only one question at a time. */
    askBeforeSend() {
      if (this.gateResolve) return new Promise(() => {});
      this.gate.hidden = false;
      this.place(this.anchorRect);
      // The user just asked to send: moving focus to the question is the answer to
      // their action, not a theft. "Review" is the safe default.
      this.reviewButton.focus({ preventScroll: true });
      return new Promise((resolve) => {
        this.gateResolve = resolve;
      });
    }

    answerGate(choice) {
      const resolve = this.gateResolve;
      this.gateResolve = null;
      this.gate.hidden = true;
      if (resolve) resolve(choice);
      if (choice === 'review') this.hooks.onReview();
    }

    destroy() {
      this.clearHighlights();
      // Tearing down must not move focus: drop a pending question without "Review".
      this.gateResolve = null;
      if (this.port) this.port.close();
      this.host.remove();
    }
  }

  R.OverlayHost = OverlayHost;
})();
