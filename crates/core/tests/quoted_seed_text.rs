//! Seed text quoted in the shipped data files reads as text (issue 11 item
//! 7): no raw Markdown from the extracted seeds (`**2024-02-01**`, `*Utklar*`)
//! in any quote a person sees, and a known typo of a seed is marked "[sic]".

use std::path::Path;

/// Every shipped data file (`data/**/*.toml`), as (path, text).
fn data_files() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push((p.display().to_string(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data"), &mut out);
    out.sort();
    out
}

/// The value lines (`key = "…"`) of a TOML file, not its comments.
fn values(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with('#') && l.contains('='))
}

#[test]
fn no_raw_markdown_in_quoted_seed_text() {
    let mut found = Vec::new();
    for (path, text) in data_files() {
        for (n, line) in values(&text) {
            let Some((_, value)) = line.split_once('=') else { continue };
            let emphasis = value.contains("**") || value.split('*').count() >= 3 || value.contains("__");
            if emphasis {
                found.push(format!("{path}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "raw Markdown in quoted text:\n{}", found.join("\n"));
}

// Seed 002: "Om SIP skapats innan 2024-01-17 avslutas enligt normalt rutin."
#[test]
fn a_typo_quoted_from_a_seed_is_marked_sic() {
    let all: String = data_files().into_iter().map(|(_, t)| t).collect();
    assert!(!all.contains("enligt normalt rutin"), "the typo is marked");
    assert!(all.contains("enligt normalt [sic] rutin"));
}
