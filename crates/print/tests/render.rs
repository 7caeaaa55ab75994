//! End-to-end tests of `render_pdf`: the bytes are read back with poppler's
//! `pdftotext`, `pdfinfo` and `pdffonts`, as a person's PDF viewer would.
//!
//! These tests need poppler-utils (`apt-get install poppler-utils`; `.ci/run`
//! installs it). They fail, never skip, when the tools are missing.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use proptest::prelude::*;
use reserv_print::{Block, Column, Document, render_pdf, render_pdf_bytes};

const SWEDISH: &str = "Överlämningslogg för Åsa Öberg: kärl, väg, ö";

/// Runs a poppler tool and returns its standard output; fails the test with
/// instructions if the tool is not installed.
fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let output =
        Command::new(tool).args(args).arg(pdf).args(if tool == "pdftotext" { &["-"][..] } else { &[] }).output();
    let output = match output {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{tool}` is missing: install poppler-utils (`apt-get install poppler-utils`); \
             reserv-print's PDF tests need it and never skip"
        ),
        Err(e) => panic!("could not run `{tool}`: {e}"),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "`{tool} {args:?}` failed: {stderr}");
    assert!(stderr.trim().is_empty(), "`{tool} {args:?}` complained about the PDF: {stderr}");
    String::from_utf8(output.stdout).expect("poppler prints UTF-8")
}

/// Renders `doc` to a temporary file, checking the PDF's frame on the way.
fn render_to_file(doc: &Document) -> (tempfile::TempDir, std::path::PathBuf, usize) {
    let mut bytes = Vec::new();
    render_pdf(doc, &mut bytes).expect("rendering into a Vec cannot fail");
    assert_pdf_frame(&bytes);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, &bytes).unwrap();
    (dir, path, bytes.len())
}

fn assert_pdf_frame(bytes: &[u8]) {
    assert!(bytes.starts_with(b"%PDF-"), "no PDF header");
    assert!(bytes.trim_ascii_end().ends_with(b"%%EOF"), "no %%EOF at the end");
}

fn page_count(pdf: &Path) -> usize {
    let info = poppler("pdfinfo", &[], pdf);
    let line = info.lines().find(|l| l.starts_with("Pages:")).expect("pdfinfo reports pages");
    line["Pages:".len()..].trim().parse().unwrap()
}

fn page_text(pdf: &Path, page: usize) -> String {
    let page = page.to_string();
    poppler("pdftotext", &["-enc", "UTF-8", "-f", &page, "-l", &page], pdf)
}

fn handover_table(rows: usize) -> Block {
    Block::Table {
        columns: vec![
            Column::new("Tid", 0.1),
            Column::new("Patient", 0.2),
            Column::new("Överlämning", 0.55),
            Column::new("Signatur", 0.15),
        ],
        rows: (0..rows)
            .map(|i| {
                vec![
                    format!("{:02}:{:02}", i / 60 % 24, i % 60),
                    format!("Patient {i} Ärlig"),
                    format!("Rad {i}: väg dagligen, kontrollera kärlstatus och smärta enligt ordination {i}."),
                    "ssk ÅÖ".to_string(),
                ]
            })
            .collect(),
    }
}

fn handover(rows: usize) -> Document {
    Document {
        title: "Överlämningslogg – Avdelning 12".into(),
        subtitle: Some("Driftstopp 2026-05-02 06:00–18:00".into()),
        footer: Some("Utskriven 2026-05-02 14:03 från Reserv".into()),
        blocks: vec![
            Block::Facts(vec![("Ansvarig".into(), "Ssk Åsa Öberg".into()), ("Telefon".into(), "070-123 45 67".into())]),
            Block::Heading("Sammanfattning".into()),
            Block::Paragraph(format!("{SWEDISH}. Fortsättning följer.")),
            Block::Spacer,
            Block::Heading("Händelser".into()),
            handover_table(rows),
        ],
    }
}

#[test]
fn output_is_a_pdf_file() {
    let bytes = render_pdf_bytes(&handover(3)).unwrap();
    assert_pdf_frame(&bytes);
    let mut written = Vec::new();
    render_pdf(&handover(3), &mut written).unwrap();
    assert_eq!(written, bytes, "the same document gives the same bytes");
}

#[test]
fn pdftotext_returns_the_swedish_text_and_the_cells() {
    let doc = Document {
        blocks: vec![
            Block::Paragraph(SWEDISH.into()),
            Block::Table {
                columns: vec![Column::new("Rum", 1.0), Column::new("Åtgärd", 3.0)],
                rows: vec![
                    vec!["Sal 4".into(), "Byt förband på vänster ben".into()],
                    vec!["Sal 7".into(), "Mät blodsocker före frukost".into()],
                ],
            },
        ],
        footer: Some("Utskriven 2026-05-02 14:03".into()),
        ..Document::new("Överlämning")
    };
    let (_dir, pdf, _) = render_to_file(&doc);
    let text = poppler("pdftotext", &["-enc", "UTF-8"], &pdf);
    for expected in [
        SWEDISH,
        "Överlämning",
        "Rum",
        "Åtgärd",
        "Sal 4",
        "Byt förband på vänster ben",
        "Sal 7",
        "Mät blodsocker före frukost",
        "Utskriven 2026-05-02 14:03",
        "Sida 1 av 1",
    ] {
        assert!(text.contains(expected), "pdftotext lacks {expected:?} in:\n{text}");
    }
}

#[test]
fn a_long_table_repeats_its_header_on_every_page() {
    let (_dir, pdf, _) = render_to_file(&handover(300));
    let pages = page_count(&pdf);
    assert!(pages >= 5, "300 rows on only {pages} pages");
    let mut rows_seen = 0;
    for page in 1..=pages {
        let text = page_text(&pdf, page);
        for header in ["Tid", "Patient", "Överlämning", "Signatur"] {
            assert!(text.lines().any(|l| l.trim() == header), "page {page} lacks header {header:?}:\n{text}");
        }
        assert!(text.contains(&format!("Sida {page} av {pages}")), "page {page} lacks its page number");
        if page > 1 {
            assert!(text.contains("Överlämningslogg – Avdelning 12"), "page {page} lacks the running title");
        }
        for i in 0..300 {
            // A row's first and last lines are on the same page: rows are not split.
            let starts = text.contains(&format!("Rad {i}: "));
            let ends = text.contains(&format!("ordination {i}."));
            assert_eq!(starts, ends, "row {i} is split at page {page}:\n{text}");
            rows_seen += usize::from(starts);
        }
    }
    assert_eq!(rows_seen, 300, "every row is printed exactly once");
}

#[test]
fn fonts_are_embedded_subset_and_mapped_to_unicode() {
    let (_dir, pdf, _) = render_to_file(&handover(10));
    let fonts = poppler("pdffonts", &[], &pdf);
    let rows: Vec<Vec<&str>> =
        fonts.lines().skip_while(|l| !l.starts_with("---")).skip(1).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 2, "regular and bold:\n{fonts}");
    for row in rows {
        let n = row.len();
        assert!(row[0].ends_with("+DejaVuSans") || row[0].ends_with("+DejaVuSans-Bold"), "{fonts}");
        assert_eq!(&row[1..n - 5], ["CID", "TrueType", "Identity-H"], "{fonts}");
        assert_eq!(&row[n - 5..n - 2], ["yes", "yes", "yes"], "emb, sub and uni:\n{fonts}");
    }
    let info = poppler("pdfinfo", &[], &pdf);
    assert!(info.contains("Page size:       595.276 x 841.89 pts (A4)"), "{info}");
    assert!(info.contains("Title:           Överlämningslogg – Avdelning 12"), "{info}");
}

#[test]
fn a_fifty_row_table_stays_small() {
    let (_dir, pdf, size) = render_to_file(&handover(50));
    let pages = page_count(&pdf);
    eprintln!("50-row handover log: {size} bytes, {pages} pages");
    assert!(size < 200_000, "{size} bytes");
}

#[test]
fn hostile_text_renders_and_reads_back() {
    let long_word = "Överlämningsloggsanteckningsblanketts".repeat(40);
    let nasty = format!(
        "tab\there\u{0}nul\u{7}bell\u{1B}[31mesc\r\nCRLF\u{2028}LS emoji 🦠😀👨\u{200D}👩\u{200D}👧 中文 {long_word} a\u{308}"
    );
    let doc = Document {
        title: nasty.clone(),
        subtitle: Some(nasty.clone()),
        footer: Some(nasty.clone()),
        blocks: vec![
            Block::Heading(nasty.clone()),
            Block::Paragraph(nasty.clone()),
            Block::Facts(vec![(nasty.clone(), nasty.clone()), (String::new(), String::new())]),
            Block::Table { columns: vec![], rows: vec![] },
            Block::Table { columns: vec![Column::new("", 0.0)], rows: vec![vec![]] },
            Block::Table { columns: vec![], rows: vec![vec![nasty.clone(); 7]] },
            Block::Table {
                columns: vec![Column::new(nasty.clone(), f32::NAN), Column::new("x", -1.0), Column::new("y", 1e-30)],
                rows: vec![vec![nasty.clone(); 5], vec![], vec![long_word.repeat(20)]],
            },
            Block::PageBreak,
            Block::PageBreak,
            Block::Spacer,
        ],
    };
    let (_dir, pdf, _) = render_to_file(&doc);
    let pages = page_count(&pdf);
    assert!(pages >= 2);
    let text = poppler("pdftotext", &["-enc", "UTF-8"], &pdf);
    assert!(text.contains("tab here"), "{text}");
    assert!(text.contains("nulbell[31mesc"), "control characters are dropped: {text}");
    // 🦠, 👨 and the CJK are not in DejaVu Sans; 😀 is. The family sequence is one symbol.
    assert!(text.contains("emoji ?😀? ?? "), "{text}");
    assert!(text.contains(" ä"), "decomposed ä is composed: {text}");
}

#[test]
fn an_empty_document_is_one_blank_page() {
    let (_dir, pdf, _) = render_to_file(&Document::default());
    assert_eq!(page_count(&pdf), 1);
    assert!(page_text(&pdf, 1).contains("Sida 1 av 1"));
}

#[test]
fn write_errors_are_returned_not_panicked() {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let err = render_pdf(&handover(1), &mut Broken).unwrap_err();
    assert_eq!(err.to_string(), "disk full");
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ a-zåäöÅÄÖ\n\t\r-/]{0,300}",
        "[a-zåäö]{200,2000}",
        prop::collection::vec(
            prop_oneof![Just('😀'), Just('🦠'), Just('\u{200D}'), Just('\u{FE0F}'), Just('\n')],
            0..40
        )
        .prop_map(|v| v.into_iter().collect()),
    ]
}

fn any_block() -> impl Strategy<Value = Block> {
    prop_oneof![
        any_text().prop_map(Block::Heading),
        any_text().prop_map(Block::Paragraph),
        prop::collection::vec((any_text(), any_text()), 0..4).prop_map(Block::Facts),
        (
            prop::collection::vec((any_text(), any::<f32>()), 0..6),
            prop::collection::vec(prop::collection::vec(any_text(), 0..8), 0..10),
        )
            .prop_map(|(columns, rows)| Block::Table {
                columns: columns.into_iter().map(|(t, f)| Column::new(t, f)).collect(),
                rows,
            }),
        Just(Block::Spacer),
        Just(Block::PageBreak),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_documents_never_panic(
        title in any_text(),
        subtitle in prop::option::of(any_text()),
        footer in prop::option::of(any_text()),
        blocks in prop::collection::vec(any_block(), 0..6),
    ) {
        let doc = Document { title, subtitle, footer, blocks };
        let mut bytes = Vec::new();
        render_pdf(&doc, &mut bytes).unwrap();
        assert_pdf_frame(&bytes);
    }
}
