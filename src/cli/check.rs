//! `rapport check`: one draft against the history.

use super::history::{load_index, Slice};
use super::output::{print_warnings, warnings_json};
use super::{
    load_settings, now_or_clock, operator, owner_matcher, ChannelArg, CheckArgs, CheckFormat,
    FailOn, Failure, Outcome,
};
use crate::engine::analyze;
use crate::identity::parse_identity;
use crate::model::{Channel, Draft, Identity, Recipient};
use std::io::Read;

pub(super) fn run(args: CheckArgs) -> Result<(Outcome, Option<FailOn>), Failure> {
    let mut settings = load_settings(args.common.settings.as_deref(), &args.me.me)?;
    let me = owner_matcher(&settings, &args.me.me);
    let text = read_draft(args.draft.as_deref())?;
    let recipients: Vec<Recipient> = args.to.iter().map(|to| recipient(to, None)).collect();
    let channel = match args.channel {
        Some(ChannelArg::Linkedin) => Channel::Linkedin,
        Some(ChannelArg::Email) => Channel::Email,
        None => default_channel(&recipients),
    };
    let operator = operator(
        &mut settings,
        &me,
        args.as_name.as_deref(),
        args.as_role.as_deref(),
    );
    let draft = Draft {
        text,
        quoted: None,
        subject: None,
        channel,
        recipients,
        operator,
        time: now_or_clock(args.common.now),
        conversation: None,
    };
    let slice = Slice::for_drafts(std::slice::from_ref(&draft), &settings);
    let (index, _) = load_index(&args.history.history, &me, Some(slice))?;
    let verdict = analyze(&index, &draft, &settings);
    match args.format {
        CheckFormat::Json => say!("{}", warnings_json(&verdict.warnings)),
        CheckFormat::Text => print_warnings(&verdict.warnings, &draft.text, ""),
    }
    Ok((
        Outcome {
            worst: verdict.worst(),
        },
        args.common.fail_on,
    ))
}

/// An email address or profile URL becomes an identity, `Name <address>` gives both,
/// and anything else is a name.
pub(super) fn recipient(to: &str, name: Option<&str>) -> Recipient {
    let to = to.trim();
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let (inline_name, address) = match (to.rfind('<'), to.ends_with('>')) {
        (Some(i), true) if i > 0 => (
            Some(to[..i].trim().trim_matches('"').to_string()),
            &to[i + 1..to.len() - 1],
        ),
        _ => (None, to),
    };
    match parse_identity(address) {
        Some(identity) => Recipient {
            name: name.or(inline_name.filter(|n| !n.is_empty())),
            identity: Some(identity),
        },
        None => Recipient {
            name: name.or_else(|| (!to.is_empty()).then(|| to.to_string())),
            identity: None,
        },
    }
}

/// Email when any recipient is an email address; otherwise the draft is a LinkedIn message.
pub(super) fn default_channel(recipients: &[Recipient]) -> Channel {
    if recipients
        .iter()
        .any(|r| matches!(r.identity, Some(Identity::Email(_))))
    {
        Channel::Email
    } else {
        Channel::Linkedin
    }
}

fn read_draft(path: Option<&std::path::Path>) -> Result<String, Failure> {
    let (name, bytes) = match path {
        None => ("standard input".to_string(), read_stdin()?),
        Some(p) if p.as_os_str() == "-" => ("standard input".to_string(), read_stdin()?),
        Some(p) => (
            p.display().to_string(),
            std::fs::read(p).map_err(|e| Failure::unreadable(p, &e))?,
        ),
    };
    String::from_utf8(bytes).map_err(|e| {
        Failure::Usage(format!(
            "{name} byte {}: the draft is not UTF-8 text; save it as UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })
}

fn read_stdin() -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Usage(format!("standard input cannot be read ({e})")))?;
    Ok(bytes)
}
