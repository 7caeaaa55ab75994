//! The web crate's layering, checked from its source: the kit depends on no
//! feature folder, the features import each other without a circle, and the
//! presentation models the CLI prints (`*/view.rs`, `kit/i18n.rs`) do not
//! touch axum. References are `crate::<folder>` paths in the Rust files and
//! in the askama templates each file renders (with their includes).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const KIT: &str = "kit";

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).expect("src is readable") {
        let p = e.expect("a directory entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level folder a file belongs to (`kit`, `outages`, …); `None` for
/// files directly in `src/` (lib.rs assembles the router from every folder).
fn folder_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).ok()?;
    let mut parts = rel.components();
    let first = parts.next()?.as_os_str().to_string_lossy().into_owned();
    parts.next().map(|_| first)
}

/// Every `crate::<name>` named in `text`.
fn crate_refs(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        let tail = &rest[i + "crate::".len()..];
        let name: String = tail.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !name.is_empty() {
            out.insert(name);
        }
        rest = tail;
    }
    // `use crate::{a, b::c}` groups.
    let mut rest = text;
    while let Some(i) = rest.find("crate::{") {
        let tail = &rest[i + "crate::{".len()..];
        let group: String = tail.chars().take_while(|c| *c != '}').collect();
        for item in group.split(',') {
            let name: String = item.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
        rest = tail;
    }
    out
}

/// The templates a Rust file renders (`#[template(path = "…")]`).
fn templates_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("template(path = \"") {
        let tail = &rest[i + "template(path = \"".len()..];
        out.push(tail.chars().take_while(|c| *c != '"').collect());
        rest = tail;
    }
    out
}

/// A template's text with every template it includes or extends, recursively.
fn template_text(name: &str, seen: &mut BTreeSet<String>) -> String {
    if !seen.insert(name.to_owned()) {
        return String::new();
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates").join(name);
    let mut text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut nested = String::new();
    for key in ["include \"", "extends \"", "import \""] {
        let mut rest = text.as_str();
        while let Some(i) = rest.find(key) {
            let tail = &rest[i + key.len()..];
            let inner: String = tail.chars().take_while(|c| *c != '"').collect();
            nested.push_str(&template_text(&inner, seen));
            rest = tail;
        }
    }
    text.push_str(&nested);
    text
}

/// folder → the other folders it references.
fn graph() -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let folders: BTreeSet<String> = files.iter().filter_map(|f| folder_of(f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let Some(folder) = folder_of(f) else { continue };
        let text = fs::read_to_string(f).expect("a readable source file");
        let mut all = text.clone();
        for t in templates_of(&text) {
            all.push_str(&template_text(&t, &mut BTreeSet::new()));
        }
        let refs: Vec<String> = crate_refs(&all).into_iter().filter(|r| folders.contains(r) && *r != folder).collect();
        edges.entry(folder).or_default().extend(refs);
    }
    (edges, folders)
}

#[test]
fn the_kit_depends_on_no_feature() {
    let (edges, _) = graph();
    let from_kit = edges.get(KIT).cloned().unwrap_or_default();
    assert!(from_kit.is_empty(), "kit/ must not use feature folders, but uses {from_kit:?}");
}

#[test]
fn the_features_import_each_other_without_a_circle() {
    let (edges, folders) = graph();
    // Kahn's algorithm: whatever cannot be ordered lies on a circle.
    let mut indegree: BTreeMap<&str, usize> = folders.iter().map(|f| (f.as_str(), 0)).collect();
    for targets in edges.values() {
        for t in targets {
            *indegree.get_mut(t.as_str()).expect("a known folder") += 1;
        }
    }
    let mut ready: Vec<&str> = indegree.iter().filter(|(_, n)| **n == 0).map(|(f, _)| *f).collect();
    let mut ordered = 0;
    while let Some(f) = ready.pop() {
        ordered += 1;
        for t in edges.get(f).into_iter().flatten() {
            let n = indegree.get_mut(t.as_str()).expect("a known folder");
            *n -= 1;
            if *n == 0 {
                ready.push(t);
            }
        }
    }
    let circle: Vec<_> = indegree.iter().filter(|(_, n)| **n > 0).map(|(f, _)| *f).collect();
    assert_eq!(ordered, folders.len(), "import circle among {circle:?}; edges: {edges:?}");
}

#[test]
fn presentation_models_do_not_touch_axum() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let models: Vec<_> = files
        .iter()
        .filter(|f| f.ends_with("view.rs") && !f.ends_with("kit/view.rs") || f.ends_with("kit/i18n.rs"))
        .collect();
    assert!(models.len() >= 3, "the view modules were found: {models:?}");
    for f in models {
        let text = fs::read_to_string(f).expect("a readable source file");
        assert!(!text.contains("axum"), "{} is a presentation model and must not use axum", f.display());
    }
}

#[test]
fn handlers_decide_no_role_rule() {
    // Who may do what is `reserv_core::access`, asked by the services; a
    // handler or template that matches on a role is deciding a rule.
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for f in files {
        if f.ends_with("kit/i18n.rs") {
            continue; // role labels
        }
        let text = fs::read_to_string(&f).expect("a readable source file");
        for needle in ["Role::UnitManager", "Role::It", "Role::SystemAdministrator", "Role::Auditor", "Role::Clinician"]
        {
            assert!(!text.contains(needle), "{} decides a role rule ({needle})", f.display());
        }
    }
}

#[test]
fn the_reference_scanner_sees_plain_and_grouped_paths() {
    let refs =
        crate_refs("use crate::kit::ctx::Ctx;\nuse crate::{AppState, outages::view};\nx(crate::backentry::pages::f)");
    assert_eq!(
        refs.into_iter().collect::<Vec<_>>(),
        ["AppState", "backentry", "kit", "outages"].map(String::from).to_vec()
    );
}
