// Loads the wasm core and hands the page to its Rust UI (src/web/ui/popup.rs).
import init, { startPopup } from '../pkg/pages.js';

init().then(startPopup, (error) => {
  document.getElementById('status').textContent = `Rapport could not start: ${error.message}`;
});
