//! The options page.

pub fn start() {}
