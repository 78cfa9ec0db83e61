//! The IndexedDB store in a real browser (headless Chromium via wasm-bindgen-test):
//! CRUD and index queries, search, the upgrades from version-1 and version-2 data,
//! all-or-nothing batches, idempotent re-imports, quota errors, cancel, and not
//! blocking a newer version.
#![cfg(target_arch = "wasm32")]

use rapport::engine::MessageFacts;
use rapport::import::ImportBatch;
use rapport::model::{Channel, Contact, Direction, Identity, Message, Party, Tags, DAY};
use rapport::web::store::{self, Store, QUOTA_MESSAGE, SCHEMA_VERSION};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const T0: i64 = 1_760_000_000_000;

fn email(a: &str) -> Identity {
    Identity::Email(a.into())
}

fn party(name: &str, identity: Identity) -> Party {
    Party {
        name: Some(name.into()),
        identity: Some(identity),
    }
}

fn owner() -> Party {
    party("Dana Whitfield", email("dana@whitfield.example"))
}

fn contact(id: &str, name: &str, identities: Vec<Identity>) -> Contact {
    Contact {
        id: id.into(),
        names: vec![name.into()],
        identities,
        ..Default::default()
    }
}

fn message(id: &str, sent: bool, who: &Party, time: i64, text: &str) -> Message {
    Message {
        id: id.into(),
        channel: Channel::Email,
        direction: if sent {
            Direction::Sent
        } else {
            Direction::Received
        },
        from: if sent { owner() } else { who.clone() },
        to: vec![if sent { who.clone() } else { owner() }],
        time,
        subject: Some("Project".into()),
        text: text.into(),
        conversation: Some(format!("conv-{}", who.name.as_deref().unwrap_or(""))),
        operator: None,
    }
}

const PITCH: &str = "I am reaching out because our platform helps teams like yours cut cloud costs by thirty percent every quarter";

fn brian() -> Party {
    party("Brian Miller", email("brian@acme.example"))
}

fn sample_batch() -> ImportBatch {
    let b = brian();
    let carol = party("Carol Diaz", email("carol@beta.example"));
    ImportBatch {
        contacts: vec![
            contact("c-brian", "Brian Miller", vec![email("brian@acme.example")]),
            contact("c-carol", "Carol Diaz", vec![email("carol@beta.example")]),
        ],
        messages: vec![
            message("m1", true, &b, T0, "Thanks for the update on the project."),
            message(
                "m2",
                false,
                &b,
                T0 + DAY,
                "Here is where we are on the project.",
            ),
            message("m3", true, &b, T0 + 2 * DAY, PITCH),
            message(
                "m4",
                true,
                &carol,
                T0 + 3 * DAY,
                "Lunch on Friday works for me, see you then.",
            ),
        ],
        ..Default::default()
    }
}

/// A fresh database per test: names are unique per run.
fn db_name(test: &str) -> String {
    format!("rapport-test-{test}-{}", js_sys::Math::random())
}

