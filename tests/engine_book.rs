//! Relationship books in the index: a delegate's browser holds the owner's per-contact
//! counts and dates instead of the owner's mail, and the rules read them as the depth
//! of the relationship. Stored copies of the same messages never count twice.

use rapport::engine::{analyze, Index};
use rapport::import::ContactHistory;
use rapport::model::{
    Channel, Contact, Direction, Draft, Identity, Message, Party, Recipient, Verdict, DAY,
};
use rapport::settings::Settings;

/// 2026-11-23T10:00:00Z.
const NOW: i64 = 1_795_428_000_000;
const PITCH: &str = "Hi Brian,\n\nI came across your profile and wanted to reach out. My name is Dana and I run Okafor Ventures. We help companies like yours scale their operations with our platform.\n\nWould you be open to a quick call next week?\n\nBest,\nDana";

fn li() -> Identity {
    Identity::Linkedin("brian-miller".into())
}

fn mail() -> Identity {
    Identity::Email("brian@miller.com".into())
}

fn brian() -> Contact {
    Contact {
        id: "c-brian".into(),
        identities: vec![mail(), li()],
        names: vec!["Brian Miller".into()],
        ..Contact::default()
    }
}

fn book(sent: u64, received: u64, first_days: i64, last_days: i64) -> ContactHistory {
    ContactHistory {
        contact: "c-brian".into(),
        sent,
        received,
        first: Some(NOW - first_days * DAY),
        last: Some(NOW - last_days * DAY),
        last_sent: Some(NOW - last_days * DAY),
        last_received: Some(NOW - last_days * DAY),
        channels: vec![Channel::Email],
    }
}

fn message(id: &str, direction: Direction, days_ago: i64, text: &str) -> Message {
    let them = Party {
        name: Some("Brian Miller".into()),
        identity: Some(mail()),
    };
    let (from, to) = match direction {
        Direction::Sent => (Party::default(), vec![them]),
        Direction::Received => (them, vec![]),
    };
    Message {
        id: id.into(),
        channel: Channel::Email,
        direction,
        from,
        to,
        time: NOW - days_ago * DAY,
        subject: None,
        text: text.into(),
        conversation: None,
        operator: None,
    }
}

fn check(index: &Index, text: &str, to: Identity) -> Verdict {
    let draft = Draft {
        text: text.into(),
        quoted: None,
        subject: None,
        channel: Channel::Linkedin,
        recipients: vec![Recipient {
            name: Some("Brian Miller".into()),
            identity: Some(to),
        }],
        operator: None,
        time: NOW,
        conversation: None,
    };
    analyze(index, &draft, &Settings::default())
}

fn rule<'v>(v: &'v Verdict, id: &str) -> Option<&'v rapport::model::Warning> {
    v.warnings.iter().find(|w| w.rule == id)
}

#[test]
fn a_book_alone_makes_a_known_contact_with_the_books_evidence() {
    let mut index = Index::new();
    index.add_contact(brian());
    index.add_history(book(30, 27, 1700, 51));
    let v = check(&index, PITCH, li());
    let w = rule(&v, "known-contact-pitch").expect("fires");
    assert_eq!(
        w.message,
        "You and Brian Miller have exchanged 57 emails since March 2022, the last on 3 October. This reads like a cold introduction."
    );
    assert_eq!(w.evidence["from_book"], true);
    assert_eq!(w.evidence["messages"], 57);
}

#[test]
fn the_book_may_arrive_before_its_contact() {
    let mut index = Index::new();
    index.add_history(book(30, 27, 1700, 51));
    index.add_contact(brian());
    assert_eq!(index.contact_count(), 1);
    assert!(rule(&check(&index, PITCH, li()), "known-contact-pitch").is_some());
}

#[test]
fn without_the_book_the_same_pitch_is_to_a_stranger() {
    let mut index = Index::new();
    index.add_contact(brian());
    assert!(rule(&check(&index, PITCH, li()), "known-contact-pitch").is_none());
}

#[test]
fn stored_copies_and_the_book_take_the_larger_figure_never_the_sum() {
    let mut index = Index::new();
    index.add_contact(brian());
    index.add_history(book(1, 1, 10, 9));
    index.add_message(message(
        "a",
        Direction::Sent,
        10,
        "Notes from today attached.",
    ));
    index.add_message(message("b", Direction::Received, 9, "Thanks!\n\nBrian"));
    let v = check(&index, PITCH, mail());
    let w = rule(&v, "known-contact-pitch").expect("fires");
    assert_eq!(w.evidence["messages"], 2, "{}", w.message);
    assert_eq!(w.evidence["sent"], 1);
    assert_eq!(w.evidence["received"], 1);
    // Stored messages beyond the book raise the count; the book still sets the floor.
    index.add_message(message("c", Direction::Sent, 5, "One more thing."));
    index.add_message(message("d", Direction::Sent, 4, "And another."));
    let w = rule(&check(&index, PITCH, mail()), "known-contact-pitch")
        .cloned()
        .unwrap();
    assert_eq!(w.evidence["sent"], 3);
    assert_eq!(w.evidence["messages"], 4);
    assert_eq!(w.evidence["recent_message_ids"][0], "a");
}

#[test]
fn importing_a_book_twice_changes_nothing() {
    let mut once = Index::new();
    once.add_contact(brian());
    once.add_history(book(30, 27, 1700, 51));
    let mut twice = Index::new();
    twice.add_contact(brian());
    twice.add_history(book(30, 27, 1700, 51));
    twice.add_history(book(30, 27, 1700, 51));
    assert_eq!(
        check(&once, PITCH, li()).warnings,
        check(&twice, PITCH, li()).warnings
    );
}

