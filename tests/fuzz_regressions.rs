//! Replays every committed fuzz seed and every input a fuzzer once crashed on
//! (`fuzz/seeds/<target>/`, `fuzz/regressions/<target>/`) through the same checks the
//! fuzz targets make (`fuzz/src/lib.rs`), natively, in `cargo test`: a fixed crash stays
//! fixed even where cargo-fuzz cannot run.

#[path = "../fuzz/src/lib.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let mut inputs = Vec::new();
    for kind in ["seeds", "regressions"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz")
            .join(kind)
            .join(target);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            inputs.extend(entries.map(|entry| entry.unwrap().path()));
        }
    }
    assert!(!inputs.is_empty(), "no seeds for the {target} fuzz target");
    for path in inputs {
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(
            outcome.is_ok(),
            "{} fails the {target} fuzz checks",
            path.display()
        );
    }
}

macro_rules! replays {
    ($($target:ident),* $(,)?) => {
        $(
            #[test]
            fn $target() {
                replay(stringify!($target), checks::$target);
            }
        )*
    };
}

replays!(
    linkedin_csv,
    mbox,
    eml,
    archive,
    backup,
    detect,
    settings,
    engine,
    protocol
);
