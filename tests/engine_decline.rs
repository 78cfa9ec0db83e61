//! `engine::is_decline`: the popup's "their last reply declined", judged the way
//! `after-decline` judges it.

use rapport::engine::is_decline;
use rapport::settings::Settings;

#[test]
fn a_polite_no_declines() {
    let reply = "Hi Dana,\n\nThanks for thinking of me. Unfortunately the two boards I sit on \
                 are all I can keep up with this year, so I'll have to say no.\n\nBest,\nBrian";
    assert!(is_decline(reply, &Settings::default()));
}

#[test]
fn a_yes_does_not_decline() {
    let reply = "Hi Dana,\n\nSounds great, let's talk Tuesday. I'm free after 2pm.\n\nBrian";
    assert!(!is_decline(reply, &Settings::default()));
}

#[test]
fn a_no_in_the_quoted_history_is_not_their_reply() {
    let reply = "Sounds great, let's talk Tuesday.\n\nBrian\n\n\
                 On Mon, 2 Mar 2026 at 09:14, Dana Whitfield <dana@whitfield.example> wrote:\n\
                 > Unfortunately we are not interested right now, no thanks.\n\
                 > Dana";
    assert!(!is_decline(reply, &Settings::default()));
}

#[test]
fn the_users_phrase_edits_count() {
    let reply = "Hi Dana, we've gone with another vendor for this. Good luck with it!";
    assert!(!is_decline(reply, &Settings::default()));
    let mut settings = Settings::default();
    settings
        .phrases
        .decline
        .added
        .push("gone with another vendor".into());
    assert!(is_decline(reply, &settings));

    let firm = "Thanks, but this is not a fit for us.";
    assert!(is_decline(firm, &Settings::default()));
    let mut settings = Settings::default();
    settings.phrases.decline.removed.push("not a fit".into());
    assert!(!is_decline(firm, &settings));
}