#[wasm_bindgen_test]
async fn crud_and_index_queries() {
    let store = Store::open(&db_name("crud")).await.unwrap();
    assert_eq!(store.version(), SCHEMA_VERSION);
    let reply = store
        .write_batch("import-1", "sample.mbox", &sample_batch())
        .await
        .unwrap();
    assert_eq!(
        (reply.contacts_added, reply.messages_added, reply.duplicates),
        (2, 4, 0)
    );
    assert_eq!(store.counts().await.unwrap(), (2, 4));

    // Unique identity index: one person per address, found by any identity key.
    let found = store
        .contacts_by_identity(&["email:brian@acme.example".into()])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "c-brian");
    let by_name = store
        .contacts_by_name(&[rapport::identity::name_key("brian miller")])
        .await
        .unwrap();
    assert_eq!(
        by_name.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["c-brian"]
    );

    // A verdict's slice: a recipient known only by name still brings their thread
    // (read through the identities of the contact the name matched), with facts.
    let slice = store
        .recipient_slice(&[], &[rapport::identity::name_key("Carol Diaz")])
        .await
        .unwrap();
    assert_eq!(slice.contacts.len(), 1);
    assert_eq!(slice.contacts[0].id, "c-carol");
    assert_eq!(slice.messages.len(), 1);
    assert_eq!(slice.messages[0].message.id, "m4");
    assert_eq!(
        slice.messages[0].facts,
        MessageFacts::of(&slice.messages[0].message)
    );
    let slice = store
        .recipient_slice(&["email:brian@acme.example".into()], &[])
        .await
        .unwrap();
    assert_eq!(slice.messages.len(), 3);

    // A person's thread, in time order, both directions.
    let thread = store
        .messages_with(&["email:brian@acme.example".into()])
        .await
        .unwrap();
    assert_eq!(
        thread.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        ["m1", "m2", "m3"]
    );
    let conversation = store
        .messages_in_conversation("conv-Carol Diaz")
        .await
        .unwrap();
    assert_eq!(conversation.len(), 1);

    // Band keys of a sent message find it again; a window after it does not.
    let bands = rapport::engine::message_band_keys(&thread[2]);
    assert!(!bands.is_empty(), "a long sent message has band keys");
    let hits = store.known_by_band(&bands[..1], T0).await.unwrap();
    assert_eq!(
        hits[0]
            .iter()
            .map(|k| k.message.id.as_str())
            .collect::<Vec<_>>(),
        ["m3"]
    );
    let later = store
        .known_by_band(&bands[..1], T0 + 10 * DAY)
        .await
        .unwrap();
    assert!(later[0].is_empty());
    assert!(store
        .has_fingerprint(&store::message_fingerprint(&thread[0]))
        .await
        .unwrap());

    // Recent contacts: latest message first.
    let recent = store.recent_contacts(10).await.unwrap();
    assert_eq!(
        recent.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["c-carol", "c-brian"]
    );

    // Tags live apart from the contact and come back with it.
    let tagged = store
        .edit_notes("c-brian", |n| {
            n.tags = Tags {
                nicknames: vec!["Bri".into()],
                ..Default::default()
            }
        })
        .await
        .unwrap();
    assert_eq!(tagged.tags.nicknames, ["Bri"]);
    assert_eq!(
        store
            .contact("c-brian")
            .await
            .unwrap()
            .unwrap()
            .tags
            .nicknames,
        ["Bri"]
    );

    // Merge and split keep the unique index consistent.
    let merged = store.merge("c-brian", "c-carol").await.unwrap();
    assert_eq!(merged.identities.len(), 2);
    assert!(store.contact("c-carol").await.unwrap().is_none());
    let split = store
        .split("c-brian", &email("carol@beta.example"))
        .await
        .unwrap();
    assert_eq!(split.identities, [email("carol@beta.example")]);
    let owner_of_carol = store
        .contacts_by_identity(&["email:carol@beta.example".into()])
        .await
        .unwrap();
    assert_eq!(owner_of_carol[0].id, split.id);
    assert_eq!(
        store
            .contact("c-brian")
            .await
            .unwrap()
            .unwrap()
            .tags
            .nicknames,
        ["Bri"],
        "tags stay with the kept contact"
    );

    // An import with a known identity under another id merges, never duplicates.
    let again = ImportBatch {
        contacts: vec![Contact {
            company: Some("Acme".into()),
            ..contact("other-id", "Brian M.", vec![email("brian@acme.example")])
        }],
        ..Default::default()
    };
    let r = store
        .write_batch("import-2", "connections.csv", &again)
        .await
        .unwrap();
    assert_eq!(r.contacts_added, 0);
    let brian = store.contact("c-brian").await.unwrap().unwrap();
    assert_eq!(brian.company.as_deref(), Some("Acme"));
    assert!(brian.names.contains(&"Brian M.".to_string()));
    store.close();
}

