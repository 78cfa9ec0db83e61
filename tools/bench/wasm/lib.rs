//! Benchmark entry points over the rapport library, for headless Chromium
//! (`tools/bench/browser.mjs`). The history comes from the same seeded generator as the
//! native bench, built in the page from the corpus texts (`bench/data/pools.json`).

#[path = "../history.rs"]
#[allow(dead_code)]
mod history;

use history::{Item, Pools};
use rapport::engine::{analyze, Index};
use rapport::import::{Importer, Me};
use rapport::model::Draft;
use rapport::settings::Settings;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Bench {
    pools: Pools,
    index: Index,
    drafts: Vec<(&'static str, Draft)>,
    settings: Settings,
}

#[wasm_bindgen]
impl Bench {
    #[wasm_bindgen(constructor)]
    pub fn new(pools_json: &str) -> Result<Bench, JsError> {
        Ok(Bench {
            pools: serde_json::from_str(pools_json)?,
            index: Index::new(),
            drafts: Vec::new(),
            settings: Settings::default(),
        })
    }

    /// Replaces the history with `size` generated messages; returns the contact count.
    pub fn build(&mut self, size: usize) -> usize {
        self.index = Index::new();
        let mut picker = history::DraftPicker::default();
        let index = &mut self.index;
        history::generate(size, 1, &self.pools, |item| match item {
            Item::Person(i, person) => {
                picker.observe(&person);
                index.add_contact(person.contact(i));
            }
            Item::Message(m) => index.add_message(m),
        });
        self.drafts = picker.drafts(&self.pools, size as u64);
        self.index.contact_count()
    }

    pub fn draft_count(&self) -> usize {
        self.drafts.len()
    }

    pub fn draft_kind(&self, i: usize) -> String {
        self.drafts[i].0.to_string()
    }

    pub fn draft_bytes(&self, i: usize) -> usize {
        self.drafts[i].1.text.len()
    }

    /// Analyzes draft `i` once; returns the number of warnings.
    pub fn analyze(&self, i: usize) -> usize {
        analyze(&self.index, &self.drafts[i].1, &self.settings)
            .warnings
            .len()
    }
}

/// Bytes of wasm linear memory now.
#[wasm_bindgen]
pub fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size::<0>() * 65536) as f64
}

/// Imports a whole file through the push importer in 1 MB chunks, as the options page
/// feeds `Blob.slice` chunks; returns the number of messages read.
#[wasm_bindgen]
pub fn import_file(name: &str, bytes: &[u8]) -> Result<usize, JsError> {
    let me = Me::parse([
        history::OWNER_NAME,
        history::OWNER_EMAIL,
        &format!("https://www.linkedin.com/in/{}", history::OWNER_SLUG),
    ]);
    let mut importer = Importer::new(name, &bytes[..bytes.len().min(4096)], me)
        .map_err(|e| JsError::new(&e.to_string()))?;
    let mut count = 0;
    for chunk in bytes.chunks(1 << 20) {
        for batch in importer
            .push(chunk)
            .map_err(|e| JsError::new(&e.to_string()))?
        {
            count += batch.messages.len();
        }
    }
    let (rest, _) = importer
        .finish()
        .map_err(|e| JsError::new(&e.to_string()))?;
    Ok(count + rest.iter().map(|b| b.messages.len()).sum::<usize>())
}
