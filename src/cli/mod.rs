//! The `rapport` command: the engine and importers on files.
//!
//! Exit status is a contract for scripts: 0 when it ran (warnings or not), 1 when
//! `--fail-on` is given and a warning at or above it was raised, 2 on bad usage or
//! unreadable input (with a message naming the file, the place and the problem).

/// Prints a line of output. A closed pipe (`rapport import ... | head`) ends the
/// output quietly instead of panicking, and the exit status still reflects the run.
macro_rules! say {
    () => { $crate::cli::say_raw("\n") };
    ($($arg:tt)*) => { $crate::cli::say_raw(&format!("{}\n", format_args!($($arg)*))) };
}

mod audit;
mod check;
mod history;
mod output;

use crate::identity::parse_identity;
use crate::import::{ImportError, Me};
use crate::model::{Millis, Severity};
use crate::settings::{Delegate, Settings};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "rapport",
    version,
    about = "Checks messages against your history before you send them: a cold pitch to someone you already know, the same pitch again, a template blasted to dozens, a delegate's unsigned message, and more.",
    after_help = "Exit status: 0 when it ran (with or without warnings), 1 when --fail-on is given and a warning at or above that severity was raised, 2 on bad usage or unreadable input.\n\nStart with `rapport import --history YOUR_EXPORT` to see what your files hold."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check one draft against your history.
    #[command(
        after_help = "Example:\n  rapport check --history messages.csv --history Connections.csv --history inbox.mbox \\\n      --me dana@whitfield.io --me https://www.linkedin.com/in/dana-whitfield \\\n      --to https://www.linkedin.com/in/brian-miller --as 'Alex Kim' --as-role 'Assistant to Dana Whitfield' \\\n      --fail-on stop draft.txt"
    )]
    Check(CheckArgs),
    /// Check every row of an outreach list (CSV) before any of it is sent.
    #[command(
        after_help = "CAMPAIGN.csv needs a header row with `to` and `message` columns; `name`, `channel` and `as` are optional. Rows are checked in order, each as if the rows before it had been sent, so a template repeated down the list is caught.\n\nExample:\n  rapport audit --history samples/linkedin --history samples/mail.mbox \\\n      --me dana@whitfield.io --me https://www.linkedin.com/in/dana-whitfield \\\n      --now 2026-11-23 samples/campaign.csv"
    )]
    Audit(AuditArgs),
    /// Summarize what history files hold (counts, dates, problems) before trusting them.
    #[command(
        after_help = "Example:\n  rapport import --history Basic_LinkedInDataExport.zip --history Takeout.mbox --me dana@whitfield.io"
    )]
    Import(ImportArgs),
}

#[derive(Args)]
struct HistoryArgs {
    /// A history file (repeatable): LinkedIn messages.csv, Connections.csv, Invitations.csv or the export .zip; an mbox; an .eml; a Rapport backup or relationship book; or a folder of them. The format is read from the content.
    #[arg(long = "history", value_name = "PATH", required = true)]
    history: Vec<PathBuf>,
}

#[derive(Args)]
struct MeArgs {
    /// You, the account owner (repeatable): your name, email addresses and LinkedIn profile URL. Messages from these are yours.
    #[arg(long = "me", value_name = "ID", required = true)]
    me: Vec<String>,
}

#[derive(Args)]
struct CommonArgs {
    /// The options page's settings export (or a Rapport backup, whose settings are used).
    #[arg(long, value_name = "FILE")]
    settings: Option<PathBuf>,
    /// The present time, RFC 3339 or YYYY-MM-DD, so time windows are reproducible.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    now: Option<Millis>,
    /// Exit with status 1 when a warning at or above this severity is raised.
    #[arg(long = "fail-on", value_name = "SEVERITY")]
    fail_on: Option<FailOn>,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    history: HistoryArgs,
    #[command(flatten)]
    me: MeArgs,
    /// The recipient (repeatable): an email address, a LinkedIn profile URL or a name.
    #[arg(long = "to", value_name = "ID")]
    to: Vec<String>,
    /// Where the draft goes; by default email when a --to is an email address, else LinkedIn.
    #[arg(long, value_enum)]
    channel: Option<ChannelArg>,
    /// Who is writing, when it is not the owner: delegate rules apply.
    #[arg(long = "as", value_name = "NAME")]
    as_name: Option<String>,
    /// The role the delegate's signature must state (with --as).
    #[arg(long = "as-role", value_name = "ROLE", requires = "as_name")]
    as_role: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormat,
    /// The draft to check; `-` or nothing reads standard input.
    #[arg(value_name = "DRAFT_FILE")]
    draft: Option<PathBuf>,
}

#[derive(Args)]
struct AuditArgs {
    #[command(flatten)]
    history: HistoryArgs,
    #[command(flatten)]
    me: MeArgs,
    #[command(flatten)]
    common: CommonArgs,
    #[arg(long, value_enum, default_value = "text")]
    format: AuditFormat,
    /// The outreach list: CSV with a header row holding `to` and `message`.
    #[arg(value_name = "CAMPAIGN.csv")]
    campaign: PathBuf,
}

