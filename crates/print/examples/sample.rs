//! Writes a sample handover log to a PDF file, for looking at the layout.
//!
//! `cargo run -p reserv-print --example sample -- /tmp/reserv-sample.pdf [rows]`
//! then e.g. `pdftoppm -png -r 60 /tmp/reserv-sample.pdf /tmp/reserv-sample`.

use reserv_print::{Block, Column, Document, render_pdf};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "/tmp/reserv-sample.pdf".to_string());
    let rows: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(50);

    let names = ["Åsa Öberg", "Per-Olof Ärlig", "Märta Lindqvist", "Jöns Åkesson", "Elif Yılmaz", "Ingrid Ödmark"];
    let notes = [
        "Kärlkirurgi dag 2. Väg dagligen, mål −1 kg/dygn. Ny PVK höger arm 08:10.",
        "Smärta VAS 3, får Alvedon 1 g x 4. Mobiliseras med rollator.",
        "Inga förändringar sedan förra passet.",
        "Blodsocker 14,2 mmol/l kl 06 — ring diabetessjuksköterska vid värde över 15. Anhöriga informerade.",
        "Fasta från midnatt inför gastroskopi. Ö-nr 42. Observera: allergi mot penicillin (utslag).",
    ];
    let table_rows = (0..rows)
        .map(|i| {
            vec![
                format!("{:02}:{:02}", 6 + i / 6 % 18, i * 10 % 60),
                format!("Sal {}", 1 + i % 9),
                names[i % names.len()].to_string(),
                notes[i % notes.len()].to_string(),
                ["ssk", "usk", "läk"][i % 3].to_string(),
            ]
        })
        .collect();

    let doc = Document {
        title: "Överlämningslogg – Avdelning 12, kirurgi".into(),
        subtitle: Some("Driftstopp 2026-05-02 06:00–18:00 · Reservrutin aktiv".into()),
        footer: Some("Utskriven 2026-05-02 14:03 från Reserv av ssk Åsa Öberg".into()),
        blocks: vec![
            Block::Facts(vec![
                ("Enhet".into(), "Avdelning 12, kirurgi, Sjukhuset i Väst".into()),
                ("Ansvarig".into(), "Ssk Åsa Öberg, tfn 070-123 45 67".into()),
                ("Läge".into(), "Journalsystemet nere sedan 06:00. Dokumentera på papper och för in efteråt.".into()),
            ]),
            Block::Heading("Sammanfattning".into()),
            Block::Paragraph(
                "Överlämningslogg för Åsa Öberg: kärl, väg, ö. Alla patienter är genomgångna vid rond. \
                 Läkemedelslistor är utskrivna från senaste synkroniseringen 05:58 och finns i pärmen på \
                 expeditionen. Ändringar efter den tidpunkten finns endast i denna logg."
                    .into(),
            ),
            Block::Heading("Händelser".into()),
            Block::Table {
                columns: vec![
                    Column::new("Tid", 0.09),
                    Column::new("Plats", 0.1),
                    Column::new("Patient", 0.18),
                    Column::new("Notering", 0.53),
                    Column::new("Sign.", 0.1),
                ],
                rows: table_rows,
            },
            Block::Heading("Telefonlista".into()),
            Block::Facts(vec![
                ("Jourhavande läkare".into(), "sökare 4412".into()),
                ("Röntgen".into(), "tfn 5510".into()),
                ("IT-support (dygnet runt)".into(), "tfn 9000".into()),
            ]),
        ],
    };

    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    render_pdf(&doc, &mut out)?;
    drop(out);
    println!("{path}: {} bytes", std::fs::metadata(&path)?.len());
    Ok(())
}