#[wasm_bindgen_test]
async fn reimport_adds_nothing() {
    let store = Store::open(&db_name("reimport")).await.unwrap();
    let batch = sample_batch();
    store.write_batch("a", "f.mbox", &batch).await.unwrap();
    let again = store.write_batch("b", "f.mbox", &batch).await.unwrap();
    assert_eq!(
        (again.contacts_added, again.messages_added, again.duplicates),
        (0, 0, 4)
    );
    // Same message from another source (new id, same content and minute): a duplicate.
    let mut echoed = batch.messages[0].clone();
    echoed.id = "page:whatever".into();
    echoed.text = format!("  {}\r\n", echoed.text);
    let r = store
        .write_batch(
            "c",
            "page",
            &ImportBatch {
                messages: vec![echoed],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((r.messages_added, r.duplicates), (0, 1));
    assert_eq!(store.counts().await.unwrap(), (2, 4));
    store.close();
}

#[wasm_bindgen_test]
async fn failing_batch_leaves_nothing() {
    let store = Store::open(&db_name("failing")).await.unwrap();
    store::inject_fault_for_tests("UnknownError");
    let err = store
        .write_batch("a", "f.mbox", &sample_batch())
        .await
        .unwrap_err();
    assert!(!err.quota);
    assert!(
        err.message.contains("Nothing was changed"),
        "{}",
        err.message
    );
    assert_eq!(store.counts().await.unwrap(), (0, 0));
    assert!(store.import_log("a").await.unwrap().is_none());
    // The same batch goes through afterwards, whole.
    let r = store
        .write_batch("a", "f.mbox", &sample_batch())
        .await
        .unwrap();
    assert_eq!(r.messages_added, 4);
    assert_eq!(store.import_log("a").await.unwrap().unwrap().batches, 1);
    store.close();
}

#[wasm_bindgen_test]
async fn quota_error_is_a_clear_message() {
    let store = Store::open(&db_name("quota")).await.unwrap();
    store::inject_fault_for_tests("QuotaExceededError");
    let err = store
        .write_batch("a", "f.mbox", &sample_batch())
        .await
        .unwrap_err();
    assert!(err.quota);
    assert_eq!(err.message, QUOTA_MESSAGE);
    assert_eq!(store.counts().await.unwrap(), (0, 0));
    store.close();
}

#[wasm_bindgen_test]
async fn cancel_takes_back_one_import() {
    let store = Store::open(&db_name("cancel")).await.unwrap();
    store
        .write_batch("first", "a.mbox", &sample_batch())
        .await
        .unwrap();
    let dora = party("Dora Lee", email("dora@gamma.example"));
    let second = ImportBatch {
        contacts: vec![contact(
            "c-dora",
            "Dora Lee",
            vec![email("dora@gamma.example")],
        )],
        messages: vec![message("m9", false, &dora, T0 + 9 * DAY, "Hello from Dora")],
        ..Default::default()
    };
    store
        .write_batch("second", "b.mbox", &second)
        .await
        .unwrap();
    assert_eq!(store.counts().await.unwrap(), (3, 5));
    assert_eq!(store.cancel_import("second").await.unwrap(), 1);
    assert_eq!(store.counts().await.unwrap(), (2, 4));
    assert_eq!(
        store.import_log("second").await.unwrap().unwrap().status,
        "cancelled"
    );
    store.close();
}

/// Version-1 records exactly as version 1 wrote them.
fn v1_contact() -> serde_json::Value {
    serde_json::json!({
        "id": "c-brian",
        "contact": {
            "id": "c-brian",
            "identities": [{"kind": "email", "value": "brian@acme.example"}],
            "names": ["Brian Miller"],
            "company": "Acme",
            "tags": {"kind": "client", "nicknames": ["Bri"], "notes": "met at the 2023 summit"},
            "exceptions": [{"rule": "pressure", "since": T0}]
        },
        "identity_keys": ["email:brian@acme.example"],
        "name_keys": ["brian miller"]
    })
}

fn v1_message(m: &Message) -> serde_json::Value {
    serde_json::json!({
        "id": m.id,
        "message": m,
        "parties": store::party_keys(m),
        "conversation": m.conversation,
        "fingerprint": store::message_fingerprint(m),
    })
}

async fn put_raw(db: &idb::Database, store_name: &str, value: &serde_json::Value) {
    let tx = db
        .transaction(&[store_name], idb::TransactionMode::ReadWrite)
        .unwrap();
    let js = js_sys::JSON::parse(&value.to_string()).unwrap();
    tx.object_store(store_name)
        .unwrap()
        .put(&js, None)
        .unwrap()
        .await
        .unwrap();
    tx.commit().unwrap().await.unwrap();
}

async fn put_raw_all(db: &idb::Database, store_name: &str, values: &[serde_json::Value]) {
    let tx = db
        .transaction(&[store_name], idb::TransactionMode::ReadWrite)
        .unwrap();
    let store = tx.object_store(store_name).unwrap();
    for value in values {
        store
            .put(&js_sys::JSON::parse(&value.to_string()).unwrap(), None)
            .unwrap();
    }
    tx.commit().unwrap().await.unwrap();
}

#[wasm_bindgen_test]
async fn upgrade_from_version_1_data() {
    let name = db_name("upgrade");
    let v1 = Store::open_at(&name, 1).await.unwrap();
    assert_eq!(v1.version(), 1);
    v1.close();
    let db = idb::Factory::new()
        .unwrap()
        .open(&name, Some(1))
        .unwrap()
        .await
        .unwrap();
    put_raw(&db, "contacts", &v1_contact()).await;
    let b = brian();
    for m in [
        message("m1", true, &b, T0, "Thanks for the update on the project."),
        message(
            "m2",
            false,
            &b,
            T0 + DAY,
            "Here is where we are on the project.",
        ),
        message("m3", true, &b, T0 + 2 * DAY, PITCH),
    ] {
        put_raw(&db, "messages", &v1_message(&m)).await;
    }
    db.close();

    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.version(), SCHEMA_VERSION);
    assert_eq!(store.counts().await.unwrap(), (1, 3));
    // Tags and exceptions moved to their own store and still come with the contact.
    let brian = store.contact("c-brian").await.unwrap().unwrap();
    assert_eq!(brian.tags.nicknames, ["Bri"]);
    assert_eq!(brian.tags.notes, "met at the 2023 summit");
    assert!(brian.has_exception("pressure"));
    // Threads are readable through the new time-ordered index.
    let thread = store
        .messages_with(&["email:brian@acme.example".into()])
        .await
        .unwrap();
    assert_eq!(thread.len(), 3);
    // Sent messages got band keys.
    let bands = rapport::engine::message_band_keys(&thread[2]);
    let hits = store.known_by_band(&bands, 0).await.unwrap();
    assert!(hits.iter().any(|h| h.iter().any(|k| k.message.id == "m3")));
    // Recent contacts learned the last message time.
    assert_eq!(store.recent_contacts(5).await.unwrap()[0].id, "c-brian");
    // And search keys, the nickname's among them (v3).
    assert_eq!(ids(&store.search("bri", 5).await.unwrap()), ["c-brian"]);
    store.close();

    // Reopening does not migrate twice.
    let again = Store::open(&name).await.unwrap();
    assert_eq!(again.counts().await.unwrap(), (1, 3));
    assert_eq!(
        again
            .contact("c-brian")
            .await
            .unwrap()
            .unwrap()
            .tags
            .nicknames,
        ["Bri"]
    );
    again.close();
}

fn ids(contacts: &[Contact]) -> Vec<&str> {
    contacts.iter().map(|c| c.id.as_str()).collect()
}

#[wasm_bindgen_test]
async fn search_uses_the_persisted_keys_and_follows_every_write() {
    let store = Store::open(&db_name("search")).await.unwrap();
    let mut contacts: Vec<Contact> = (0..300)
        .map(|i| Contact {
            company: Some(format!("Company {}", i % 7)),
            ..contact(
                &format!("p-{i}"),
                &format!("Person {i} Sample"),
                vec![email(&format!("person{i}@bulk{}.example", i % 5))],
            )
        })
        .collect();
    contacts.push(Contact {
        company: Some("Quartermaine & Sons".into()),
        ..contact(
            "zq",
            "Zebulon Quartermaine",
            vec![email("zq@quartermaine.example")],
        )
    });
    contacts.push(contact(
        "anna",
        "Sampleton Anna",
        vec![email("anna@elsewhere.example")],
    ));
    let batch = ImportBatch {
        contacts,
        ..Default::default()
    };
    store.write_batch("bulk", "bulk.csv", &batch).await.unwrap();

    assert_eq!(ids(&store.search("zebu", 20).await.unwrap()), ["zq"]);
    assert_eq!(ids(&store.search("quarterm", 20).await.unwrap()), ["zq"]);
    assert_eq!(
        ids(&store.search("zq@quartermaine", 20).await.unwrap()),
        ["zq"]
    );
    assert_eq!(
        ids(&store.search("Quartermaine & Sons", 20).await.unwrap()),
        ["zq"]
    );
    assert!(
        store.search("ebulon", 20).await.unwrap().is_empty(),
        "word prefixes only"
    );
    assert!(store.search("  ", 20).await.unwrap().is_empty());
    // A name that starts with the query ranks above a later word of a name.
    let sample = store.search("sample", 5).await.unwrap();
    assert_eq!(sample.len(), 5);
    assert_eq!(sample[0].id, "anna");
    // Many matches: exactly the limit, all of them matches.
    let many = store.search("person 1", 20).await.unwrap();
    assert_eq!(many.len(), 20);
    assert!(many.iter().all(|c| c.names[0].starts_with("Person 1")));
    assert_eq!(store.search("bulk3", 500).await.unwrap().len(), 60);
    assert_eq!(store.search("company 3", 500).await.unwrap().len(), 43);
    // None of them has a message: none is recent.
    assert!(store.recent_contacts(8).await.unwrap().is_empty());

    // A contact with many keys under the prefix does not hide the next one.
    let xaviers = ImportBatch {
        contacts: vec![
            Contact {
                names: (0..10).map(|i| format!("Xavier {i}")).collect(),
                ..contact("x-many", "", vec![email("many@x.example")])
            },
            contact("x-one", "Xavier Zed", vec![email("one@x.example")]),
        ],
        ..Default::default()
    };
    store.write_batch("x", "x.csv", &xaviers).await.unwrap();
    let mut found = ids(&store.search("xavier", 2).await.unwrap())
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    found.sort();
    assert_eq!(found, ["x-many", "x-one"]);

    // Nicknames are searchable as soon as they are saved, and stop being when removed.
    store
        .edit_notes("p-7", |n| n.tags.nicknames = vec!["Moonbeam".into()])
        .await
        .unwrap();
    assert_eq!(ids(&store.search("moon", 20).await.unwrap()), ["p-7"]);
    store
        .edit_notes("p-7", |n| n.tags.nicknames.clear())
        .await
        .unwrap();
    assert!(store.search("moon", 20).await.unwrap().is_empty());
    // A merge brings the absorbed names and addresses along; a split takes the address.
    store.merge("zq", "anna").await.unwrap();
    assert_eq!(ids(&store.search("anna", 20).await.unwrap()), ["zq"]);
    assert_eq!(ids(&store.search("elsewhere", 20).await.unwrap()), ["zq"]);
    let split = store
        .split("zq", &email("anna@elsewhere.example"))
        .await
        .unwrap();
    assert_eq!(
        ids(&store.search("elsewhere", 20).await.unwrap()),
        [split.id.as_str()]
    );
    // An import that adds a name to a stored person makes it searchable.
    let renamed = ImportBatch {
        contacts: vec![contact(
            "other",
            "Zeb Q. Marine",
            vec![email("zq@quartermaine.example")],
        )],
        ..Default::default()
    };
    store
        .write_batch("more", "more.csv", &renamed)
        .await
        .unwrap();
    assert_eq!(ids(&store.search("marine", 20).await.unwrap()), ["zq"]);
    store.close();
}

/// Version-2 records exactly as version 2 wrote them: no search keys.
fn v2_contact(id: &str, name: &str, address: &str, company: &str, last: i64) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "contact": {
            "id": id,
            "identities": [{"kind": "email", "value": address}],
            "names": [name],
            "company": company,
            "tags": {"nicknames": []},
            "exceptions": []
        },
        "identity_keys": [format!("email:{address}")],
        "name_keys": [rapport::identity::name_key(name)],
        "last": last
    })
}

