//! The relationship rules: pure functions of a draft, an [`Index`] of history and
//! [`Settings`](crate::settings::Settings).
//!
//! # Building an index
//! [`Index`] is built incrementally with [`Index::add_contact`] and
//! [`Index::add_message`], in any order: a message naming an identity no contact has
//! yet creates an implied person, and a contact added later with that identity takes
//! it over (several implied people sharing a contact's identities become one). People
//! are joined only by normalized identity (including a LinkedIn profile URL in the
//! signature of an email they sent); equal names are never merged, they are
//! offered as suggestions ("probably the Brian Miller you emailed 57 times").
//!
//! # The store's contract (service worker)
//! The CLI loads everything. The service worker loads only what one verdict needs:
//! 1. Call [`slice_keys`] on the draft. It is pure and cheap.
//! 2. From IndexedDB load the contacts with any of `identity_keys` and the contacts
//!    whose names' [`name_key`](crate::identity::name_key) is in `name_keys`, each with
//!    all messages exchanged with them and, when a shared relationship book was
//!    imported, its [`ContactHistory`](crate::import::ContactHistory) (per-contact
//!    counts and dates: a delegate's browser has these instead of the owner's mail).
//! 3. Load the sent messages of the last `window_days` whose band keys intersect
//!    `band_keys`. Band keys are computed when a message is stored:
//!    [`message_band_keys`] (hex strings, stable across versions while
//!    [`minhash::SCHEME`](crate::text::minhash::SCHEME) is unchanged; recompute on a
//!    change).
//! 4. Add the contacts, their histories ([`Index::add_history`]), then the messages,
//!    to a fresh [`Index`] and call [`analyze`].
//!
//! # Relationship books
//! A book's counts stand in for messages the index does not hold. Where stored
//! messages with the same person exist too, each figure (sent, received, per channel)
//! is the larger of the two, never the sum, so a delegate holding both the book and
//! copies of some of the owner's mail does not count them twice.
//!
//! Anything more in the index is harmless; anything less only hides warnings.

mod index;
mod rules;

pub use index::{
    draft_signature, message_signature, slice_keys, Index, MessageFacts, SliceKeys, FACTS_VERSION,
};
pub use rules::{analyze, is_decline};

/// Band keys to persist with a stored message (empty for received or short ones).
pub fn message_band_keys(message: &crate::model::Message) -> Vec<String> {
    if message.direction != crate::model::Direction::Sent {
        return Vec::new();
    }
    message_signature(message)
        .map(|s| crate::text::minhash::band_key_strings(&s))
        .unwrap_or_default()
}
