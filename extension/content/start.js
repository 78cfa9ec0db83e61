// Starts Rapport with the one adapter the manifest loaded for this site. Each site's
// content-script entry lists only its own adapter, so one site's breakage can't reach
// another's pages.
'use strict';

(() => {
  const R = globalThis.RapportContent;
  if (!R || R.controller || R.adapters.length !== 1) return;
  try {
    R.controller = R.startComposer(R.adapters[0]);
  } catch (error) {
    // Rapport stays out of the way: the page works as if it weren't installed.
    console.debug('Rapport: could not start', error);
  }
  // The popup changed what Rapport knows about someone (a tag, a merge, an exception):
  // judge the open drafts again now, not at the next keystroke. Only this extension's
  // own pages can send it (no sender.tab), never a web page.
  chrome.runtime.onMessage.addListener((message, sender) => {
    if (sender.id !== chrome.runtime.id || sender.tab || message?.type !== 'rapport_reanalyze') return;
    for (const session of R.controller?.sessions.values() ?? []) session.analyzeNow(true);
  });
})();
