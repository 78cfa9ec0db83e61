//! Importers: LinkedIn exports, mbox, eml and Rapport backups into model values.

use crate::model::{Contact, Message};
use serde::{Deserialize, Serialize};

/// What an importer hands the store in one go; written in one transaction, so a
/// failure keeps none of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportBatch {
    pub contacts: Vec<Contact>,
    pub messages: Vec<Message>,
}
