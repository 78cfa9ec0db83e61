//! Small DOM helpers. Text goes in through `textContent` and attribute setters only:
//! names and notes come from other people's pages and exports, so they never become
//! markup.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, HtmlElement, HtmlInputElement};

pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("extension pages have a document")
}

/// The element with this id, as the type the page's markup declares. The pages are
/// ours and static, so a missing id is a bug in this module, not a runtime condition.
pub fn by_id<T: JsCast>(id: &str) -> T {
    document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("page lacks #{id}"))
        .dyn_into::<T>()
        .unwrap_or_else(|_| panic!("#{id} has an unexpected element type"))
}

pub fn input(id: &str) -> HtmlInputElement {
    by_id(id)
}

pub fn create(tag: &str) -> Element {
    document().create_element(tag).expect("valid tag name")
}

/// A new element whose only content is `text`, as text.
pub fn text_element(tag: &str, text: &str) -> Element {
    let element = create(tag);
    element.set_text_content(Some(text));
    element
}

pub fn button(text: &str, action: &str) -> Element {
    let element = text_element("button", text);
    let _ = element.set_attribute("type", "button");
    let _ = element.set_attribute("data-action", action);
    element
}

pub fn set_text(id: &str, text: &str) {
    by_id::<Element>(id).set_text_content(Some(text));
}

pub fn clear(element: &Element) {
    element.set_text_content(None);
}

pub fn show(id: &str, visible: bool) {
    by_id::<HtmlElement>(id).set_hidden(!visible);
}

/// Registers a handler for the page's lifetime. Lists use one delegated handler on
/// their container (see `action_of`), so re-rendering never adds listeners.
pub fn on(target: &web_sys::EventTarget, event: &str, handler: impl FnMut(Event) + 'static) {
    let closure = Closure::<dyn FnMut(Event)>::new(handler);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    closure.forget();
}

pub fn on_id(id: &str, event: &str, handler: impl FnMut(Event) + 'static) {
    on(&by_id::<web_sys::EventTarget>(id), event, handler);
}

/// For a click inside a list: the `data-action` of the button hit and the `data-id`
/// of the list item it belongs to.
pub fn action_of(event: &Event) -> Option<(String, String)> {
    let target = event.target()?.dyn_into::<Element>().ok()?;
    let button = target.closest("[data-action]").ok()??;
    let action = button.get_attribute("data-action")?;
    let item = button.closest("[data-id]").ok()??;
    Some((action, item.get_attribute("data-id")?))
}

/// Fills every `data-i18n` element's text, and `data-i18n-label` / `-placeholder` /
/// `-title` attributes, from `chrome.i18n`.
pub fn localize_page() {
    let doc = document();
    for (selector, attribute) in [
        ("[data-i18n]", None),
        ("[data-i18n-label]", Some("aria-label")),
        ("[data-i18n-placeholder]", Some("placeholder")),
        ("[data-i18n-title]", Some("title")),
    ] {
        let Ok(nodes) = doc.query_selector_all(selector) else {
            continue;
        };
        let key_attribute = match attribute {
            None => "data-i18n".to_owned(),
            Some("aria-label") => "data-i18n-label".to_owned(),
            Some(other) => format!("data-i18n-{other}"),
        };
        for i in 0..nodes.length() {
            let Some(element) = nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let Some(key) = element.get_attribute(&key_attribute) else {
                continue;
            };
            let text = super::bridge::t(&key);
            match attribute {
                None => element.set_text_content(Some(&text)),
                Some(name) => {
                    let _ = element.set_attribute(name, &text);
                }
            }
        }
    }
    if let Some(title) = doc.query_selector("title").ok().flatten() {
        if let Some(key) = title.get_attribute("data-i18n") {
            doc.set_title(&super::bridge::t(&key));
        }
    }
}

/// A calendar date (UTC) for display and for `<input type=date>`.
pub fn format_date(millis: crate::model::Millis) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

pub fn parse_date(text: &str) -> Option<crate::model::Millis> {
    let date = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

pub fn now() -> crate::model::Millis {
    js_sys::Date::now() as i64
}

/// Resolves after `millis` on the page's event loop: lets the page paint and handle
/// clicks between slices of long work.
pub async fn sleep(millis: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
