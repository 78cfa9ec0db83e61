// Loads the wasm core and hands the page to its Rust UI (src/web/ui/options.rs).
import init, { startOptions } from '../pkg/pages.js';

init().then(startOptions, (error) => {
  document.getElementById('page-status').textContent = `Rapport could not start: ${error.message}`;
});