/// A version-2 message record exactly as version 2 wrote it: no facts.
fn v2_message(m: &Message, import: &str) -> serde_json::Value {
    let time = m.time;
    let pairs = |keys: Vec<String>| -> Vec<serde_json::Value> {
        keys.into_iter()
            .map(|k| serde_json::json!([k, time]))
            .collect()
    };
    let mut record = serde_json::json!({
        "id": m.id,
        "message": m,
        "party_time": pairs(store::party_keys(m)),
        "band_time": pairs(rapport::engine::message_band_keys(m)),
        "fingerprint": store::message_fingerprint(m),
        "import": import,
        "time": time,
    });
    if let Some(c) = &m.conversation {
        record["conversation"] = c.clone().into();
    }
    record
}

async fn get_raw(name: &str, store_name: &str, key: &str) -> serde_json::Value {
    let db = idb::Factory::new()
        .unwrap()
        .open(name, None)
        .unwrap()
        .await
        .unwrap();
    let tx = db
        .transaction(&[store_name], idb::TransactionMode::ReadOnly)
        .unwrap();
    let value = tx
        .object_store(store_name)
        .unwrap()
        .get(JsValue::from_str(key))
        .unwrap()
        .await
        .unwrap()
        .unwrap();
    db.close();
    let json: String = js_sys::JSON::stringify(&value).unwrap().into();
    serde_json::from_str(&json).unwrap()
}

