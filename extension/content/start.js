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
})();
