//! What the user configures: who they are, who writes for them, and how each rule behaves.
//!
//! Every struct is `#[serde(default)]`, so the options page and the CLI may send any
//! subset of fields (`{"rules": {"pressure": {"enabled": false}}}`) and the rest keeps
//! its default. Rule sections are keyed by the public rule ids (`known-contact-pitch`,
//! ...); everything else is `snake_case`. [`Settings::validate`] names the offending
//! field with the same dotted path the JSON uses, so the options page can show the
//! message next to the field.

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

/// On/off and severity, shared by every rule.
macro_rules! rule_struct {
    ($(#[$doc:meta])* $name:ident, $sev:expr, { $($(#[$fdoc:meta])* $field:ident : $ty:ty = $default:expr),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct $name {
            pub enabled: bool,
            pub severity: Severity,
            $($(#[$fdoc])* pub $field: $ty,)*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { enabled: true, severity: $sev, $($field: $default,)* }
            }
        }
    };
}

rule_struct!(
    /// A cold introduction or pitch to someone the owner already knows.
    KnownContactPitch, Severity::Stop, {
        /// Messages exchanged (any channel, either direction) that make someone known.
        min_messages: u32 = 1,
        /// A LinkedIn connection at least this old makes someone known.
        connection_age_days: u32 = 180,
        /// Pitch phrases' weight needed to call the draft a pitch (see README).
        min_pitch_score: u32 = 3,
    }
);

rule_struct!(
    /// A near-duplicate of something already sent to this recipient.
    RepeatMessage, Severity::Caution, {
        /// Estimated Jaccard similarity of masked word shingles, 0..1.
        similarity: f32 = 0.6,
        /// Only sent messages this recent count.
        lookback_days: u32 = 365,
    }
);

rule_struct!(
    /// A near-duplicate of messages sent to many other people.
    MassTemplate, Severity::Caution, {
        similarity: f32 = 0.6,
        /// Other recipients of near-duplicates needed to call it a template blast.
        min_recipients: u32 = 10,
        window_days: u32 = 30,
    }
);

rule_struct!(
    /// Writing again when they have not answered.
    UnansweredStreak, Severity::Caution, {
        /// Sent messages since their last reply (or ever, if they never replied).
        max_unanswered: u32 = 2,
    }
);

rule_struct!(
    /// Asking again after a "no" or a do-not-pitch tag.
    AfterDecline, Severity::Stop, {}
);

rule_struct!(
    /// A delegate's message not signed with the delegate's own name and role.
    UnsignedDelegate, Severity::Stop, {}
);

rule_struct!(
    /// The greeting names someone who is not a recipient.
    GreetingMismatch, Severity::Stop, {}
);

rule_struct!(
    /// Unfilled template placeholders.
    MergeField, Severity::Stop, {}
);

rule_struct!(
    /// Asking a favor of someone you barely know.
    EarlyFavor, Severity::Caution, {
        /// A connection younger than this is new.
        new_connection_days: u32 = 14,
        /// Fewer messages exchanged than this is thin.
        min_messages: u32 = 3,
    }
);

rule_struct!(
    /// Pitching right after a connection was accepted.
    PitchAfterConnect, Severity::Caution, {
        window_hours: u32 = 48,
    }
);

rule_struct!(
    /// False urgency, incentives for favors, prepared posts, guilt.
    Pressure, Severity::Caution, {}
);

/// One section per rule, keyed by the rule id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct Rules {
    pub known_contact_pitch: KnownContactPitch,
    pub repeat_message: RepeatMessage,
    pub mass_template: MassTemplate,
    pub unanswered_streak: UnansweredStreak,
    pub after_decline: AfterDecline,
    pub unsigned_delegate: UnsignedDelegate,
    pub greeting_mismatch: GreetingMismatch,
    pub merge_field: MergeField,
    pub early_favor: EarlyFavor,
    pub pitch_after_connect: PitchAfterConnect,
    pub pressure: Pressure,
}

/// All rule ids, in the order the README lists them.
pub const RULE_IDS: [&str; 11] = [
    "known-contact-pitch",
    "repeat-message",
    "mass-template",
    "unanswered-streak",
    "after-decline",
    "unsigned-delegate",
    "greeting-mismatch",
    "merge-field",
    "early-favor",
    "pitch-after-connect",
    "pressure",
];

