//! The options page: who the user is and who writes for them, imports with progress,
//! every rule's settings, backups, the shared relationship book and erasing.

use super::bridge::{self, call, t, t_with};
use super::dom::{
    self, action_of, by_id, clear, create, input, on_id, set_text, show, text_element,
};
use super::import_driver::{self, FileResult, Phase, Progress, Stop};
use super::popup::rule_label;
use crate::identity::parse_identity;
use crate::import::{infer_owner, Backup, ImportReport, Me, Place};
use crate::model::Identity;
use crate::protocol::Request;
use crate::settings::{FieldError, Settings, RULE_IDS};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    Element, File, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement,
};

const PHRASE_LISTS: [&str; 5] = ["pitch", "bump", "decline", "favor", "pressure"];
const SEVERITIES: [&str; 3] = ["info", "caution", "stop"];

#[derive(Default)]
struct State {
    /// The settings as JSON, edited field by field; saved only when they validate.
    settings: Value,
    operator: Option<String>,
    /// Files that passed the scan and wait for the user's confirmation.
    ready: Vec<(File, ImportReport)>,
    cancel: Rc<Cell<bool>>,
    busy: bool,
}

type Shared = Rc<RefCell<State>>;

pub fn start() {
    let state: Shared = Rc::default();
    wire(&state);
    request_persistent_storage();
    spawn_local(async move {
        load_settings(&state).await;
        refresh_stats().await;
    });
}

/// Asks the browser never to evict this origin's storage (the user's history lives
/// in its IndexedDB). It is asked here because `navigator.storage.persist()` exists
/// only in documents: the service worker, which owns the database, cannot call it.
/// The options page is where a user imports, so it is asked once per page load; a
/// refusal changes nothing (`unlimitedStorage` already guards against most eviction).
fn request_persistent_storage() {
    let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) else {
        return;
    };
    let Ok(asked) = storage.persist() else {
        return;
    };
    spawn_local(async move {
        // Awaited only so a rejection is consumed rather than reported as unhandled.
        let _ = JsFuture::from(asked).await;
    });
}

fn status(id: &str, text: &str) {
    set_text(id, text);
}

async fn load_settings(state: &Shared) {
    match call(&Request::GetSettings).await {
        Ok(reply) => {
            let settings = reply.get("settings").cloned().unwrap_or(Value::Null);
            // Through the typed settings, so every field (and its default) is present.
            let typed: Settings = crate::protocol::from_value(&settings).unwrap_or_default();
            let operator = reply
                .get("operator")
                .and_then(Value::as_str)
                .map(str::to_owned);
            {
                let mut s = state.borrow_mut();
                s.settings = serde_json::to_value(&typed).unwrap_or(Value::Null);
                s.operator = operator;
            }
            render_settings(state);
        }
        Err(error) => {
            // Still show the form (with defaults) so the page explains itself; saving
            // will report the same problem if it persists.
            state.borrow_mut().settings =
                serde_json::to_value(Settings::default()).unwrap_or(Value::Null);
            render_settings(state);
            status("page-status", &error);
        }
    }
}

async fn refresh_stats() {
    match call(&Request::Stats).await {
        Ok(stats) => {
            let number = |key: &str| stats.get(key).and_then(Value::as_u64).unwrap_or(0);
            set_text("stat-contacts", &number("contacts").to_string());
            set_text("stat-messages", &number("messages").to_string());
            let bytes = match stats.get("bytes").and_then(Value::as_f64) {
                Some(bytes) => bytes,
                None => storage_estimate().await.unwrap_or(0.0),
            };
            set_text("stat-storage", &format_bytes(bytes));
        }
        Err(error) => status("page-status", &error),
    }
}

async fn storage_estimate() -> Option<f64> {
    let storage = web_sys::window()?.navigator().storage();
    let estimate = JsFuture::from(storage.estimate().ok()?).await.ok()?;
    js_sys::Reflect::get(&estimate, &"usage".into())
        .ok()?
        .as_f64()
}

fn format_bytes(bytes: f64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

// ---------------------------------------------------------------- settings form

fn render_settings(state: &Shared) {
    let s = state.borrow();
    let settings = &s.settings;
    let text = |path: &str| {
        pointer(settings, path)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    input("owner-name").set_value(&text("owner.name"));
    let identities: Vec<Identity> = pointer(settings, "owner.identities")
        .cloned()
        .and_then(|v| crate::protocol::from_value(&v).ok())
        .unwrap_or_default();
    by_id::<HtmlTextAreaElement>("owner-identities").set_value(
        &identities
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    );
    render_delegates(settings);
    render_operator(settings, s.operator.as_deref());
    render_send_gate(settings);
    render_sites(settings);
    render_rules(settings);
    render_phrases(settings);
}

fn render_delegates(settings: &Value) {
    let list: Element = by_id("delegates");
    clear(&list);
    let delegates = settings
        .get("delegates")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, delegate) in delegates.iter().enumerate() {
        let item = create("li");
        let _ = item.set_attribute("data-id", &i.to_string());
        for (field, key) in [
            ("name", "delegateName"),
            ("role", "delegateRole"),
            ("signature", "delegateSignature"),
        ] {
            let value = delegate.get(field).and_then(Value::as_str).unwrap_or("");
            let path = format!("delegates.{i}.{field}");
            let control = if field == "signature" {
                create("textarea")
            } else {
                create("input")
            };
            if field == "signature" {
                let _ = control.set_attribute("rows", "2");
                control
                    .unchecked_ref::<HtmlTextAreaElement>()
                    .set_value(value);
            } else {
                let _ = control.set_attribute("type", "text");
                control.unchecked_ref::<HtmlInputElement>().set_value(value);
            }
            let _ = item.append_child(&labelled(&control, &t(key), &path, "text"));
        }
        let remove = dom::button(&t("delegateRemove"), "remove-delegate");
        let name = delegate.get("name").and_then(Value::as_str).unwrap_or("");
        let _ = remove.set_attribute("aria-label", &t_with("delegateRemoveLabel", &[name]));
        let _ = item.append_child(&remove);
        let _ = list.append_child(&item);
    }
    show("delegates-empty", delegates.is_empty());
}

fn render_operator(settings: &Value, operator: Option<&str>) {
    let select: HtmlSelectElement = by_id("operator");
    let element: &Element = select.unchecked_ref();
    clear(element);
    let owner_name = pointer(settings, "owner.name")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| t("ownerDefault"));
    let owner = text_element("option", &t_with("operatorOwner", &[&owner_name]));
    let _ = owner.set_attribute("value", "");
    let _ = element.append_child(&owner);
    for delegate in settings
        .get("delegates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = delegate.get("name").and_then(Value::as_str).unwrap_or("");
        if name.trim().is_empty() {
            continue;
        }
        let role = delegate.get("role").and_then(Value::as_str).unwrap_or("");
        let option = text_element("option", &t_with("operatorDelegate", &[name, role]));
        let _ = option.set_attribute("value", name);
        let _ = element.append_child(&option);
    }
    select.set_value(operator.unwrap_or(""));
}

