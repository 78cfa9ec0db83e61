//! The index's contract with the store: identities join people, names never do, and
//! the keys `slice_keys` names are the ones `message_band_keys` persisted.

use rapport::engine::{analyze, message_band_keys, slice_keys, Index};
use rapport::model::{
    Channel, Contact, Direction, Draft, Identity, Message, Party, Recipient, DAY,
};
use rapport::settings::Settings;

const NOW: i64 = 1_795_000_000_000;

fn email(a: &str) -> Identity {
    Identity::Email(a.into())
}

fn sent(id: &str, to: Party, days_ago: i64, text: &str) -> Message {
    Message {
        id: id.into(),
        channel: Channel::Email,
        direction: Direction::Sent,
        from: Party::default(),
        to: vec![to],
        time: NOW - days_ago * DAY,
        subject: None,
        text: text.into(),
        conversation: None,
        operator: None,
    }
}

fn received(id: &str, from: Party, days_ago: i64, text: &str) -> Message {
    Message {
        direction: Direction::Received,
        from,
        to: vec![],
        ..sent(id, Party::default(), days_ago, text)
    }
}

fn party(name: &str, identity: Identity) -> Party {
    Party {
        name: Some(name.into()),
        identity: Some(identity),
    }
}

#[test]
fn a_contact_added_later_takes_over_its_implied_people() {
    let mut index = Index::new();
    let li = Identity::Linkedin("raj-patel".into());
    index.add_message(received(
        "e1",
        party("Raj Patel", email("raj@p.com")),
        30,
        "Thanks!\n\nRaj",
    ));
    index.add_message(sent(
        "l1",
        party("Raj Patel", li.clone()),
        20,
        "Great to connect.",
    ));
    assert_ne!(
        index.contact_for(&li).map(|c| c.id.clone()),
        index.contact_for(&email("raj@p.com")).map(|c| c.id.clone())
    );
    index.add_contact(Contact {
        id: "c1".into(),
        identities: vec![email("raj@p.com"), li.clone()],
        names: vec!["Raj Patel".into()],
        ..Contact::default()
    });
    assert_eq!(index.contact_for(&li).map(|c| c.id.as_str()), Some("c1"));
    assert_eq!(
        index
            .contact_for(&email("raj@p.com"))
            .map(|c| c.id.as_str()),
        Some("c1")
    );
    assert_eq!(index.contact_count(), 1);
    // Re-adding a message id is ignored.
    index.add_message(sent("l1", party("Raj Patel", li), 20, "Great to connect."));
    assert_eq!(index.message_count(), 2);
}

#[test]
fn equal_names_are_suggested_never_merged() {
    let mut index = Index::new();
    for i in 0..6 {
        index.add_message(received(
            &format!("r{i}"),
            party("Brian Miller", email("brian@old.com")),
            100 + i,
            "Sounds good.\n\nBrian",
        ));
    }
    let new_profile = Identity::Linkedin("brian-miller-42".into());
    let draft = Draft {
        text: "Hi Brian,\n\nMy name is Dana and I'm reaching out because we help companies like yours. Would you be open to a quick call?".into(),
        quoted: None,
        subject: None,
        channel: Channel::Linkedin,
        recipients: vec![Recipient { name: Some("Brian Miller".into()), identity: Some(new_profile.clone()) }],
        operator: None,
        time: NOW,
        conversation: None,
    };
    let v = analyze(&index, &draft, &Settings::default());
    let w = v
        .warnings
        .iter()
        .find(|w| w.rule == "known-contact-pitch")
        .expect("suggestion warning");
    assert!(
        w.message
            .contains("probably the Brian Miller you emailed 6 times"),
        "{}",
        w.message
    );
    assert_eq!(w.evidence["matched_by"], "name");
    assert!(
        index.contact_for(&new_profile).is_none(),
        "the draft did not merge anyone"
    );
}

#[test]
fn slice_keys_meet_persisted_band_keys() {
    let template = "Hi Ava,\n\nI noticed Northwind is hiring engineers. We place senior backend developers in under three weeks. Worth a conversation this week?\n\nDana";
    let stored = sent(
        "t1",
        party("Ava Stone", email("ava@northwind.com")),
        3,
        template,
    );
    let persisted = message_band_keys(&stored);
    assert_eq!(persisted.len(), rapport::text::minhash::BANDS);
    let draft = Draft {
        text: template
            .replace("Ava", "Ben")
            .replace("Northwind", "Contoso"),
        quoted: None,
        subject: None,
        channel: Channel::Email,
        recipients: vec![Recipient {
            name: Some("Ben Ode".into()),
            identity: Some(email("ben@contoso.com")),
        }],
        operator: None,
        time: NOW,
        conversation: None,
    };
    let keys = slice_keys(&draft, &Settings::default());
    assert_eq!(keys.identity_keys, ["email:ben@contoso.com"]);
    assert_eq!(keys.name_keys, ["ben ode"]);
    assert!(
        keys.band_keys.iter().any(|k| persisted.contains(k)),
        "the store would find the earlier send"
    );
    assert!(message_band_keys(&received("x", Party::default(), 1, template)).is_empty());
}

#[test]
fn a_profile_url_in_their_signature_links_email_and_linkedin() {
    let mut index = Index::new();
    let li = Identity::Linkedin("raj-patel-consulting".into());
    index.add_contact(Contact {
        id: "li".into(),
        identities: vec![li.clone()],
        names: vec!["Raj Patel".into()],
        ..Contact::default()
    });
    index.add_message(received(
        "e1",
        party("Raj Patel", email("raj@p.com")),
        30,
        "See you Tuesday.\n\nBest,\nRaj Patel\nhttps://www.linkedin.com/in/Raj-Patel-Consulting/?trk=sig\n\nOn Mon, Dana wrote:\n> see https://www.linkedin.com/in/someone-else/",
    ));
    assert_eq!(
        index
            .contact_for(&email("raj@p.com"))
            .map(|c| c.id.as_str()),
        Some("li")
    );
    assert!(
        index
            .contact_for(&Identity::Linkedin("someone-else".into()))
            .is_none(),
        "quoted URLs link nobody"
    );
}
