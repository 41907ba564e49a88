//! Writes the office pages' TypeScript types (`ui/office/src/bindings/`) from the Rust types.

use std::path::PathBuf;

use anju_office::services::bindings;

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join(bindings::BINDINGS_DIR);
    // Start from an empty folder so a type that is gone leaves no file behind.
    for (name, _) in bindings::read_dir(&dir)? {
        std::fs::remove_file(dir.join(name))?;
    }
    std::fs::create_dir_all(&dir)?;
    bindings::export_to(&dir)?;
    let count = bindings::read_dir(&dir)?.len();
    println!("wrote {count} TypeScript declarations to {}", dir.display());
    Ok(())
}