fn render_send_gate(settings: &Value) {
    let select: HtmlSelectElement = by_id("send-gate");
    let element: &Element = select.unchecked_ref();
    clear(element);
    let never = text_element("option", &t("sendGateNever"));
    let _ = never.set_attribute("value", "");
    let _ = element.append_child(&never);
    for severity in SEVERITIES {
        let option = text_element("option", &t(&format!("severity_{severity}")));
        let _ = option.set_attribute("value", severity);
        let _ = element.append_child(&option);
    }
    let _ = element.set_attribute("data-kind", "severity-or-none");
    select.set_value(
        settings
            .get("send_gate")
            .and_then(Value::as_str)
            .unwrap_or(""),
    );
}

fn render_sites(settings: &Value) {
    let fieldset: Element = by_id("sites");
    // Keep the legend, rebuild the boxes.
    while let Some(child) = fieldset.last_element_child() {
        if child.tag_name() == "LEGEND" {
            break;
        }
        child.remove();
    }
    for site in ["linkedin", "gmail", "outlook"] {
        let path = format!("sites.{site}");
        let checkbox = checkbox(
            &path,
            pointer(settings, &path)
                .and_then(Value::as_bool)
                .unwrap_or(true),
        );
        let label = create("label");
        let _ = label.append_child(&checkbox);
        let _ = label.append_child(&text_element("span", &t(&format!("site_{site}"))));
        let _ = fieldset.append_child(&label);
    }
}

fn render_rules(settings: &Value) {
    let container: Element = by_id("rule-list");
    clear(&container);
    for rule in RULE_IDS {
        let Some(section) = settings
            .get("rules")
            .and_then(|r| r.get(rule))
            .and_then(Value::as_object)
        else {
            continue;
        };
        let fieldset = create("fieldset");
        let _ = fieldset.set_attribute("data-rule", rule);
        let _ = fieldset.append_child(&text_element("legend", &rule_label(rule)));
        let _ = fieldset.append_child(&text_element(
            "p",
            &t(&format!("ruleHelp_{}", rule.replace('-', "_"))),
        ));
        if let Some(p) = fieldset.last_element_child() {
            let _ = p.set_attribute("class", "rule-description");
        }
        let row = create("div");
        let _ = row.set_attribute("class", "rule-row");
        let base = format!("rules.{rule}");
        let enabled = checkbox(
            &format!("{base}.enabled"),
            section
                .get("enabled")
                .and_then(Value::as_bool)
                .unwrap_or(true),
        );
        let _ = enabled.set_attribute(
            "aria-label",
            &t_with("ruleEnabledLabel", &[&rule_label(rule)]),
        );
        let enabled_label = create("label");
        let _ = enabled_label.set_attribute("class", "field check");
        let _ = enabled_label.append_child(&enabled);
        let _ = enabled_label.append_child(&text_element("span", &t("ruleEnabled")));
        let _ = row.append_child(&enabled_label);

        let severity = create("select");
        for value in SEVERITIES {
            let option = text_element("option", &t(&format!("severity_{value}")));
            let _ = option.set_attribute("value", value);
            let _ = severity.append_child(&option);
        }
        severity.unchecked_ref::<HtmlSelectElement>().set_value(
            section
                .get("severity")
                .and_then(Value::as_str)
                .unwrap_or("caution"),
        );
        let _ = row.append_child(&labelled(
            &severity,
            &t("ruleSeverity"),
            &format!("{base}.severity"),
            "text",
        ));

        for (field, value) in section {
            if field == "enabled" || field == "severity" {
                continue;
            }
            let number = create("input");
            let _ = number.set_attribute("type", "number");
            let kind = if value.is_f64() { "float" } else { "int" };
            let _ = number.set_attribute("step", if kind == "float" { "0.05" } else { "1" });
            let _ = number.set_attribute(
                "inputmode",
                if kind == "float" {
                    "decimal"
                } else {
                    "numeric"
                },
            );
            number
                .unchecked_ref::<HtmlInputElement>()
                .set_value(&value.as_f64().map(display_number).unwrap_or_default());
            let key = format!("field_{}_{}", rule.replace('-', "_"), field);
            let _ = row.append_child(&labelled(
                &number,
                &t(&key),
                &format!("{base}.{field}"),
                kind,
            ));
        }
        let _ = fieldset.append_child(&row);
        let _ = container.append_child(&fieldset);
    }
}