impl Rules {
    /// `(enabled, severity)` of a rule by id; `None` for an unknown id.
    pub fn switch(&self, rule: &str) -> Option<(bool, Severity)> {
        Some(match rule {
            "known-contact-pitch" => (
                self.known_contact_pitch.enabled,
                self.known_contact_pitch.severity,
            ),
            "repeat-message" => (self.repeat_message.enabled, self.repeat_message.severity),
            "mass-template" => (self.mass_template.enabled, self.mass_template.severity),
            "unanswered-streak" => (
                self.unanswered_streak.enabled,
                self.unanswered_streak.severity,
            ),
            "after-decline" => (self.after_decline.enabled, self.after_decline.severity),
            "unsigned-delegate" => (
                self.unsigned_delegate.enabled,
                self.unsigned_delegate.severity,
            ),
            "greeting-mismatch" => (
                self.greeting_mismatch.enabled,
                self.greeting_mismatch.severity,
            ),
            "merge-field" => (self.merge_field.enabled, self.merge_field.severity),
            "early-favor" => (self.early_favor.enabled, self.early_favor.severity),
            "pitch-after-connect" => (
                self.pitch_after_connect.enabled,
                self.pitch_after_connect.severity,
            ),
            "pressure" => (self.pressure.enabled, self.pressure.severity),
            _ => return None,
        })
    }
}

/// The user's changes to one built-in phrase list. Phrases are matched after the
/// same normalization as the draft (case, punctuation, quotes, diacritics), on whole
/// words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhraseEdits {
    /// Extra phrases that count like built-in ones.
    pub added: Vec<String>,
    /// Built-in phrases to ignore (matched after normalization).
    pub removed: Vec<String>,
}

/// Phrase lists the rules read, each built-in plus the user's edits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Phrases {
    /// Cold introductions, value propositions, calls to action (`known-contact-pitch`,
    /// `pitch-after-connect`).
    pub pitch: PhraseEdits,
    /// "Just following up", "did you get my last message" (`unanswered-streak`).
    pub bump: PhraseEdits,
    /// Polite and firm no's, read in their replies (`after-decline`).
    pub decline: PhraseEdits,
    /// Endorsements, referrals, introductions, shares, free advice, demos (`early-favor`).
    pub favor: PhraseEdits,
    /// Urgency, incentives, prepared posts, guilt (`pressure`).
    pub pressure: PhraseEdits,
}

/// Where the extension reads compose boxes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sites {
    pub linkedin: bool,
    pub gmail: bool,
    pub outlook: bool,
}

impl Default for Sites {
    fn default() -> Self {
        Self {
            linkedin: true,
            gmail: true,
            outlook: true,
        }
    }
}

/// Drafts longer than this many characters are analysed on their first part only
/// (the verdict says so).
pub const DEFAULT_MAX_DRAFT_CHARS: usize = 20_000;
const MAX_DRAFT_CHARS_LIMIT: usize = 1_000_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub owner: Owner,
    pub delegates: Vec<Delegate>,
    /// Ask before sending when a warning at or above this severity is open; `None`
    /// never asks.
    pub send_gate: Option<Severity>,
    pub rules: Rules,
    pub phrases: Phrases,
    pub sites: Sites,
    /// Analysis cap, in characters (Unicode scalar values).
    pub max_draft_chars: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            owner: Owner::default(),
            delegates: Vec::new(),
            send_gate: Some(Severity::Stop),
            rules: Rules::default(),
            phrases: Phrases::default(),
            sites: Sites::default(),
            max_draft_chars: DEFAULT_MAX_DRAFT_CHARS,
        }
    }
}

