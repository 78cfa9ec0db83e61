//! Text analysis that knows nothing about people: normalization, phrase matching,
//! quoted history and signatures, greetings, merge fields, near-duplicate signatures.
//!
//! All positions are char offsets (Unicode scalar values) of the text as given.

pub mod greeting;
pub mod merge_fields;
pub mod minhash;
pub mod names;
pub mod normalize;
pub mod phrases;
pub mod structure;
pub mod unicode;

pub use minhash::{band_keys, Signature};
