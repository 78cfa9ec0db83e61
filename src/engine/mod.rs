//! The relationship rules: pure functions of a draft, an [`Index`] of history and
//! [`Settings`](crate::settings::Settings).

use crate::model::{Contact, Draft, Message, Verdict};
use crate::settings::Settings;

/// History, indexed for per-draft lookups. Built from everything (CLI) or from the
/// slice of the store a recipient's verdict needs (service worker).
#[derive(Debug, Default)]
pub struct Index {
    contacts: Vec<Contact>,
    messages: Vec<Message>,
}

impl Index {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add_contact(&mut self, contact: Contact) {
        self.contacts.push(contact);
    }

    pub fn add_message(&mut self, message: Message) {
        self.messages.push(message);
    }
}

/// Judges a draft. SCAFFOLD: replaced by the engine issue.
pub fn analyze(_index: &Index, _draft: &Draft, _settings: &Settings) -> Verdict {
    Verdict::default()
}
