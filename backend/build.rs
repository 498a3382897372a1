//! Embeds the names of the web app's own GraphQL operations (`frontend/queries/*.graphql`), so
//! the metrics label those by name and every other name as `other` (a bounded label set).

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/queries");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "graphql") {
                println!("cargo:rerun-if-changed={}", path.display());
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                names.extend(operation_names(&text));
            }
        }
    }
    names.sort();
    names.dedup();
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("app_operations.rs");
    let list: String = names.iter().map(|n| format!("{n:?}, ")).collect();
    std::fs::write(out, format!("pub const APP_OPERATIONS: &[&str] = &[{list}];\n")).expect("write");
}

/// The names after `query`, `mutation` and `subscription` at the start of a line.
fn operation_names(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let rest = ["query ", "mutation ", "subscription "].iter().find_map(|k| line.strip_prefix(k))?;
            let name: String =
                rest.trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}
