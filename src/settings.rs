//! What the user configures: who they are, who writes for them, and how each rule behaves.

use crate::model::{Identity, Severity};
use serde::{Deserialize, Serialize};

/// The account owner: messages from these identities are the owner's own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Owner {
    pub name: String,
    pub identities: Vec<Identity>,
}

/// Someone who writes from the owner's accounts, such as an assistant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delegate {
    pub name: String,
    pub role: String,
    /// The signature their messages must carry; empty means "name and role".
    pub signature: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub owner: Owner,
    pub delegates: Vec<Delegate>,
    /// Ask before sending when a warning at or above this severity is open; `None`
    /// never asks.
    pub send_gate: Option<Severity>,
}