/// A settings problem, named by the JSON path of the field (`rules.mass-template.similarity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl Settings {
    /// Every problem at once, so the user can fix them in one pass.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |field: String, message: String| errors.push(FieldError { field, message });

        for (i, delegate) in self.delegates.iter().enumerate() {
            if delegate.name.trim().is_empty() {
                err(
                    format!("delegates.{i}.name"),
                    "Give the delegate's name: it is how their messages are recognised.".into(),
                );
            }
            let has_required = !delegate.signature.trim().is_empty();
            if !has_required && delegate.role.trim().is_empty() {
                err(
                    format!("delegates.{i}.role"),
                    "Give the delegate's role (e.g. \"Personal Assistant to Brian Miller\") or a required signature.".into(),
                );
            }
            let owner_key = crate::identity::name_key(&self.owner.name);
            if !owner_key.is_empty() && crate::identity::name_key(&delegate.name) == owner_key {
                err(
                    format!("delegates.{i}.name"),
                    "This is your own name: a delegate is someone else writing for you.".into(),
                );
            }
            let later = self.delegates[i + 1..].iter().any(|d| {
                crate::identity::name_key(&d.name) == crate::identity::name_key(&delegate.name)
            });
            if later && !delegate.name.trim().is_empty() {
                err(
                    format!("delegates.{i}.name"),
                    format!("\"{}\" is listed twice.", delegate.name.trim()),
                );
            }
        }
        if !self.delegates.is_empty() && self.owner.name.trim().is_empty() {
            err(
                "owner.name".into(),
                "Give your own name so Rapport can tell when a delegate signs as you.".into(),
            );
        }

        let r = &self.rules;
        let similarity = [
            ("repeat-message", r.repeat_message.similarity),
            ("mass-template", r.mass_template.similarity),
        ];
        for (rule, s) in similarity {
            if !(0.2..=1.0).contains(&s) || s.is_nan() {
                err(
                    format!("rules.{rule}.similarity"),
                    "Use a similarity between 0.2 and 1.0 (0.6 is the default).".into(),
                );
            }
        }
        let positive = [
            (
                "rules.known-contact-pitch.min_messages",
                r.known_contact_pitch.min_messages,
                1,
                10_000,
            ),
            (
                "rules.known-contact-pitch.min_pitch_score",
                r.known_contact_pitch.min_pitch_score,
                1,
                100,
            ),
            (
                "rules.repeat-message.lookback_days",
                r.repeat_message.lookback_days,
                1,
                36_500,
            ),
            (
                "rules.mass-template.min_recipients",
                r.mass_template.min_recipients,
                2,
                1_000_000,
            ),
            (
                "rules.mass-template.window_days",
                r.mass_template.window_days,
                1,
                3_650,
            ),
            (
                "rules.unanswered-streak.max_unanswered",
                r.unanswered_streak.max_unanswered,
                1,
                1_000,
            ),
            (
                "rules.early-favor.new_connection_days",
                r.early_favor.new_connection_days,
                1,
                3_650,
            ),
            (
                "rules.early-favor.min_messages",
                r.early_favor.min_messages,
                1,
                10_000,
            ),
            (
                "rules.pitch-after-connect.window_hours",
                r.pitch_after_connect.window_hours,
                1,
                24 * 365,
            ),
        ];
        for (field, value, min, max) in positive {
            if value < min || value > max {
                err(
                    field.into(),
                    format!("Use a whole number from {min} to {max}."),
                );
            }
        }

        let lists = [
            ("pitch", &self.phrases.pitch),
            ("bump", &self.phrases.bump),
            ("decline", &self.phrases.decline),
            ("favor", &self.phrases.favor),
            ("pressure", &self.phrases.pressure),
        ];
        for (name, edits) in lists {
            for (kind, phrases) in [("added", &edits.added), ("removed", &edits.removed)] {
                for (i, phrase) in phrases.iter().enumerate() {
                    if crate::text::normalize::phrase_key(phrase).is_empty() {
                        err(
                            format!("phrases.{name}.{kind}.{i}"),
                            "This phrase has no words in it.".into(),
                        );
                    } else if phrase.chars().count() > 200 {
                        err(
                            format!("phrases.{name}.{kind}.{i}"),
                            "Keep phrases under 200 characters.".into(),
                        );
                    }
                }
            }
        }

        if self.max_draft_chars < 1_000 || self.max_draft_chars > MAX_DRAFT_CHARS_LIMIT {
            err(
                "max_draft_chars".into(),
                format!("Use a number from 1000 to {MAX_DRAFT_CHARS_LIMIT}."),
            );
        }

        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The delegate with this name (case, accents and spacing ignored).
    pub fn delegate(&self, name: &str) -> Option<&Delegate> {
        let key = crate::identity::name_key(name);
        self.delegates
            .iter()
            .find(|d| crate::identity::name_key(&d.name) == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_json_keeps_defaults() {
        let s: Settings =
            serde_json::from_str(r#"{"rules":{"mass-template":{"min_recipients":25}}}"#).unwrap();
        assert_eq!(s.rules.mass_template.min_recipients, 25);
        assert_eq!(s.rules.mass_template.window_days, 30);
        assert!(s.rules.pressure.enabled);
        assert_eq!(s.send_gate, Some(Severity::Stop));
        assert_eq!(s.max_draft_chars, DEFAULT_MAX_DRAFT_CHARS);
        let round: Settings = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(round, s);
    }

    #[test]
    fn every_rule_id_has_a_switch() {
        let rules = Rules::default();
        for id in RULE_IDS {
            assert!(rules.switch(id).is_some(), "{id}");
        }
        assert!(rules.switch("nope").is_none());
        let json = serde_json::to_value(&rules).unwrap();
        for id in RULE_IDS {
            assert!(json.get(id).is_some(), "{id} missing from JSON");
        }
    }

    #[test]
    fn a_delegate_is_not_the_owner() {
        let s: Settings = serde_json::from_str(
            r#"{"owner":{"name":"Dana Okafor"},"delegates":[{"name":"dana  okafor","role":"CEO"}]}"#,
        )
        .unwrap();
        let errors = s.validate().unwrap_err();
        assert_eq!(errors[0].field, "delegates.0.name");
    }

    #[test]
    fn validate_names_fields() {
        assert_eq!(Settings::default().validate(), Ok(()));
        let s: Settings = serde_json::from_str(
            r#"{"delegates":[{"name":" "}],"rules":{"repeat-message":{"similarity":1.5}},
               "phrases":{"pitch":{"added":["!!!"]}},"max_draft_chars":5}"#,
        )
        .unwrap();
        let fields: Vec<String> = s
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        for f in [
            "delegates.0.name",
            "delegates.0.role",
            "owner.name",
            "rules.repeat-message.similarity",
            "phrases.pitch.added.0",
            "max_draft_chars",
        ] {
            assert!(fields.iter().any(|x| x == f), "{f} not in {fields:?}");
        }
    }
}
