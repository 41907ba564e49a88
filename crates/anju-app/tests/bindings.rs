//! The front end's TypeScript types are the Rust types: this fails when `ui/src/bindings/`
//! differs from what ts-rs makes of them now.

use std::path::PathBuf;

#[test]
fn the_typescript_bindings_are_up_to_date() -> Result<(), anju_app::bindings::BindingsError> {
    let fresh = tempfile::tempdir().map_err(|source| anju_app::bindings::BindingsError::Io {
        path: "tempdir".into(),
        source,
    })?;
    anju_app::bindings::export_to(fresh.path())?;
    let expected = anju_app::bindings::read_dir(fresh.path())?;
    let committed_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(anju_app::bindings::BINDINGS_DIR);
    let committed = anju_app::bindings::read_dir(&committed_dir)?;
    assert!(expected.len() > 50, "{} declarations", expected.len());
    let missing: Vec<&String> = expected
        .keys()
        .filter(|k| !committed.contains_key(*k))
        .collect();
    let extra: Vec<&String> = committed
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .collect();
    let changed: Vec<&String> = expected
        .iter()
        .filter(|(k, v)| committed.get(*k).is_some_and(|c| c != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && changed.is_empty(),
        "ui/src/bindings is stale: run `cargo run -p anju-app --bin gen-bindings`.\n missing: {missing:?}\n not generated: {extra:?}\n changed: {changed:?}"
    );
    Ok(())
}
