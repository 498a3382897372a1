//! Embeds every message catalog: `locales/<language>/<area>.ftl` becomes one entry of
//! `CATALOGS` in `$OUT_DIR/catalogs.rs`, so a new area's file needs no list kept by hand (and two
//! people adding areas never edit the same line).

use std::fmt::Write;
use std::path::Path;

fn main() {
    // Read at run time (not `env!`): a build script compiled for one checkout must not embed
    // another checkout's catalogs.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("locales");
    // A directory here makes cargo rerun this script when anything under it changes.
    println!("cargo:rerun-if-changed={}", root.display());
    let mut out = String::from(
        "/// (language, area, Fluent source) for every catalog file.\npub const CATALOGS: &[(&str, &str, &str)] = &[\n",
    );
    let mut langs: Vec<_> =
        std::fs::read_dir(&root).expect("frontend/locales").flatten().map(|e| e.path()).collect();
    langs.sort();
    for lang in langs.iter().filter(|p| p.is_dir()) {
        let mut files: Vec<_> =
            std::fs::read_dir(lang).expect("a language folder").flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files.iter().filter(|p| p.extension().is_some_and(|e| e == "ftl")) {
            let name = |p: &Path| p.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            let _ = writeln!(
                out,
                "    ({:?}, {:?}, include_str!({:?})),",
                name(lang).replace(".ftl", ""),
                name(file),
                file.display()
            );
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("catalogs.rs");
    std::fs::write(dest, out).expect("writing catalogs.rs");
}