fn render_phrases(settings: &Value) {
    let container: Element = by_id("phrase-lists");
    clear(&container);
    for list in PHRASE_LISTS {
        let base = format!("phrases.{list}");
        let added: Vec<String> = string_list(settings, &format!("{base}.added"));
        let removed: Vec<String> = string_list(settings, &format!("{base}.removed"));
        let removed_keys: Vec<String> = removed
            .iter()
            .map(|p| crate::text::normalize::phrase_key(p))
            .collect();
        let fieldset = create("fieldset");
        let _ = fieldset.set_attribute("data-phrase-list", list);
        let _ = fieldset.set_attribute("data-path", &base);
        let _ = fieldset.append_child(&text_element("legend", &t(&format!("phrases_{list}"))));

        let builtin = crate::text::phrases::builtin_list(list);
        let details = create("details");
        let _ = details.append_child(&text_element(
            "summary",
            &t_with(
                "phrasesBuiltin",
                &[&builtin.len().to_string(), &removed.len().to_string()],
            ),
        ));
        let ul = create("ul");
        let _ = ul.set_attribute("class", "phrases");
        for phrase in builtin {
            let item = create("li");
            let label = create("label");
            let on = checkbox(
                "",
                !removed_keys.contains(&crate::text::normalize::phrase_key(phrase)),
            );
            let _ = on.remove_attribute("data-path");
            let _ = on.set_attribute("data-phrase", phrase);
            let _ = on.set_attribute("data-phrase-list", list);
            let _ = label.append_child(&on);
            let _ = label.append_child(&text_element("span", phrase));
            let _ = item.append_child(&label);
            let _ = ul.append_child(&item);
        }
        let _ = details.append_child(&ul);
        let _ = fieldset.append_child(&details);

        let own = create("ul");
        let _ = own.set_attribute("class", "user-phrases");
        for (i, phrase) in added.iter().enumerate() {
            let item = create("li");
            let _ = item.set_attribute("data-id", &format!("{list}:{i}"));
            let _ = item.append_child(&text_element("span", phrase));
            let remove = dom::button(&t("remove"), "remove-phrase");
            let _ = remove.set_attribute("aria-label", &t_with("phraseRemoveLabel", &[phrase]));
            let _ = item.append_child(&remove);
            let error = create("span");
            let _ = error.set_attribute("class", "field-error");
            let _ = error.set_attribute("data-error-for", &format!("{base}.added.{i}"));
            let _ = item.append_child(&error);
            let _ = own.append_child(&item);
        }
        let _ = fieldset.append_child(&own);

        let add_row = create("p");
        let _ = add_row.set_attribute("class", "field inline");
        let _ = add_row.set_attribute("data-id", list);
        let field = create("input");
        let field_id = format!("phrase-add-{list}");
        let _ = field.set_attribute("id", &field_id);
        let _ = field.set_attribute("type", "text");
        let label = text_element("label", &t("phraseAdd"));
        let _ = label.set_attribute("for", &field_id);
        let _ = add_row.append_child(&label);
        let _ = add_row.append_child(&field);
        let _ = add_row.append_child(&dom::button(&t("phraseAddButton"), "add-phrase"));
        let error = create("span");
        let _ = error.set_attribute("class", "field-error");
        let _ = error.set_attribute("data-error-for", &base);
        let _ = add_row.append_child(&error);
        let _ = fieldset.append_child(&add_row);
        let _ = container.append_child(&fieldset);
    }
}

/// Thresholds are stored as f32, so 0.6 arrives as 0.6000000238418579; show what the
/// user typed.
fn display_number(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn checkbox(path: &str, checked: bool) -> Element {
    let element = create("input");
    let _ = element.set_attribute("type", "checkbox");
    let _ = element.set_attribute("data-path", path);
    let _ = element.set_attribute("data-kind", "bool");
    element
        .unchecked_ref::<HtmlInputElement>()
        .set_checked(checked);
    element
}

/// Wraps a control in a labelled field with a place for its error message.
fn labelled(control: &Element, label: &str, path: &str, kind: &str) -> Element {
    let id = format!("f-{}", path.replace('.', "-"));
    let _ = control.set_attribute("id", &id);
    let _ = control.set_attribute("data-path", path);
    let _ = control.set_attribute("data-kind", kind);
    let _ = control.set_attribute("aria-describedby", &format!("{id}-error"));
    let field = create("div");
    let _ = field.set_attribute("class", "field");
    let label_element = text_element("label", label);
    let _ = label_element.set_attribute("for", &id);
    let error = create("span");
    let _ = error.set_attribute("class", "field-error");
    let _ = error.set_attribute("id", &format!("{id}-error"));
    let _ = error.set_attribute("data-error-for", path);
    let _ = field.append_child(&label_element);
    let _ = field.append_child(control);
    let _ = field.append_child(&error);
    field
}

fn pointer<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    value.pointer(&format!("/{}", path.replace('.', "/")))
}

fn string_list(settings: &Value, path: &str) -> Vec<String> {
    pointer(settings, path)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn set_path(root: &mut Value, path: &str, new: Value) {
    let mut node = root;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let next = match node {
            Value::Array(items) => {
                match part.parse::<usize>().ok().and_then(|n| items.get_mut(n)) {
                    Some(item) => item,
                    None => return,
                }
            }
            Value::Object(map) => map.entry(part.to_string()).or_insert(Value::Null),
            _ => return,
        };
        if last {
            *next = new;
            return;
        }
        if next.is_null() {
            *next = Value::Object(Default::default());
        }
        node = next;
    }
}

