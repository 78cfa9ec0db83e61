//! Text analysis that knows nothing about people: normalization, phrase matching,
//! quoted history and signatures, greetings, near-duplicate signatures.
