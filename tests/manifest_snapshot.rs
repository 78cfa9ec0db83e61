//! The manifest's security surface (what the extension may touch, who may reach it,
//! what pages can load from it) equals a reviewed snapshot, `tests/manifest.snapshot.json`.
//! Any change fails here until the snapshot is deliberately updated:
//!
//!     RAPPORT_UPDATE_MANIFEST_SNAPSHOT=1 cargo test --test manifest_snapshot
//!
//! and the diff of the snapshot is reviewed with the change that caused it.

use serde_json::{json, Map, Value};
use std::path::Path;

/// Keys that widen what the extension can do or who can reach it. An absent key is
/// recorded as null, so adding one (say `externally_connectable`) is a change too.
const SURFACE: [&str; 11] = [
    "permissions",
    "optional_permissions",
    "host_permissions",
    "optional_host_permissions",
    "content_security_policy",
    "web_accessible_resources",
    "externally_connectable",
    "sandbox",
    "background",
    "oauth2",
    "update_url",
];

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Content scripts by where they run and in which world; the file lists are not
/// a permission and change with every new module.
fn content_script_surface(manifest: &Value) -> Value {
    let scripts = manifest["content_scripts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Value::Array(
        scripts
            .iter()
            .map(|script| {
                let mut entry = Map::new();
                for key in [
                    "matches",
                    "exclude_matches",
                    "all_frames",
                    "match_about_blank",
                    "match_origin_as_fallback",
                    "world",
                    "run_at",
                ] {
                    entry.insert(key.into(), script.get(key).cloned().unwrap_or(Value::Null));
                }
                Value::Object(entry)
            })
            .collect(),
    )
}

fn surface(manifest: &Value) -> Value {
    let mut out = Map::new();
    for key in SURFACE {
        out.insert(
            key.into(),
            manifest.get(key).cloned().unwrap_or(Value::Null),
        );
    }
    out.insert("content_scripts".into(), content_script_surface(manifest));
    Value::Object(out)
}

#[test]
fn manifest_security_surface_matches_the_reviewed_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let current = surface(&read(&root.join("manifest.json")));
    let snapshot_path = root.join("tests/manifest.snapshot.json");
    if std::env::var_os("RAPPORT_UPDATE_MANIFEST_SNAPSHOT").is_some() {
        let text = serde_json::to_string_pretty(&current).unwrap() + "\n";
        std::fs::write(&snapshot_path, text).unwrap();
    }
    let snapshot = read(&snapshot_path);
    assert!(
        current == snapshot,
        "manifest.json's security surface changed; if that is intended, review it and run\n  \
         RAPPORT_UPDATE_MANIFEST_SNAPSHOT=1 cargo test --test manifest_snapshot\n\
         now:\n{}\nsnapshot:\n{}",
        serde_json::to_string_pretty(&current).unwrap(),
        serde_json::to_string_pretty(&snapshot).unwrap()
    );
}

/// Invariants no snapshot update may break: reviewing a diff can miss these.
#[test]
fn manifest_never_opens_the_extension_to_the_web() {
    let manifest = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("manifest.json"));
    let text = manifest.to_string();
    for forbidden in [
        "<all_urls>",
        "*://*/*",
        "http://",
        "'unsafe-eval'",
        "'unsafe-inline'",
    ] {
        assert!(
            !text.contains(forbidden),
            "manifest.json contains {forbidden}"
        );
    }
    assert_eq!(
        manifest["externally_connectable"],
        Value::Null,
        "no page or other extension may message Rapport"
    );
    let permissions = manifest["permissions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for risky in [
        "tabs",
        "webRequest",
        "cookies",
        "history",
        "scripting",
        "debugger",
        "identity",
        "downloads",
        "clipboardRead",
    ] {
        assert!(
            !permissions.contains(&json!(risky)),
            "the {risky} permission is not needed"
        );
    }
    for script in manifest["content_scripts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        assert_ne!(
            script["world"],
            json!("MAIN"),
            "content scripts stay in their isolated world"
        );
    }
    let csp = manifest["content_security_policy"]["extension_pages"]
        .as_str()
        .unwrap_or("");
    assert!(
        csp.contains("script-src 'self'"),
        "extension pages run only their own scripts: {csp}"
    );
    for resources in manifest["web_accessible_resources"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        assert_eq!(
            resources["use_dynamic_url"],
            json!(true),
            "pages must not be able to probe for Rapport's files"
        );
        for pattern in resources["matches"].as_array().cloned().unwrap_or_default() {
            assert!(
                pattern.as_str().is_some_and(|p| p.starts_with("https://")),
                "web-accessible to {pattern}"
            );
        }
    }
}