/// Reads one edited control into the settings; `Err` is the message for its field.
fn read_control(element: &Element) -> Result<Value, String> {
    let kind = element.get_attribute("data-kind").unwrap_or_default();
    let raw = if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        if kind == "bool" {
            return Ok(Value::Bool(input.checked()));
        }
        input.value()
    } else if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
        select.value()
    } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
        area.value()
    } else {
        return Err(String::new());
    };
    match kind.as_str() {
        "int" => raw
            .trim()
            .parse::<u64>()
            .map(Value::from)
            .map_err(|_| t("errorWholeNumber")),
        "float" => raw
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Value::from)
            .ok_or_else(|| t("errorNumber")),
        "severity-or-none" if raw.is_empty() => Ok(Value::Null),
        "identities" => {
            let mut identities = Vec::new();
            for (n, line) in raw.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match parse_identity(line) {
                    Some(identity) => identities.push(identity),
                    None => {
                        return Err(t_with(
                            "errorIdentityLine",
                            &[&(n + 1).to_string(), line.trim()],
                        ))
                    }
                }
            }
            serde_json::to_value(identities).map_err(|e| e.to_string())
        }
        _ => Ok(Value::String(raw)),
    }
}

fn show_errors(errors: &[FieldError]) {
    let doc = dom::document();
    if let Ok(all) = doc.query_selector_all("[data-error-for]") {
        for i in 0..all.length() {
            if let Some(node) = all.item(i) {
                node.set_text_content(None);
            }
        }
    }
    if let Ok(all) = doc.query_selector_all("[aria-invalid]") {
        for i in 0..all.length() {
            if let Some(element) = all.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let _ = element.remove_attribute("aria-invalid");
            }
        }
    }
    for error in errors {
        // The field itself, else the nearest enclosing one (a phrase list, a section).
        let mut path = error.field.as_str();
        loop {
            let selector = format!("[data-error-for=\"{path}\"]");
            if let Ok(Some(slot)) = doc.query_selector(&selector) {
                let previous = slot.text_content().unwrap_or_default();
                let text = if previous.is_empty() {
                    error.message.clone()
                } else {
                    format!("{previous} {}", error.message)
                };
                slot.set_text_content(Some(&text));
                if let Ok(Some(control)) = doc.query_selector(&format!("[data-path=\"{path}\"]")) {
                    let _ = control.set_attribute("aria-invalid", "true");
                }
                break;
            }
            match path.rfind('.') {
                Some(cut) => path = &path[..cut],
                None => {
                    status("settings-status", &error.to_string());
                    break;
                }
            }
        }
    }
}

/// Validates the edited settings with the settings' own rules and saves them when
/// they pass; otherwise every problem is shown next to its field and nothing is saved.
async fn validate_and_save(state: &Shared, control_errors: Vec<FieldError>) {
    let json = state.borrow().settings.clone();
    let mut errors = control_errors;
    match crate::protocol::from_value::<Settings>(&json) {
        Ok(settings) => {
            if let Err(mut problems) = settings.validate() {
                errors.append(&mut problems);
            }
        }
        Err(error) => errors.push(FieldError {
            field: String::new(),
            message: error.to_string(),
        }),
    }
    show_errors(&errors);
    if !errors.is_empty() {
        status(
            "settings-status",
            &t_with("settingsInvalid", &[&errors.len().to_string()]),
        );
        return;
    }
    match call(&Request::SetSettings { settings: json }).await {
        Ok(_) => status("settings-status", &t("settingsSaved")),
        Err(error) => status("settings-status", &error),
    }
}

/// Errors of controls whose text could not be read (not a number, a bad address):
/// kept until the user fixes that control.
fn pending_control_errors() -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Ok(all) = dom::document().query_selector_all("[data-path][data-bad]") {
        for i in 0..all.length() {
            if let Some(element) = all.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                errors.push(FieldError {
                    field: element.get_attribute("data-path").unwrap_or_default(),
                    message: element.get_attribute("data-bad").unwrap_or_default(),
                });
            }
        }
    }
    errors
}

fn on_field_change(state: &Shared, element: &Element) {
    let Some(path) = element.get_attribute("data-path") else {
        return;
    };
    match read_control(element) {
        Ok(value) => {
            let _ = element.remove_attribute("data-bad");
            set_path(&mut state.borrow_mut().settings, &path, value);
        }
        Err(message) => {
            let _ = element.set_attribute("data-bad", &message);
        }
    }
    if path.starts_with("owner.") || path.starts_with("delegates.") {
        let s = state.borrow();
        render_operator(&s.settings, s.operator.as_deref());
    }
    let state = state.clone();
    spawn_local(async move { validate_and_save(&state, pending_control_errors()).await });
}

fn edit_phrases(state: &Shared, list: &str, edit: impl FnOnce(&mut Vec<String>, &mut Vec<String>)) {
    {
        let mut s = state.borrow_mut();
        let base = format!("phrases.{list}");
        let mut added = string_list(&s.settings, &format!("{base}.added"));
        let mut removed = string_list(&s.settings, &format!("{base}.removed"));
        edit(&mut added, &mut removed);
        set_path(
            &mut s.settings,
            &format!("{base}.added"),
            Value::from(added),
        );
        set_path(
            &mut s.settings,
            &format!("{base}.removed"),
            Value::from(removed),
        );
        render_phrases(&s.settings);
    }
    let state = state.clone();
    spawn_local(async move { validate_and_save(&state, pending_control_errors()).await });
}

