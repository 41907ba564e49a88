//! Writes the front end's TypeScript types (`ui/src/bindings/`) from the Rust types.

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join(anju_app::bindings::BINDINGS_DIR);
    // Start from an empty folder so a type that is gone leaves no file behind.
    if dir.exists() {
        for (name, _) in anju_app::bindings::read_dir(&dir)? {
            std::fs::remove_file(dir.join(name))?;
        }
    }
    std::fs::create_dir_all(&dir)?;
    anju_app::bindings::export_to(&dir)?;
    let count = anju_app::bindings::read_dir(&dir)?.len();
    println!("wrote {count} TypeScript declarations to {}", dir.display());
    Ok(())
}