#[wasm_bindgen_test]
async fn upgrade_from_version_2_data() {
    let name = db_name("upgrade-v2");
    Store::open_at(&name, 2).await.unwrap().close();
    let db = idb::Factory::new()
        .unwrap()
        .open(&name, Some(2))
        .unwrap()
        .await
        .unwrap();
    put_raw(
        &db,
        "meta",
        &serde_json::json!({"key": "data_version", "value": 2}),
    )
    .await;
    put_raw(
        &db,
        "contacts",
        &v2_contact(
            "c-brian",
            "Brian Miller",
            "brian@acme.example",
            "Acme Rockets",
            T0,
        ),
    )
    .await;
    put_raw(
        &db,
        "contacts",
        &v2_contact("c-carol", "Carol Diaz", "carol@beta.example", "Beta", 0),
    )
    .await;
    put_raw(
        &db,
        "notes",
        &serde_json::json!({
            "contact": "c-carol",
            "tags": {"kind": "friend", "nicknames": ["Caz"], "preferred_name": "Caroline Diaz"},
            "exceptions": [{"rule": "pressure", "since": T0}]
        }),
    )
    .await;
    // More contacts than one migration page.
    let bulk: Vec<serde_json::Value> = (0..2_100)
        .map(|i| {
            v2_contact(
                &format!("c-bulk-{i}"),
                &format!("Bulk Person{i}"),
                &format!("bulk{i}@bulk.example"),
                "Bulk",
                0,
            )
        })
        .collect();
    put_raw_all(&db, "contacts", &bulk).await;
    let b = brian();
    let stored = [
        message("m1", true, &b, T0, "Thanks for the update on the project."),
        message(
            "m2",
            false,
            &b,
            T0 + DAY,
            "Here is where we are on the project.\n\nBest,\nBrian",
        ),
        message("m3", true, &b, T0 + 2 * DAY, PITCH),
    ];
    let v2_messages: Vec<serde_json::Value> =
        stored.iter().map(|m| v2_message(m, "old-import")).collect();
    put_raw_all(&db, "messages", &v2_messages).await;
    // More messages than one migration page.
    let carol = party("Carol Diaz", email("carol@beta.example"));
    let bulk: Vec<serde_json::Value> = (0..1_100)
        .map(|i| {
            let text =
                format!("Note number {i} about the quarterly numbers we discussed on the call.");
            v2_message(
                &message(&format!("b{i:04}"), i % 2 == 0, &carol, T0 + i, &text),
                "",
            )
        })
        .collect();
    put_raw_all(&db, "messages", &bulk).await;
    db.close();

    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.version(), SCHEMA_VERSION);
    assert_eq!(store.counts().await.unwrap(), (2_102, 1_103));
    for i in [0, 999, 1_000, 1_001, 2_099] {
        assert_eq!(
            ids(&store.search(&format!("person{i}"), 5).await.unwrap()),
            [format!("c-bulk-{i}")],
            "every page was migrated"
        );
    }
    // Every contact and every set of tags got its search keys.
    assert_eq!(ids(&store.search("brian", 20).await.unwrap()), ["c-brian"]);
    assert_eq!(
        ids(&store.search("rockets", 20).await.unwrap()),
        ["c-brian"]
    );
    assert_eq!(
        ids(&store.search("beta.example", 20).await.unwrap()),
        ["c-carol"]
    );
    assert_eq!(ids(&store.search("caz", 20).await.unwrap()), ["c-carol"]);
    assert_eq!(
        ids(&store.search("caroline", 20).await.unwrap()),
        ["c-carol"]
    );
    // Nothing else changed.
    let carol_contact = store.contact("c-carol").await.unwrap().unwrap();
    assert_eq!(carol_contact.tags.nicknames, ["Caz"]);
    assert!(carol_contact.has_exception("pressure"));
    assert_eq!(store.recent_contacts(5).await.unwrap()[0].id, "c-brian");
    // The slice a verdict loads: the contact, the thread with its facts.
    let slice = store
        .recipient_slice(&["email:brian@acme.example".into()], &[])
        .await
        .unwrap();
    assert_eq!(ids(&slice.contacts), ["c-brian"]);
    let thread: Vec<&str> = slice
        .messages
        .iter()
        .map(|m| m.message.id.as_str())
        .collect();
    assert_eq!(thread, ["m1", "m2", "m3"]);
    assert!(slice.messages[2].facts.signature.is_some());
    // Band lookups still find the pitch.
    let hits = store
        .known_by_band(&rapport::engine::message_band_keys(&stored[2]), 0)
        .await
        .unwrap();
    assert!(hits.iter().any(|h| h.iter().any(|m| m.message.id == "m3")));
    store.close();
    // Every message record, on every page, now carries the facts the engine derives
    // from its text, and nothing else about it changed.
    let last_page = message(
        "b1099",
        false,
        &carol,
        T0 + 1_099,
        "Note number 1099 about the quarterly numbers we discussed on the call.",
    );
    for m in stored.iter().chain([&last_page]) {
        let raw = get_raw(&name, "messages", &m.id).await;
        let facts: MessageFacts = serde_json::from_value(raw["facts"].clone()).unwrap();
        assert!(facts.is_current(), "{}: {raw}", m.id);
        assert_eq!(facts, MessageFacts::of(m));
        let before = v2_message(m, raw["import"].as_str().unwrap_or_default());
        for field in ["message", "party_time", "band_time", "fingerprint", "time"] {
            assert_eq!(raw[field], before[field], "{}: {field}", m.id);
        }
    }
    assert_eq!(
        get_raw(&name, "messages", "m1").await["import"],
        "old-import"
    );
    // Reopening does not migrate again.
    let again = Store::open(&name).await.unwrap();
    assert_eq!(again.counts().await.unwrap(), (2_102, 1_103));
    assert_eq!(ids(&again.search("caz", 20).await.unwrap()), ["c-carol"]);
    again.close();
}

#[wasm_bindgen_test]
async fn an_open_connection_does_not_block_a_newer_version() {
    let name = db_name("versionchange");
    let old = Store::open(&name).await.unwrap();
    old.write_batch("a", "f", &sample_batch()).await.unwrap();
    // A newer schema opening the same database: the old connection closes itself.
    let newer = Store::open_at(&name, SCHEMA_VERSION + 1).await.unwrap();
    assert_eq!(newer.version(), SCHEMA_VERSION + 1);
    assert_eq!(newer.counts().await.unwrap(), (2, 4));
    newer.close();
    let _ = JsValue::NULL;
}
