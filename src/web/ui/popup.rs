//! The toolbar popup: the person in the open compose box (or search and recent
//! contacts), their tags, exceptions, merges and an undo for each change.

use super::bridge::{self, call, call_as, call_field, t, t_with};
use super::dom::{
    self, action_of, by_id, clear, create, input, on_id, set_text, show, text_element,
};
use crate::model::{Contact, DoNotPitch, Identity, Recipient, RelationshipKind, Tags, Verdict};
use crate::protocol::{ActiveDraftReply, ContactSummaryReply, Request};
use crate::web::chrome;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, HtmlSelectElement, HtmlTextAreaElement};

const SEARCH_LIMIT: usize = 20;
const RECENT_LIMIT: usize = 8;
/// Changes kept for undo; the popup lists the newest five.
const UNDO_KEPT: usize = 20;
/// While the popup is open, a request this often keeps the service worker from its
/// 30 s idle stop, so no keystroke pays for a wake.
const KEEP_AWAKE_MS: u32 = 20_000;

/// One change the user can take back, with what it takes to reverse it. Externally
/// tagged (`{"tags": {...}}`): an internally tagged enum's derived `Deserialize`
/// buffers through serde's `Content`, a second deserializer for every type in it.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Undo {
    Tags {
        contact: String,
        before: Tags,
    },
    AddedException {
        contact: String,
        rule: String,
    },
    RemovedException {
        contact: String,
        rule: String,
    },
    Merged {
        keep: String,
        absorbed: Contact,
    },
    Split {
        contact: String,
        new_contact: String,
    },
    Linked {
        contact: String,
        identity: Identity,
    },
}

#[derive(Default)]
struct State {
    tab: Option<i64>,
    draft: Option<ActiveDraftReply>,
    recipient: Recipient,
    contact: Option<Contact>,
    /// Undo entries, newest last, each with the sentence shown on its button.
    undo: Vec<(String, Undo)>,
    search_generation: u32,
    merge_candidates: Vec<Contact>,
}

type Shared = Rc<RefCell<State>>;

pub fn start() {
    let state: Shared = Rc::default();
    fill_static_choices();
    wire(&state);
    keep_worker_awake();
    spawn_local(async move {
        load(&state).await;
    });
}

/// An empty search: the cheapest request that also keeps the database open.
fn keep_worker_awake() {
    gloo::timers::callback::Interval::new(KEEP_AWAKE_MS, || {
        spawn_local(async {
            let _ = call(&Request::Search {
                query: String::new(),
                limit: 0,
            })
            .await;
        });
    })
    .forget();
}

/// The undo list of earlier popups (this browser session).
async fn load_undo(state: &Shared) {
    let saved = chrome::session_get(chrome::POPUP_UNDO_KEY)
        .await
        .ok()
        .flatten();
    // Entry by entry: one unreadable (an update changed its shape) loses only itself.
    let undo: Vec<(String, Undo)> = match saved {
        Some(serde_json::Value::Array(entries)) => entries
            .iter()
            .filter_map(|e| crate::protocol::from_value(e).ok())
            .collect(),
        _ => Vec::new(),
    };
    state.borrow_mut().undo = undo;
}

/// Keeps the newest [`UNDO_KEPT`] changes, here and for the next popup.
async fn save_undo(state: &Shared) {
    let value = {
        let mut s = state.borrow_mut();
        let excess = s.undo.len().saturating_sub(UNDO_KEPT);
        s.undo.drain(..excess);
        serde_json::to_value(&s.undo)
    };
    if let Ok(value) = value {
        if let Err(error) = chrome::session_set(chrome::POPUP_UNDO_KEY, &value).await {
            status(&error);
        }
    }
}