fn wire_settings(state: &Shared) {
    let _ = by_id::<Element>("owner-identities").set_attribute("data-kind", "identities");
    let _ = by_id::<Element>("owner-name").set_attribute("data-kind", "text");
    for section in ["identities", "rules"] {
        let s = state.clone();
        on_id(section, "change", move |event| {
            let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            if target.id() == "operator" {
                return;
            }
            if let (Some(list), Some(phrase)) = (
                target.get_attribute("data-phrase-list"),
                target.get_attribute("data-phrase"),
            ) {
                let on = target.unchecked_ref::<HtmlInputElement>().checked();
                let key = crate::text::normalize::phrase_key(&phrase);
                edit_phrases(&s, &list, move |_, removed| {
                    removed.retain(|p| crate::text::normalize::phrase_key(p) != key);
                    if !on {
                        removed.push(phrase);
                    }
                });
                return;
            }
            on_field_change(&s, &target);
        });
    }
    let s = state.clone();
    on_id("delegate-add", "click", move |_| {
        {
            let mut st = s.borrow_mut();
            let delegates = st
                .settings
                .get("delegates")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut delegates = delegates;
            delegates.push(serde_json::json!({ "name": "", "role": "", "signature": "" }));
            set_path(
                &mut st.settings,
                "delegates",
                Value::Array(delegates.clone()),
            );
            render_delegates(&st.settings);
        }
        let count = s
            .borrow()
            .settings
            .get("delegates")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if let Ok(Some(field)) =
            dom::document().query_selector(&format!("[data-path=\"delegates.{}.name\"]", count - 1))
        {
            let _ = field.unchecked_ref::<HtmlElement>().focus();
        }
    });
    let s = state.clone();
    on_id("delegates", "click", move |event| {
        let Some((_, id)) = action_of(&event) else {
            return;
        };
        let Ok(index) = id.parse::<usize>() else {
            return;
        };
        {
            let mut st = s.borrow_mut();
            let mut delegates = st
                .settings
                .get("delegates")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if index < delegates.len() {
                delegates.remove(index);
            }
            set_path(&mut st.settings, "delegates", Value::Array(delegates));
            render_delegates(&st.settings);
            render_operator(&st.settings, st.operator.as_deref());
        }
        let s = s.clone();
        spawn_local(async move { validate_and_save(&s, pending_control_errors()).await });
    });
    let s = state.clone();
    on_id("phrase-lists", "click", move |event| {
        let Some((action, id)) = action_of(&event) else {
            return;
        };
        match action.as_str() {
            "add-phrase" => {
                let field = input(&format!("phrase-add-{id}"));
                let phrase = field.value().trim().to_owned();
                if phrase.is_empty() {
                    return;
                }
                edit_phrases(&s, &id, move |added, _| added.push(phrase));
            }
            "remove-phrase" => {
                let Some((list, index)) = id.split_once(':') else {
                    return;
                };
                let Ok(index) = index.parse::<usize>() else {
                    return;
                };
                edit_phrases(&s, list, move |added, _| {
                    if index < added.len() {
                        added.remove(index);
                    }
                });
            }
            _ => {}
        }
    });
    let s = state.clone();
    on_id("phrase-lists", "keydown", move |event| {
        let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>().map(|k| k.key()) else {
            return;
        };
        let Some(target) = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        if key != "Enter" || !target.id().starts_with("phrase-add-") {
            return;
        }
        event.prevent_default();
        let list = target.id().trim_start_matches("phrase-add-").to_owned();
        let phrase = target.value().trim().to_owned();
        if !phrase.is_empty() {
            edit_phrases(&s, &list, move |added, _| added.push(phrase));
        }
    });
    let s = state.clone();
    on_id("operator", "change", move |_| {
        let chosen = by_id::<HtmlSelectElement>("operator").value();
        let operator = Some(chosen).filter(|c| !c.is_empty());
        s.borrow_mut().operator = operator.clone();
        spawn_local(async move {
            match call(&Request::SetOperator {
                operator: operator.clone(),
            })
            .await
            {
                Ok(_) => status(
                    "page-status",
                    &t_with(
                        "operatorChanged",
                        &[operator.as_deref().unwrap_or(&t("ownerDefault"))],
                    ),
                ),
                Err(error) => status("page-status", &error),
            }
        });
    });
    let s = state.clone();
    on_id("reset-defaults", "click", move |_| {
        {
            let mut st = s.borrow_mut();
            let defaults = serde_json::to_value(Settings::default()).unwrap_or(Value::Null);
            // Rules, phrases, sites and the gate go back; who the user is stays.
            for key in ["rules", "phrases", "sites", "send_gate", "max_draft_chars"] {
                if let Some(value) = defaults.get(key) {
                    set_path(&mut st.settings, key, value.clone());
                }
            }
        }
        render_settings(&s);
        let s = s.clone();
        spawn_local(async move {
            validate_and_save(&s, Vec::new()).await;
            status("settings-status", &t("settingsReset"));
        });
    });
}

// ---------------------------------------------------------------- import

