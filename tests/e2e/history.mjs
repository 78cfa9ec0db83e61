// Sample relationship history for the compose-box tests: the same file the demo page
// ships (extension/demo/sample-history.json), imported through the background as an
// extension page would (an additive, idempotent import batch).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';

export const SAMPLE_HISTORY = join(ROOT, 'extension', 'demo', 'sample-history.json');

export async function seedHistory(rapport) {
  const batch = JSON.parse(await readFile(SAMPLE_HISTORY, 'utf8'));
  const reply = await rapport.sendFromPage({
    type: 'import_batch',
    import_id: 'e2e-sample-history',
    file: 'sample-history.json',
    batch,
  });
  if (!reply || reply.ok !== true) throw new Error(`seeding history failed: ${JSON.stringify(reply)}`);
  return reply;
}

/** The background's summary of one recipient (extension-page request). */
export async function contactSummary(rapport, recipient) {
  return rapport.sendFromPage({ type: 'contact_summary', recipient });
}