fn fill_static_choices() {
    let kind: Element = by_id("tag-kind");
    let none = text_element("option", &t("kindNone"));
    let _ = none.set_attribute("value", "");
    let _ = kind.append_child(&none);
    for k in RelationshipKind::ALL {
        let value = kind_value(k);
        let option = text_element("option", &t(&format!("kind_{}", value.replace('-', "_"))));
        let _ = option.set_attribute("value", &value);
        let _ = kind.append_child(&option);
    }
    let rules: Element = by_id("exception-rule");
    for rule in crate::settings::RULE_IDS {
        let option = text_element("option", &rule_label(rule));
        let _ = option.set_attribute("value", rule);
        let _ = rules.append_child(&option);
    }
}

fn kind_value(kind: RelationshipKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn rule_label(rule: &str) -> String {
    t(&format!("rule_{}", rule.replace('-', "_")))
}

async fn load(state: &Shared) {
    load_undo(state).await;
    let operator_loaded = load_operator();
    let tab = bridge::active_tab_id().await;
    state.borrow_mut().tab = tab;
    let stats = call(&Request::Stats).await;
    operator_loaded.await;
    let empty = matches!(&stats, Ok(s) if s.get("contacts").and_then(|c| c.as_u64()) == Some(0)
        && s.get("messages").and_then(|c| c.as_u64()) == Some(0));
    if let Err(error) = &stats {
        status(error);
    }
    let draft = match tab {
        Some(tab) => call_as::<ActiveDraftReply>(&Request::ActiveDraft { tab })
            .await
            .ok(),
        None => None,
    };
    let recipient = draft
        .as_ref()
        .and_then(|d| d.draft.as_ref())
        .and_then(|d| d.recipients.first().cloned());
    let recipients = draft
        .as_ref()
        .and_then(|d| d.draft.as_ref())
        .map(|d| d.recipients.clone())
        .unwrap_or_default();
    fill_recipient_choice(&recipients);
    state.borrow_mut().draft = draft;
    match recipient {
        Some(recipient) => open_recipient(state, recipient, None).await,
        // An empty store has nothing to search: say what Rapport does and how to start.
        None if empty => show("onboarding", true),
        None => show_browse(state).await,
    }
}

/// A draft to several people: the popup shows one at a time, chosen here.
fn fill_recipient_choice(recipients: &[Recipient]) {
    let select: Element = by_id("recipient-choice");
    clear(&select);
    for (i, recipient) in recipients.iter().enumerate() {
        let label = match (&recipient.name, &recipient.identity) {
            (Some(name), Some(identity)) => format!("{name} <{identity}>"),
            (Some(name), None) => name.clone(),
            (None, Some(identity)) => identity.to_string(),
            (None, None) => t("unknownPerson"),
        };
        let option = text_element("option", &label);
        let _ = option.set_attribute("value", &i.to_string());
        let _ = select.append_child(&option);
    }
    show("recipient-row", recipients.len() > 1);
}

async fn show_browse(state: &Shared) {
    show("contact", false);
    show("browse", true);
    state.borrow_mut().contact = None;
    match call_field::<Vec<Contact>>(
        &Request::RecentContacts {
            limit: RECENT_LIMIT,
        },
        "contacts",
    )
    .await
    {
        Ok(recent) => render_contact_list(&by_id("recent"), &recent, "open", None),
        Err(error) => status(&error),
    }
}

/// Shows the person a draft is addressed to, or a stored contact by id.
async fn open_recipient(state: &Shared, recipient: Recipient, contact_id: Option<String>) {
    let reply = call_as::<ContactSummaryReply>(&Request::ContactSummary {
        recipient: recipient.clone(),
        contact: contact_id,
    })
    .await;
    match reply {
        Ok(reply) => {
            {
                let mut s = state.borrow_mut();
                s.recipient = recipient;
                s.contact = reply.contact.clone();
            }
            render_contact(state, &reply);
        }
        Err(error) => status(&error),
    }
}

async fn reload(state: &Shared) {
    let (recipient, id) = {
        let s = state.borrow();
        (
            s.recipient.clone(),
            s.contact.as_ref().map(|c| c.id.clone()),
        )
    };
    open_recipient(state, recipient, id).await;
    refresh_verdict(state).await;
}

fn render_contact(state: &Shared, reply: &ContactSummaryReply) {
    show("browse", false);
    show("onboarding", false);
    show("contact", true);
    let s = state.borrow();
    let contact = reply.contact.as_ref();
    let name = contact
        .map(|c| c.display_name().to_owned())
        .filter(|n| !n.is_empty())
        .or_else(|| s.recipient.name.clone())
        .or_else(|| s.recipient.identity.as_ref().map(|i| i.to_string()))
        .unwrap_or_else(|| t("unknownPerson"));
    set_text("contact-name", &name);
    let company = contact
        .map(|c| {
            [c.position.as_deref(), c.company.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    set_text("contact-company", &company);

    let identities: Element = by_id("contact-identities");
    clear(&identities);
    let listed: Vec<Identity> = match contact {
        Some(c) => c.identities.clone(),
        None => s.recipient.identity.iter().cloned().collect(),
    };
    for (i, identity) in listed.iter().enumerate() {
        let item = create("li");
        let _ = item.set_attribute("data-id", &i.to_string());
        let _ = item.append_child(&text_element("span", &identity.to_string()));
        if contact.is_some() && listed.len() > 1 {
            let unlink = dom::button(&t("unlink"), "unlink");
            let _ = unlink.set_attribute(
                "aria-label",
                &t_with("unlinkLabel", &[&identity.to_string()]),
            );
            let _ = item.append_child(&unlink);
        }
        let _ = identities.append_child(&item);
    }

    show("unknown-contact", contact.is_none());
    show("contact-details", contact.is_some());
    render_summary(reply);
    if let Some(contact) = contact {
        render_tags(&contact.tags);
        render_exceptions(contact);
    }
    render_verdict(s.draft.as_ref().and_then(|d| d.verdict.as_ref()));
    render_undo(&s.undo);
}

fn render_summary(reply: &ContactSummaryReply) {
    let summary = &reply.summary;
    set_text("summary-sent", &summary.sent.to_string());
    set_text("summary-received", &summary.received.to_string());
    let date = |d: Option<i64>| d.map(dom::format_date).unwrap_or_else(|| t("never"));
    set_text("summary-first", &date(summary.first));
    set_text("summary-last", &date(summary.last));
    let channels: Vec<String> = summary
        .channels
        .iter()
        .map(|c| t(&format!("channel_{}", c.as_str())))
        .collect();
    set_text(
        "summary-channels",
        &if channels.is_empty() {
            t("none")
        } else {
            channels.join(", ")
        },
    );
    match &summary.last_reply {
        Some(reply) => {
            let verdict = if reply.declined {
                t("replyDeclined")
            } else {
                t("replyNotDeclined")
            };
            set_text(
                "summary-last-reply",
                &format!(
                    "{} ({}): {}",
                    dom::format_date(reply.time),
                    verdict,
                    reply.excerpt
                ),
            );
            let _ = by_id::<Element>("summary-last-reply").set_attribute(
                "data-declined",
                if reply.declined { "true" } else { "false" },
            );
        }
        None => set_text("summary-last-reply", &t("noReply")),
    }
}

fn render_tags(tags: &Tags) {
    let kind: HtmlSelectElement = by_id("tag-kind");
    kind.set_value(&tags.kind.map(kind_value).unwrap_or_default());
    input("tag-dnp").set_checked(tags.do_not_pitch.is_some());
    let dnp = tags.do_not_pitch.clone().unwrap_or_default();
    input("tag-dnp-reason").set_value(dnp.reason.as_deref().unwrap_or(""));
    input("tag-dnp-date").set_value(&dnp.since.map(dom::format_date).unwrap_or_default());
    show("tag-dnp-details", tags.do_not_pitch.is_some());
    input("tag-nicknames").set_value(&tags.nicknames.join(", "));
    input("tag-preferred").set_value(tags.preferred_name.as_deref().unwrap_or(""));
    by_id::<HtmlTextAreaElement>("tag-notes").set_value(&tags.notes);
}

/// The tags as the form now says.
fn tags_from_form(before: &Tags) -> Tags {
    let kind_value = by_id::<HtmlSelectElement>("tag-kind").value();
    let kind = RelationshipKind::ALL
        .into_iter()
        .find(|k| self::kind_value(*k) == kind_value);
    let do_not_pitch = input("tag-dnp").checked().then(|| DoNotPitch {
        reason: Some(input("tag-dnp-reason").value().trim().to_owned()).filter(|r| !r.is_empty()),
        since: dom::parse_date(&input("tag-dnp-date").value())
            .or_else(|| before.do_not_pitch.as_ref().and_then(|d| d.since))
            .or_else(|| Some(dom::now())),
    });
    let nicknames = input("tag-nicknames")
        .value()
        .split([',', ';'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    let preferred = input("tag-preferred").value().trim().to_owned();
    Tags {
        kind,
        do_not_pitch,
        nicknames,
        preferred_name: Some(preferred).filter(|p| !p.is_empty()),
        notes: by_id::<HtmlTextAreaElement>("tag-notes").value(),
    }
}

fn render_exceptions(contact: &Contact) {
    let list: Element = by_id("exception-list");
    clear(&list);
    for exception in &contact.exceptions {
        let item = create("li");
        let _ = item.set_attribute("data-id", &exception.rule);
        let _ = item.set_attribute("data-rule", &exception.rule);
        let _ = item.append_child(&text_element("span", &rule_label(&exception.rule)));
        let remove = dom::button(&t("remove"), "remove-exception");
        let _ = remove.set_attribute(
            "aria-label",
            &t_with("removeExceptionLabel", &[&rule_label(&exception.rule)]),
        );
        let _ = item.append_child(&remove);
        let _ = list.append_child(&item);
    }
    show("exceptions-empty", contact.exceptions.is_empty());
}

fn render_verdict(verdict: Option<&Verdict>) {
    let list: Element = by_id("warnings");
    clear(&list);
    let warnings = verdict.map(|v| v.warnings.as_slice()).unwrap_or_default();
    show("draft-section", verdict.is_some());
    for warning in warnings {
        let item = create("li");
        let _ = item.set_attribute("data-rule", &warning.rule);
        let _ = item.set_attribute("data-severity", warning.severity.as_str());
        let _ = item.set_attribute("class", &format!("warning {}", warning.severity.as_str()));
        let _ = item.append_child(&text_element("strong", &rule_label(&warning.rule)));
        let _ = item.append_child(&text_element("span", &warning.message));
        // The engine only suggests that two records with one name are one person; the
        // user decides, here, in one click.
        if let Some(suggested) = warning
            .evidence
            .get("suggested_contact")
            .and_then(|v| v.as_str())
        {
            let _ = item.set_attribute("data-id", suggested);
            let merge = dom::button(&t("mergeSuggested"), "merge-suggested");
            let _ = item.append_child(&merge);
        }
        let _ = list.append_child(&item);
    }
    show("warnings-none", warnings.is_empty());
}

fn render_undo(undo: &[(String, Undo)]) {
    let list: Element = by_id("undo-list");
    clear(&list);
    for (i, (label, _)) in undo.iter().enumerate().rev().take(5) {
        let item = create("li");
        let _ = item.set_attribute("data-id", &i.to_string());
        let button = dom::button(&t_with("undoLabel", &[label]), "undo");
        let _ = item.append_child(&button);
        let _ = list.append_child(&item);
    }
    show("undo-section", !undo.is_empty());
}

/// Contacts as a list of buttons; `exclude` leaves out the contact being edited.
fn render_contact_list(list: &Element, contacts: &[Contact], action: &str, exclude: Option<&str>) {
    clear(list);
    for contact in contacts.iter().filter(|c| Some(c.id.as_str()) != exclude) {
        let item = create("li");
        let _ = item.set_attribute("data-id", &contact.id);
        let name = Some(contact.display_name())
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .or_else(|| contact.identities.first().map(|i| i.to_string()))
            .unwrap_or_else(|| t("unknownPerson"));
        let detail = contact
            .identities
            .iter()
            .map(|i| i.to_string())
            .chain(contact.company.clone())
            .collect::<Vec<_>>()
            .join(" · ");
        let button = dom::button("", action);
        let _ = button.set_attribute("class", "contact-button");
        let _ = button.append_child(&text_element("span", &name));
        let _ = button.append_child(&text_element("small", &detail));
        if action == "merge" {
            let _ = button.set_attribute("aria-label", &t_with("mergeLabel", &[&name]));
        }
        let _ = item.append_child(&button);
        let _ = list.append_child(&item);
    }
    if contacts.is_empty() {
        let _ = list.append_child(&text_element("li", &t("noContacts")));
    }
}

fn status(message: &str) {
    set_text("status", message);
}

fn wire(state: &Shared) {
    on_id("open-options", "click", |event| {
        event.prevent_default();
        bridge::open_options_page();
    });
    on_id("onboarding-options", "click", |event| {
        event.prevent_default();
        bridge::open_options_page();
    });

    let s = state.clone();
    on_id("search", "input", move |_| {
        let s = s.clone();
        spawn_local(async move { search(&s, "search", "results", "open").await });
    });
    let s = state.clone();
    on_id("merge-search", "input", move |_| {
        let s = s.clone();
        spawn_local(async move { search(&s, "merge-search", "merge-results", "merge").await });
    });

    for list in ["results", "recent"] {
        let s = state.clone();
        on_id(list, "click", move |event| {
            if let Some((_, id)) = action_of(&event) {
                let s = s.clone();
                spawn_local(
                    async move { open_recipient(&s, Recipient::default(), Some(id)).await },
                );
            }
        });
    }
    let s = state.clone();
    on_id("recipient-choice", "change", move |_| {
        let index: usize = by_id::<HtmlSelectElement>("recipient-choice")
            .value()
            .parse()
            .unwrap_or(0);
        let recipient = s
            .borrow()
            .draft
            .as_ref()
            .and_then(|d| d.draft.as_ref())
            .and_then(|d| d.recipients.get(index).cloned());
        if let Some(recipient) = recipient {
            let s = s.clone();
            spawn_local(async move { open_recipient(&s, recipient, None).await });
        }
    });
    let s = state.clone();
    on_id("back", "click", move |_| {
        let s = s.clone();
        spawn_local(async move { show_browse(&s).await });
    });

    // Tags apply as soon as a field is committed (change fires on blur or Enter).
    for field in [
        "tag-kind",
        "tag-dnp",
        "tag-dnp-reason",
        "tag-dnp-date",
        "tag-nicknames",
        "tag-preferred",
        "tag-notes",
    ] {
        let s = state.clone();
        on_id(field, "change", move |_| {
            show("tag-dnp-details", input("tag-dnp").checked());
            let s = s.clone();
            spawn_local(async move { save_tags(&s).await });
        });
    }
    on_id("tags-form", "submit", |event| event.prevent_default());

    let s = state.clone();
    on_id("exception-add", "click", move |_| {
        let rule = by_id::<HtmlSelectElement>("exception-rule").value();
        let s = s.clone();
        spawn_local(async move { add_exception(&s, rule).await });
    });
    let s = state.clone();
    on_id("exception-list", "click", move |event| {
        if let Some((_, rule)) = action_of(&event) {
            let s = s.clone();
            spawn_local(async move { remove_exception(&s, rule).await });
        }
    });
    let s = state.clone();
    on_id("contact-identities", "click", move |event| {
        if let Some((_, index)) = action_of(&event) {
            let s = s.clone();
            spawn_local(async move { unlink(&s, index.parse().unwrap_or(usize::MAX)).await });
        }
    });
    let s = state.clone();
    on_id("merge-results", "click", move |event| {
        if let Some((_, id)) = action_of(&event) {
            let s = s.clone();
            spawn_local(async move { merge_or_link(&s, id).await });
        }
    });
    let s = state.clone();
    on_id("warnings", "click", move |event| {
        if let Some((_, id)) = action_of(&event) {
            let s = s.clone();
            spawn_local(async move { merge_or_link(&s, id).await });
        }
    });
    let s = state.clone();
    on_id("undo-list", "click", move |event| {
        if let Some((_, index)) = action_of(&event) {
            let s = s.clone();
            spawn_local(async move { undo(&s, index.parse().unwrap_or(usize::MAX)).await });
        }
    });
}

async fn search(state: &Shared, field: &str, list: &str, action: &str) {
    let query = input(field).value();
    let generation = {
        let mut s = state.borrow_mut();
        s.search_generation = s.search_generation.wrapping_add(1);
        s.search_generation
    };
    let list: Element = by_id(list);
    if query.trim().is_empty() {
        clear(&list);
        return;
    }
    let started = super::import_driver::now_ms();
    let found = call_field::<Vec<Contact>>(
        &Request::Search {
            query,
            limit: SEARCH_LIMIT,
        },
        "contacts",
    )
    .await;
    // A slower reply to an earlier keystroke must not overwrite a newer one.
    if state.borrow().search_generation != generation {
        return;
    }
    match found {
        Ok(contacts) => {
            let exclude = state.borrow().contact.as_ref().map(|c| c.id.clone());
            if action == "merge" {
                state.borrow_mut().merge_candidates = contacts.clone();
            }
            render_contact_list(&list, &contacts, action, exclude.as_deref());
            // Keystroke to rendered results, for the benchmark in the popup test.
            let elapsed = super::import_driver::now_ms() - started;
            let _ = list.set_attribute("data-search-ms", &format!("{elapsed:.1}"));
            by_id::<Element>("search-count")
                .set_text_content(Some(&t_with("searchCount", &[&contacts.len().to_string()])));
        }
        Err(error) => status(&error),
    }
}

fn current_contact(state: &Shared) -> Option<Contact> {
    state.borrow().contact.clone()
}

/// Runs one change, records how to undo it, and shows the result.
async fn apply(
    state: &Shared,
    request: Request,
    label: String,
    undo: Undo,
) -> Option<serde_json::Value> {
    match call(&request).await {
        Ok(reply) => {
            state.borrow_mut().undo.push((label.clone(), undo));
            save_undo(state).await;
            status(&t_with("changed", &[&label]));
            Some(reply)
        }
        Err(error) => {
            status(&error);
            None
        }
    }
}

async fn save_tags(state: &Shared) {
    let Some(contact) = current_contact(state) else {
        return;
    };
    let tags = tags_from_form(&contact.tags);
    if tags == contact.tags {
        return;
    }
    let label = t_with("undoTags", &[contact.display_name()]);
    let undo = Undo::Tags {
        contact: contact.id.clone(),
        before: contact.tags.clone(),
    };
    if apply(
        state,
        Request::SetTags {
            contact: contact.id.clone(),
            tags,
        },
        label,
        undo,
    )
    .await
    .is_some()
    {
        reload(state).await;
    }
}

async fn add_exception(state: &Shared, rule: String) {
    let Some(contact) = current_contact(state) else {
        return;
    };
    if contact.has_exception(&rule) {
        return;
    }
    let label = t_with("undoAddException", &[&rule_label(&rule)]);
    let undo = Undo::AddedException {
        contact: contact.id.clone(),
        rule: rule.clone(),
    };
    if apply(
        state,
        Request::AddException {
            contact: contact.id,
            rule,
        },
        label,
        undo,
    )
    .await
    .is_some()
    {
        reload(state).await;
    }
}

async fn remove_exception(state: &Shared, rule: String) {
    let Some(contact) = current_contact(state) else {
        return;
    };
    let label = t_with("undoRemoveException", &[&rule_label(&rule)]);
    let undo = Undo::RemovedException {
        contact: contact.id.clone(),
        rule: rule.clone(),
    };
    if apply(
        state,
        Request::RemoveException {
            contact: contact.id,
            rule,
        },
        label,
        undo,
    )
    .await
    .is_some()
    {
        reload(state).await;
    }
}

async fn unlink(state: &Shared, index: usize) {
    let Some(contact) = current_contact(state) else {
        return;
    };
    let Some(identity) = contact.identities.get(index).cloned() else {
        return;
    };
    let request = Request::Split {
        contact: contact.id.clone(),
        identity: identity.clone(),
    };
    let Ok(reply) = call(&request).await.map_err(|e| status(&e)) else {
        return;
    };
    let new_contact = reply
        .get("contact")
        .and_then(|c| c.get("id"))
        .and_then(|id| id.as_str())
        .unwrap_or_default()
        .to_owned();
    let label = t_with("undoUnlink", &[&identity.to_string()]);
    status(&t_with("changed", &[&label]));
    state.borrow_mut().undo.push((
        label,
        Undo::Split {
            contact: contact.id,
            new_contact,
        },
    ));
    save_undo(state).await;
    reload(state).await;
}

/// Merges the chosen contact into the one shown, or, when the recipient is not yet
/// a contact, links the recipient's identity to the chosen one.
async fn merge_or_link(state: &Shared, other: String) {
    let listed = state
        .borrow()
        .merge_candidates
        .iter()
        .find(|c| c.id == other)
        .cloned();
    // A suggestion from a warning names a contact the merge search never listed.
    let absorbed = match listed {
        Some(contact) => Some(contact),
        None => call_as::<ContactSummaryReply>(&Request::ContactSummary {
            recipient: Recipient::default(),
            contact: Some(other.clone()),
        })
        .await
        .ok()
        .and_then(|reply| reply.contact),
    };
    match current_contact(state) {
        Some(contact) => {
            let Some(absorbed) = absorbed else { return };
            let label = t_with(
                "undoMerge",
                &[absorbed.display_name(), contact.display_name()],
            );
            let undo = Undo::Merged {
                keep: contact.id.clone(),
                absorbed,
            };
            let request = Request::Merge {
                keep: contact.id,
                absorb: other,
            };
            if apply(state, request, label, undo).await.is_some() {
                reload(state).await;
            }
        }
        None => {
            let Some(identity) = state.borrow().recipient.identity.clone() else {
                return;
            };
            let name = absorbed
                .as_ref()
                .map(|c| c.display_name().to_owned())
                .unwrap_or_default();
            let label = t_with("undoLink", &[&identity.to_string(), &name]);
            let undo = Undo::Linked {
                contact: other.clone(),
                identity: identity.clone(),
            };
            let request = Request::Link {
                contact: other.clone(),
                identity,
            };
            if apply(state, request, label, undo).await.is_some() {
                let recipient = state.borrow().recipient.clone();
                open_recipient(state, recipient, Some(other)).await;
                refresh_verdict(state).await;
            }
        }
    }
    input("merge-search").set_value("");
    clear(&by_id("merge-results"));
}

async fn undo(state: &Shared, index: usize) {
    let entry = {
        let mut s = state.borrow_mut();
        if index >= s.undo.len() {
            return;
        }
        s.undo.remove(index)
    };
    save_undo(state).await;
    let (label, action) = entry;
    let result = reverse(action.clone()).await;
    match result {
        Ok(()) => status(&t_with("undone", &[&label])),
        Err(error) => {
            {
                let mut s = state.borrow_mut();
                let at = index.min(s.undo.len());
                s.undo.insert(at, (label, action));
            }
            save_undo(state).await;
            status(&error);
        }
    }
    reload(state).await;
}

async fn reverse(action: Undo) -> Result<(), String> {
    match action {
        Undo::Tags { contact, before } => {
            call(&Request::SetTags {
                contact,
                tags: before,
            })
            .await?;
        }
        Undo::AddedException { contact, rule } => {
            call(&Request::RemoveException { contact, rule }).await?;
        }
        Undo::RemovedException { contact, rule } => {
            call(&Request::AddException { contact, rule }).await?;
        }
        Undo::Split {
            contact,
            new_contact,
        } => {
            call(&Request::Merge {
                keep: contact,
                absorb: new_contact,
            })
            .await?;
        }
        Undo::Linked { contact, identity } => {
            call(&Request::Split { contact, identity }).await?;
        }
        Undo::Merged { keep, absorbed } => {
            // Take the absorbed person's identities back out one by one, gather them
            // into one contact again, then give it back its tags and exceptions.
            let mut restored: Option<String> = None;
            for identity in absorbed.identities.clone() {
                let reply = call(&Request::Split {
                    contact: keep.clone(),
                    identity,
                })
                .await?;
                let split_id = reply
                    .get("contact")
                    .and_then(|c| c.get("id"))
                    .and_then(|id| id.as_str())
                    .ok_or_else(|| t("errorNoReply"))?
                    .to_owned();
                match &restored {
                    None => restored = Some(split_id),
                    Some(first) => {
                        call(&Request::Merge {
                            keep: first.clone(),
                            absorb: split_id,
                        })
                        .await?;
                    }
                }
            }
            if let Some(id) = restored {
                call(&Request::SetTags {
                    contact: id.clone(),
                    tags: absorbed.tags.clone(),
                })
                .await?;
                for exception in &absorbed.exceptions {
                    call(&Request::AddException {
                        contact: id.clone(),
                        rule: exception.rule.clone(),
                    })
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// Re-judges the open draft with the change applied, here and in the page.
async fn refresh_verdict(state: &Shared) {
    let (tab, site, draft) = {
        let s = state.borrow();
        let Some(active) = s.draft.as_ref() else {
            return;
        };
        (s.tab, active.site, active.draft.clone())
    };
    let (Some(site), Some(draft)) = (site, draft) else {
        return;
    };
    if let Some(tab) = tab {
        bridge::ask_tab_to_reanalyze(tab);
    }
    match call_field::<Verdict>(&Request::Analyze { site, draft }, "verdict").await {
        Ok(verdict) => {
            if let Some(active) = state.borrow_mut().draft.as_mut() {
                active.verdict = Some(verdict.clone());
            }
            render_verdict(Some(&verdict));
        }
        Err(error) => status(&error),
    }
}

/// Who is typing on this browser: the owner or one of the delegates.
async fn load_operator() {
    let select: HtmlSelectElement = by_id("operator");
    let reply = match call(&Request::GetSettings).await {
        Ok(reply) => reply,
        Err(error) => {
            status(&error);
            return;
        }
    };
    let settings = reply.get("settings").cloned().unwrap_or_default();
    let element: &Element = select.unchecked_ref();
    clear(element);
    let owner_name = settings
        .pointer("/owner/name")
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| t("ownerDefault"));
    let owner = text_element("option", &t_with("operatorOwner", &[&owner_name]));
    let _ = owner.set_attribute("value", "");
    let _ = element.append_child(&owner);
    let delegates = settings
        .get("delegates")
        .and_then(|d| d.as_array())
        .cloned()
        .unwrap_or_default();
    for delegate in &delegates {
        let name = delegate
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or_default();
        let role = delegate
            .get("role")
            .and_then(|n| n.as_str())
            .unwrap_or_default();
        let option = text_element("option", &t_with("operatorDelegate", &[name, role]));
        let _ = option.set_attribute("value", name);
        let _ = element.append_child(&option);
    }
    let current = reply
        .get("operator")
        .or_else(|| settings.get("operator"))
        .and_then(|o| o.as_str())
        .unwrap_or_default();
    select.set_value(current);
    show("operator-row", !delegates.is_empty());
    let select_for_handler = select.clone();
    on_id("operator", "change", move |_| {
        let chosen = select_for_handler.value();
        spawn_local(async move {
            let operator = Some(chosen).filter(|c| !c.is_empty());
            match call(&Request::SetOperator {
                operator: operator.clone(),
            })
            .await
            {
                Ok(_) => status(&t_with(
                    "operatorChanged",
                    &[operator.as_deref().unwrap_or(&t("ownerDefault"))],
                )),
                Err(error) => status(&error),
            }
        });
    });
}