fn wire_import(state: &Shared) {
    let s = state.clone();
    on_id("import-files", "change", move |_| {
        let files = input("import-files").files();
        let chosen: Vec<File> = files
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        if chosen.is_empty() || s.borrow().busy {
            return;
        }
        let s = s.clone();
        spawn_local(async move { scan_files(&s, chosen).await });
    });
    let s = state.clone();
    on_id("import-cancel", "click", move |_| {
        s.borrow().cancel.set(true);
        set_text("import-progress-text", &t("importCancelling"));
    });
    let s = state.clone();
    on_id("import-discard", "click", move |_| {
        s.borrow_mut().ready.clear();
        show("import-confirm", false);
        input("import-files").set_value("");
    });
    let s = state.clone();
    on_id("import-start", "click", move |_| {
        let s = s.clone();
        spawn_local(async move { run_import(&s).await });
    });
}

fn begin(state: &Shared, total: f64) -> (Progress, Rc<Cell<bool>>) {
    let cancel = Rc::new(Cell::new(false));
    {
        let mut s = state.borrow_mut();
        s.cancel = cancel.clone();
        s.busy = true;
    }
    show("import-running", true);
    show("import-result", false);
    let _ = by_id::<Element>("import-files").set_attribute("disabled", "");
    let progress = Progress {
        phase: Phase::Checking,
        file: String::new(),
        bytes_done: 0.0,
        bytes_total: total,
        messages: 0,
        contacts: 0,
        started: import_driver::now_ms(),
    };
    (progress, cancel)
}

fn end(state: &Shared) {
    state.borrow_mut().busy = false;
    show("import-running", false);
    let _ = by_id::<Element>("import-files").remove_attribute("disabled");
}

fn show_progress(progress: &Progress) {
    let percent = if progress.bytes_total > 0.0 {
        (progress.bytes_done / progress.bytes_total * 100.0).clamp(0.0, 100.0)
    } else {
        100.0
    };
    let bar = by_id::<Element>("import-progress");
    let _ = bar.set_attribute("value", &format!("{percent:.1}"));
    let _ = bar.set_attribute("data-percent", &format!("{percent:.0}"));
    let phase = match progress.phase {
        Phase::Checking => t_with("importChecking", &[&progress.file]),
        Phase::Importing => t_with("importImporting", &[&progress.file]),
    };
    set_text("import-phase", &phase);
    let mut text = t_with(
        "importCounts",
        &[
            &format!("{percent:.0}"),
            &progress.messages.to_string(),
            &progress.contacts.to_string(),
            &format_bytes(progress.bytes_done),
            &format_bytes(progress.bytes_total),
        ],
    );
    if let Some((per_second, left)) = import_driver::rates(progress) {
        text.push(' ');
        text.push_str(&t_with(
            "importRate",
            &[
                &format!("{}/s", format_bytes(per_second)),
                &format!("{:.0}", left.ceil()),
            ],
        ));
    }
    set_text("import-progress-text", &text);
}

fn problem_item(error: &crate::import::ImportError, handled: bool) -> Element {
    let item = text_element("li", &error.to_string());
    let _ = item.set_attribute("data-file", &error.file);
    let place = match &error.place {
        Place::File => String::new(),
        place => place.to_string(),
    };
    let _ = item.set_attribute("data-place", &place);
    if handled {
        let _ = item.set_attribute("class", "handled");
    }
    item
}

async fn scan_files(state: &Shared, files: Vec<File>) {
    let errors: Element = by_id("import-errors");
    clear(&errors);
    show("import-confirm", false);
    let total: f64 = files.iter().map(|f| f.size()).sum();
    let (mut progress, cancel) = begin(state, total);
    let mut ready = Vec::new();
    for file in files {
        let before = progress.bytes_done;
        match import_driver::scan(&file, &mut progress, &cancel, &show_progress).await {
            Ok(report) => ready.push((file, report)),
            Err(Stop::Cancelled) => {
                end(state);
                status("page-status", &t("importCancelledNothing"));
                return;
            }
            Err(Stop::Failed(error)) => {
                let _ = errors.append_child(&problem_item(&error, false));
                progress.bytes_done = before + file.size();
            }
            Err(Stop::Store(error)) => {
                let _ = errors.append_child(&text_element("li", &error));
            }
        }
    }
    end(state);
    if ready.is_empty() {
        status("page-status", &t("importNothingReadable"));
        input("import-files").set_value("");
        return;
    }
    offer_import(state, ready);
}