#[test]
fn counts_over_both_channels_are_not_split_up() {
    let mut index = Index::new();
    index.add_contact(brian());
    let mut h = book(22, 18, 900, 12);
    h.channels = vec![Channel::Email, Channel::Linkedin];
    index.add_history(h);
    let w = rule(&check(&index, PITCH, li()), "known-contact-pitch")
        .cloned()
        .unwrap();
    assert!(
        w.message.starts_with(
            "You and Brian Miller have exchanged 40 messages by email and on LinkedIn since"
        ),
        "{}",
        w.message
    );
}

#[test]
fn a_book_from_after_the_draft_is_ignored() {
    let mut index = Index::new();
    index.add_contact(brian());
    index.add_history(book(30, 27, 1700, -3));
    assert!(rule(&check(&index, PITCH, li()), "known-contact-pitch").is_none());
}

#[test]
fn a_book_makes_a_favor_a_favor_between_people_who_know_each_other() {
    let ask = "Hi Brian,\n\nWould you be willing to write me a recommendation for the advisory board?\n\nThanks,\nDana";
    let mut index = Index::new();
    let mut contact = brian();
    contact.connected_on = Some(NOW - 2 * DAY);
    index.add_contact(contact);
    let before = check(&index, ask, li());
    assert!(rule(&before, "early-favor").is_some());
    assert!(rule(&before, "pitch-after-connect").is_some());
    index.add_history(book(30, 27, 1700, 51));
    let after = check(&index, ask, li());
    assert!(
        rule(&after, "early-favor").is_none(),
        "{:?}",
        after.warnings
    );
}

#[test]
fn a_reply_the_book_knows_answers_stored_messages_sent_before_it() {
    let mut index = Index::new();
    index.add_contact(brian());
    index.add_message(message(
        "a",
        Direction::Sent,
        20,
        "The schedule is attached.",
    ));
    index.add_message(message("b", Direction::Sent, 12, "Venue moved upstairs."));
    let note = "Hi Brian,\n\nJust following up on my last message.\n\nDana";
    assert!(rule(&check(&index, note, mail()), "unanswered-streak").is_some());
    let mut h = book(12, 10, 400, 5);
    h.last_sent = Some(NOW - 12 * DAY);
    index.add_history(h);
    assert!(rule(&check(&index, note, mail()), "unanswered-streak").is_none());
}

#[test]
fn the_quoted_request_the_page_keeps_apart_makes_offering_a_call_a_reply() {
    let mut index = Index::new();
    index.add_contact(brian());
    index.add_history(book(30, 27, 1700, 51));
    let offer = "Hi Brian,\n\nHappy to. Would you be open to a quick call on Thursday? We help companies like yours scale their operations, and I can set up a demo for your team.\n\nBest,\nDana";
    let draft = |quoted: Option<&str>| Draft {
        text: offer.into(),
        quoted: quoted.map(String::from),
        subject: None,
        channel: Channel::Email,
        recipients: vec![Recipient {
            name: Some("Brian Miller".into()),
            identity: Some(mail()),
        }],
        operator: None,
        time: NOW,
        conversation: None,
    };
    let kcp = |quoted: Option<&str>| {
        analyze(&index, &draft(quoted), &Settings::default())
            .warnings
            .iter()
            .any(|w| w.rule == "known-contact-pitch")
    };
    assert!(kcp(None), "without the quote it reads as a pitch");
    let his = "On Mon, Nov 23, 2026 at 9:02 AM Brian Miller <brian@miller.com> wrote:\n> Dana, could we set up a call next week to go over the proposal?";
    assert!(!kcp(Some(his)));
    // Outlook's header, by address only.
    let outlook = "From: brian@miller.com\nSent: Monday, November 23, 2026 9:02 AM\nSubject: proposal\n\nCould you send me more details on pricing?";
    assert!(!kcp(Some(outlook)));
    // Quoting someone else (or the owner) asking for a call is no invitation from him.
    let hers = "On Mon, Nov 16, 2026 at 9:02 AM Dana Okafor <dana@okafor.co> wrote:\n> Brian, could we set up a call next week?";
    assert!(kcp(Some(hers)));
    // His quoted message that asks nothing leaves the pitch a pitch.
    let thanks = "On Mon, Nov 23, 2026 at 9:02 AM Brian Miller <brian@miller.com> wrote:\n> Thanks for the update, all good here.";
    assert!(kcp(Some(thanks)));
}

#[test]
fn a_namesake_known_only_from_the_book_is_suggested_with_its_counts() {
    let mut index = Index::new();
    index.add_contact(brian());
    index.add_history(book(30, 27, 1700, 51));
    let stranger_profile = Identity::Linkedin("brian-miller-42".into());
    let v = check(&index, PITCH, stranger_profile.clone());
    let w = rule(&v, "known-contact-pitch").expect("suggestion");
    assert_eq!(w.evidence["matched_by"], "name");
    assert!(
        w.message
            .contains("probably the Brian Miller you emailed 57 times (last on 3 October)"),
        "{}",
        w.message
    );
    let mut both = book(22, 18, 900, 12);
    both.channels = vec![Channel::Email, Channel::Linkedin];
    let mut index = Index::new();
    index.add_contact(brian());
    index.add_history(both);
    let v = check(&index, PITCH, stranger_profile);
    let w = rule(&v, "known-contact-pitch").expect("suggestion");
    assert!(
        w.message.contains("you wrote with 40 times"),
        "{}",
        w.message
    );
}