#[derive(Args)]
struct ImportArgs {
    #[command(flatten)]
    history: HistoryArgs,
    /// You, the account owner (repeatable); without it the summary only guesses who you are.
    #[arg(long = "me", value_name = "ID")]
    me: Vec<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum ChannelArg {
    Linkedin,
    Email,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Caution,
    Stop,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Caution => Severity::Caution,
            FailOn::Stop => Severity::Stop,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AuditFormat {
    Text,
    Json,
    Csv,
}

/// Why a run could not do its job; each becomes exit status 2 with one clear message.
#[derive(Debug)]
pub enum Failure {
    Usage(String),
    Import(ImportError),
}

impl Failure {
    fn unreadable(path: &Path, error: &std::io::Error) -> Failure {
        let hint = match error.kind() {
            std::io::ErrorKind::NotFound => "check the path",
            std::io::ErrorKind::PermissionDenied => "check the file's permissions",
            _ => "check the file",
        };
        Failure::Usage(format!(
            "{}: cannot be read ({error}); {hint}",
            path.display()
        ))
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Usage(message) => f.write_str(message),
            Failure::Import(error) => write!(f, "{error}"),
        }
    }
}

thread_local! {
    static STDOUT_CLOSED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub(crate) fn say_raw(text: &str) {
    use std::io::Write;
    if STDOUT_CLOSED.get() {
        return;
    }
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        STDOUT_CLOSED.set(true);
    }
}

/// What a successful run says about its warnings, for `--fail-on`.
pub struct Outcome {
    pub worst: Option<Severity>,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Import(args) => output::import(args),
    };
    match result {
        Ok((outcome, fail_on)) => match (outcome.worst, fail_on) {
            (Some(worst), Some(threshold)) if worst >= threshold.severity() => ExitCode::from(1),
            _ => ExitCode::SUCCESS,
        },
        Err(failure) => {
            eprintln!("rapport: {failure}");
            ExitCode::from(2)
        }
    }
}

fn parse_now(text: &str) -> Result<Millis, String> {
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(time.timestamp_millis());
    }
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .timestamp_millis());
    }
    Err("expected RFC 3339 (2026-11-23T09:30:00Z) or a date (2026-11-23)".into())
}

fn now_or_clock(now: Option<Millis>) -> Millis {
    now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as Millis)
    })
}

/// Settings from `--settings` (a settings export or a backup), with `--me` as the
/// owner's identities and name.
fn load_settings(path: Option<&Path>, me: &[String]) -> Result<Settings, Failure> {
    let mut settings = match path {
        None => Settings::default(),
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| Failure::unreadable(path, &e))?;
            let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
                Failure::Usage(format!(
                    "{} line {}: not valid JSON ({e}); export the settings again from the options page",
                    path.display(),
                    e.line()
                ))
            })?;
            let value = match value.get("format").and_then(|f| f.as_str()) {
                Some("rapport-backup") => value.get("settings").cloned().unwrap_or_default(),
                _ => value,
            };
            let settings: Settings = serde_json::from_value(value).map_err(|e| {
                Failure::Usage(format!(
                    "{}: not a Rapport settings file ({e})",
                    path.display()
                ))
            })?;
            if let Err(errors) = settings.validate() {
                let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                return Err(Failure::Usage(format!(
                    "{}: invalid settings: {}; fix them in the options page and export again",
                    path.display(),
                    list.join("; ")
                )));
            }
            settings
        }
    };
    for value in me {
        match parse_identity(value) {
            Some(identity) if !settings.owner.identities.contains(&identity) => {
                settings.owner.identities.push(identity);
            }
            Some(_) => {}
            None if settings.owner.name.trim().is_empty() => {
                settings.owner.name = value.trim().to_string()
            }
            None => {}
        }
    }
    Ok(settings)
}

fn owner_matcher(settings: &Settings, me: &[String]) -> Me {
    let mut values: Vec<String> = me.to_vec();
    values.push(settings.owner.name.clone());
    values.extend(settings.owner.identities.iter().map(|i| i.to_string()));
    Me::parse(values)
}

/// `--as NAME [--as-role ROLE]`: the operator of the draft, `None` for the owner.
fn operator(
    settings: &mut Settings,
    me: &Me,
    name: Option<&str>,
    role: Option<&str>,
) -> Option<String> {
    let name = name?.trim();
    let as_party = crate::model::Party {
        name: Some(name.to_string()),
        identity: parse_identity(name),
    };
    if me.is_me(&as_party, crate::model::Channel::Linkedin) {
        return None;
    }
    let key = crate::identity::name_key(name);
    match settings
        .delegates
        .iter_mut()
        .find(|d| crate::identity::name_key(&d.name) == key)
    {
        Some(delegate) => {
            if let Some(role) = role {
                delegate.role = role.to_string();
            }
        }
        None => settings.delegates.push(Delegate {
            name: name.to_string(),
            role: role.unwrap_or_default().to_string(),
            signature: String::new(),
        }),
    }
    Some(name.to_string())
}