/// Shows what was found and who the owner seems to be, and waits for the user.
fn offer_import(state: &Shared, ready: Vec<(File, ImportReport)>) {
    let list: Element = by_id("import-ready");
    clear(&list);
    for (file, report) in &ready {
        let line = t_with(
            "importReadyLine",
            &[
                &file.name(),
                report.format.describe(),
                &report.messages.to_string(),
                &report.contacts.to_string(),
            ],
        );
        let item = text_element("li", &line);
        let _ = item.set_attribute("data-file", &file.name());
        let _ = item.set_attribute(
            "data-format",
            &serde_json::to_value(report.format)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        );
        let _ = item.set_attribute("data-messages", &report.messages.to_string());
        let _ = item.set_attribute("data-skipped", &report.skipped.to_string());
        let _ = list.append_child(&item);
    }
    let inferred = infer_owner(ready.iter().map(|(_, r)| r));
    let settings = state.borrow().settings.clone();
    let known_name = pointer(&settings, "owner.name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let known_identity: Option<Identity> = pointer(&settings, "owner.identities")
        .and_then(|v| v.get(0))
        .cloned()
        .and_then(|v| crate::protocol::from_value(&v).ok());
    let name = Some(known_name)
        .filter(|n| !n.trim().is_empty())
        .or_else(|| inferred.as_ref().and_then(|p| p.name.clone()))
        .unwrap_or_default();
    let identity = inferred
        .as_ref()
        .and_then(|p| p.identity.clone())
        .or(known_identity)
        .map(|i| i.to_string())
        .unwrap_or_default();
    input("import-owner-name").set_value(&name);
    input("import-owner-identity").set_value(&identity);
    set_text("import-owner-error", "");
    state.borrow_mut().ready = ready;
    show("import-confirm", true);
    let _ = by_id::<HtmlElement>("import-start").focus();
}

async fn run_import(state: &Shared) {
    let name = input("import-owner-name").value().trim().to_owned();
    let identity_text = input("import-owner-identity").value();
    let identity = if identity_text.trim().is_empty() {
        None
    } else {
        match parse_identity(&identity_text) {
            Some(identity) => Some(identity),
            None => {
                set_text("import-owner-error", &t("errorOwnerIdentity"));
                let _ =
                    by_id::<Element>("import-owner-identity").set_attribute("aria-invalid", "true");
                return;
            }
        }
    };
    // A backup or a relationship book says whose it is; everything else needs an owner
    // to tell sent from received.
    let only_backups = state
        .borrow()
        .ready
        .iter()
        .all(|(_, report)| report.format == crate::import::Format::Backup);
    if name.is_empty() && identity.is_none() && !only_backups {
        set_text("import-owner-error", &t("errorOwnerMissing"));
        return;
    }
    let _ = by_id::<Element>("import-owner-identity").remove_attribute("aria-invalid");
    remember_owner(state, &name, identity.as_ref()).await;
    let owner: crate::settings::Owner = pointer(&state.borrow().settings, "owner")
        .cloned()
        .and_then(|v| crate::protocol::from_value(&v).ok())
        .unwrap_or_default();
    let me = Me::from_owner(&owner);

    let ready = std::mem::take(&mut state.borrow_mut().ready);
    show("import-confirm", false);
    let total: f64 = ready.iter().map(|(f, _)| f.size()).sum();
    let (mut progress, cancel) = begin(state, total);
    progress.phase = Phase::Importing;
    let import_id = format!(
        "import-{}-{}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 1e9) as u64
    );
    let mut results: Vec<FileResult> = Vec::new();
    let mut stopped: Option<Stop> = None;
    for (file, _) in &ready {
        match import_driver::import(
            file,
            me.clone(),
            &import_id,
            &mut progress,
            &cancel,
            &show_progress,
        )
        .await
        {
            Ok(result) => results.push(result),
            Err(stop) => {
                stopped = Some(stop);
                break;
            }
        }
    }
    if let Some(stop) = stopped {
        // Whatever this import wrote goes again: a stopped import leaves nothing half-written.
        let rollback = call(&Request::CancelImport {
            import_id: import_id.clone(),
        })
        .await;
        end(state);
        let errors: Element = by_id("import-errors");
        clear(&errors);
        let message = match &stop {
            Stop::Cancelled => t("importCancelledNothing"),
            Stop::Failed(error) => {
                let _ = errors.append_child(&problem_item(error, false));
                t("importFailedNothing")
            }
            Stop::Store(error) => {
                let _ = errors.append_child(&text_element("li", error));
                t("importStoreFailedNothing")
            }
        };
        match rollback {
            Ok(_) => status("page-status", &message),
            Err(error) => status("page-status", &t_with("importRollbackFailed", &[&error])),
        }
        input("import-files").set_value("");
        refresh_stats().await;
        return;
    }
    progress.bytes_done = progress.bytes_total;
    show_progress(&progress);
    end(state);
    show_result(&results);
    input("import-files").set_value("");
    refresh_stats().await;
}

/// Saves the confirmed owner into the settings (name if unset, identity if new).
async fn remember_owner(state: &Shared, name: &str, identity: Option<&Identity>) {
    let changed = {
        let mut s = state.borrow_mut();
        let mut owner: crate::settings::Owner = pointer(&s.settings, "owner")
            .cloned()
            .and_then(|v| crate::protocol::from_value(&v).ok())
            .unwrap_or_default();
        let mut changed = false;
        if owner.name.trim().is_empty() && !name.is_empty() {
            owner.name = name.to_owned();
            changed = true;
        }
        if let Some(identity) = identity {
            if !owner.identities.contains(identity) {
                owner.identities.push(identity.clone());
                changed = true;
            }
        }
        if changed {
            set_path(
                &mut s.settings,
                "owner",
                serde_json::to_value(&owner).unwrap_or(Value::Null),
            );
        }
        changed
    };
    if changed {
        render_settings(state);
        validate_and_save(state, Vec::new()).await;
    }
}

fn show_result(results: &[FileResult]) {
    let summary: Element = by_id("import-summary");
    let problems: Element = by_id("import-problems");
    clear(&summary);
    clear(&problems);
    let mut totals = (0u64, 0u64, 0u64);
    let mut problem_count = 0;
    for result in results {
        let w = result.written;
        totals.0 += w.contacts_added;
        totals.1 += w.messages_added;
        totals.2 += w.duplicates;
        let skipped = result.report.as_ref().map_or(0, |r| r.skipped);
        let line = t_with(
            "importFileResult",
            &[
                &result.file,
                &w.messages_added.to_string(),
                &w.contacts_added.to_string(),
                &w.duplicates.to_string(),
                &skipped.to_string(),
            ],
        );
        let item = text_element("li", &line);
        let _ = item.set_attribute("data-file", &result.file);
        let _ = item.set_attribute("data-messages-added", &w.messages_added.to_string());
        let _ = item.set_attribute("data-contacts-added", &w.contacts_added.to_string());
        let _ = item.set_attribute("data-duplicates", &w.duplicates.to_string());
        let _ = summary.append_child(&item);
        for problem in result.report.iter().flat_map(|r| &r.problems) {
            problem_count += 1;
            let _ = problems.append_child(&problem_item(problem, true));
        }
    }
    let result_text: Element = by_id("import-result-text");
    result_text.set_text_content(Some(&t_with(
        "importResult",
        &[
            &totals.1.to_string(),
            &totals.0.to_string(),
            &totals.2.to_string(),
        ],
    )));
    let _ = result_text.set_attribute("data-messages-added", &totals.1.to_string());
    let _ = result_text.set_attribute("data-contacts-added", &totals.0.to_string());
    let _ = result_text.set_attribute("data-duplicates", &totals.2.to_string());
    show("import-problems-title", problem_count > 0);
    show("import-result", true);
    status("page-status", &t("importDone"));
}

// ---------------------------------------------------------------- backup and erase

fn wire_data(state: &Shared) {
    on_id("export-backup", "click", |_| spawn_local(export(true)));
    on_id("export-book", "click", |_| spawn_local(export(false)));
    let s = state.clone();
    on_id("restore-file", "change", move |_| {
        let Some(file) = input("restore-file").files().and_then(|f| f.get(0)) else {
            return;
        };
        let s = s.clone();
        spawn_local(async move { restore(&s, file).await });
    });
    on_id("erase", "click", |_| {
        show("erase-confirm", true);
        let _ = by_id::<HtmlElement>("erase-no").focus();
    });
    on_id("erase-no", "click", |_| {
        show("erase-confirm", false);
        let _ = by_id::<HtmlElement>("erase").focus();
    });
    let s = state.clone();
    on_id("erase-yes", "click", move |_| {
        show("erase-confirm", false);
        let s = s.clone();
        spawn_local(async move {
            match call(&Request::Erase).await {
                Ok(_) => status("data-status", &t("erased")),
                Err(error) => status("data-status", &error),
            }
            load_settings(&s).await;
            refresh_stats().await;
        });
    });
}

async fn export(bodies: bool) {
    let text = match export_pages(bodies).await {
        Ok(backup) => backup.to_canonical_json(),
        Err(error) => return status("data-status", &error),
    };
    let date = dom::format_date(dom::now());
    let name = if bodies {
        format!("rapport-backup-{date}.json")
    } else {
        format!("rapport-relationship-book-{date}.json")
    };
    match download(&name, &text) {
        Ok(()) => status(
            "data-status",
            &t_with(
                if bodies {
                    "exportedBackup"
                } else {
                    "exportedBook"
                },
                &[&name],
            ),
        ),
        Err(error) => status("data-status", &error),
    }
}

/// Fetches an export page by page (one chrome.runtime reply is capped at 64 MiB) and
/// assembles the backup; its canonical text is the same whatever the page size.
async fn export_pages(bodies: bool) -> Result<Backup, String> {
    // Test hook: `options.html?export-page=N` pages by N messages, so a small history
    // exercises the paging.
    let limit = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| {
            q.trim_start_matches('?')
                .split('&')
                .find_map(|pair| pair.strip_prefix("export-page=")?.parse().ok())
        });
    let unreadable = |e: serde_json::Error| format!("The export reply is unreadable: {e}");
    let mut reply = call(&Request::Export {
        bodies,
        after: None,
        limit,
    })
    .await?;
    let mut backup: Backup =
        crate::protocol::from_value(&reply["backup"].take()).map_err(unreadable)?;
    while let Value::String(after) = reply["next"].take() {
        status(
            "data-status",
            &t_with("exportingMessages", &[&backup.messages.len().to_string()]),
        );
        reply = call(&Request::Export {
            bodies,
            after: Some(after),
            limit,
        })
        .await?;
        let messages: Vec<crate::model::Message> =
            crate::protocol::from_value(&reply["messages"].take()).map_err(unreadable)?;
        if messages.is_empty() {
            break;
        }
        backup.messages.extend(messages);
    }
    Ok(backup)
}

fn download(name: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(bridge::js_error)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(bridge::js_error)?;
    let anchor: web_sys::HtmlAnchorElement = create("a").unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The click has started the download; the URL can go once the event loop turns.
    let url_for_revoke = url.clone();
    spawn_local(async move {
        dom::sleep(1_000).await;
        let _ = web_sys::Url::revoke_object_url(&url_for_revoke);
    });
    Ok(())
}

async fn restore(state: &Shared, file: File) {
    let name = file.name();
    let text = match JsFuture::from(file.text()).await {
        Ok(text) => text.as_string().unwrap_or_default(),
        Err(error) => return status("data-status", &bridge::js_error(error)),
    };
    // Parsed with the importer's own reader, so a damaged file is refused with its reason.
    let backup = match Backup::from_json(text.as_bytes()) {
        Ok(backup) => backup,
        Err(problem) => {
            status("data-status", &t_with("restoreFailed", &[&name, &problem]));
            input("restore-file").set_value("");
            return;
        }
    };
    let value = serde_json::to_value(&backup).unwrap_or(Value::Null);
    match call(&Request::Restore { backup: value }).await {
        Ok(reply) => {
            let count = |key: &str| {
                reply
                    .get(key)
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
                    .to_string()
            };
            status(
                "data-status",
                &t_with(
                    "restored",
                    &[&name, &count("contacts_added"), &count("messages_added")],
                ),
            );
        }
        Err(error) => status("data-status", &t_with("restoreFailed", &[&name, &error])),
    }
    input("restore-file").set_value("");
    load_settings(state).await;
    refresh_stats().await;
}

fn wire(state: &Shared) {
    wire_settings(state);
    wire_import(state);
    wire_data(state);
}
