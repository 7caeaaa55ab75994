//! The backend's own tests: the storage contract, reopening, durability
//! under concurrency, the append-only triggers, and open errors.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passes_the_storage_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    reserv_store::contract::run_all(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_keeps_data_and_node_id() {
    let dir = tempfile::tempdir().unwrap();
    let node = {
        let store = SqliteStore::open(dir.path()).unwrap();
        reserv_store::contract::run_all(&store).await;
        store.node_id().to_owned()
    };
    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(store.node_id(), node);
    assert!(!store.users().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_are_all_durable() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let mut tasks = Vec::new();
    for i in 0..200u32 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut a = AuditRecord {
                id: EntryId(Uuid::now_v7()),
                at: Timestamp::UNIX_EPOCH,
                actor_id: None,
                actor: "t".into(),
                org: None,
                action: "test.concurrent".into(),
                target: None,
                origin: "test".into(),
                detail: String::new(),
                node: "n".into(),
            };
            a.detail = i.to_string();
            s.append_audit(a).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // A fresh connection (as after a crash and restart) sees every acknowledged write.
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    let n: i64 =
        conn.query_row("SELECT count(*) FROM audit_log WHERE action = 'test.concurrent'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 200);
}

#[test]
fn audit_log_and_timelines_refuse_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStore::open(dir.path()).unwrap());
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.execute(
        "INSERT INTO audit_log (id, at, actor, action, origin, detail, node_id) VALUES ('a', 0, 'x', 'y', 'z', '', 'n')",
        [],
    )
    .unwrap();
    assert!(conn.execute("UPDATE audit_log SET actor = 'evil'", []).is_err());
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
    conn.execute("INSERT INTO deviation_reports (id, outage_id, occurred_at, report) VALUES ('d', 'o', 0, '{}')", [])
        .unwrap();
    assert!(conn.execute("UPDATE deviation_reports SET report = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM deviation_reports", []).is_err());
}

#[test]
fn checklist_ticks_refuse_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStore::open(dir.path()).unwrap());
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.execute(
        "INSERT INTO checklist_ticks (id, outage_id, user_id, step_id, at, tick) VALUES ('t', 'o', 'u', 's', 0, '{}')",
        [],
    )
    .unwrap();
    assert!(conn.execute("UPDATE checklist_ticks SET tick = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM checklist_ticks", []).is_err());
}

#[test]
fn outbox_timelines_are_append_only_and_messages_never_change() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStore::open(dir.path()).unwrap());
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.execute(
        "INSERT INTO outbox_messages (id, outage_id, msg_key, recipient_key, due_at, message, status, next_at)
         VALUES ('m', 'o', 'k', '', 0, '{}', 'queued', 0)",
        [],
    )
    .unwrap();
    conn.execute("INSERT INTO outbox_events (id, message_id, seq, at, event) VALUES ('e', 'm', 0, 0, '{}')", [])
        .unwrap();
    assert!(conn.execute("UPDATE outbox_events SET event = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM outbox_events", []).is_err());
    assert!(conn.execute("UPDATE outbox_messages SET message = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM outbox_messages", []).is_err());
    // The fold's cache may change.
    assert!(conn.execute("UPDATE outbox_messages SET status = 'sent', next_at = NULL", []).is_ok());
}

#[test]
fn unwritable_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let err = SqliteStore::open(&file.join("data")).err().expect("must fail");
    assert!(err.to_string().contains("cannot create the data directory"), "{err}");
}

mod integrity {
    //! "At most once" rules held by the schema: two stores on one file (two
    //! writer threads, as two processes would be) racing on one record.

    use super::*;
    use jiff::SignedDuration;
    use reserv_core::backentry::ItemCode;
    use reserv_core::episode::{Channel, EpisodeChange};
    use reserv_core::handover::{Direction, MessageType, Party};
    use reserv_core::ids::SystemId;
    use reserv_core::outage::{Actor, Outage, OutageChange, OutageKind, Scope};
    use reserv_core::worklist::{ItemKey, WorkChange};

    fn t0() -> Timestamp {
        "2026-11-23T08:00:00Z".parse().unwrap()
    }

    fn audit(action: &str) -> AuditRecord {
        AuditRecord {
            id: EntryId(Uuid::now_v7()),
            at: t0(),
            actor_id: None,
            actor: "t".into(),
            org: None,
            action: action.into(),
            target: None,
            origin: "test".into(),
            detail: String::new(),
            node: "n".into(),
        }
    }

    fn entry(episode: EpisodeId, supersedes: Option<EntryId>, outages: Vec<OutageId>) -> LogEntry {
        LogEntry {
            id: EntryId(Uuid::now_v7()),
            episode_id: episode,
            at: t0(),
            recorded_at: t0(),
            author_id: UserId(Uuid::now_v7()),
            author_name: "Sjuksköterska".into(),
            author_org: OrgId::parse("avd-c").unwrap(),
            counterpart_name: "Handläggare".into(),
            counterpart_role: "biståndshandläggare".into(),
            counterpart_org: OrgId::parse("kommun-c").unwrap(),
            direction: Direction::Given,
            channel: Channel::Phone,
            messages: [MessageType::Admission].into_iter().collect(),
            comment: String::new(),
            supersedes,
            outages,
            node: "n".into(),
            paper_signer: None,
        }
    }

    fn work(outage: OutageId, key: ItemKey, mins: i64) -> WorkEvent {
        WorkEvent {
            id: EntryId(Uuid::now_v7()),
            outage_id: outage,
            key,
            at: t0() + SignedDuration::from_mins(mins),
            actor: Actor { user_id: None, name: "Handläggare".into() },
            org: OrgId::parse("kommun-c").unwrap(),
            node: "n".into(),
            change: WorkChange::Done { note: String::new() },
        }
    }

    fn key() -> ItemKey {
        ItemKey {
            episode: EpisodeId(Uuid::now_v7()),
            party: Party::Municipality,
            code: ItemCode::AdmissionNotice,
            n: 0,
            sip: None,
        }
    }

    fn two_stores() -> (tempfile::TempDir, SqliteStore, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let a = SqliteStore::open(dir.path()).unwrap();
        let b = SqliteStore::open(dir.path()).unwrap();
        (dir, a, b)
    }

    fn count(dir: &tempfile::TempDir, sql: &str, arg: &str) -> i64 {
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.query_row(sql, [arg], |r| r.get(0)).unwrap()
    }

    fn one_wins<T: std::fmt::Debug>(a: Result<T, StoreError>, b: Result<T, StoreError>) {
        assert!(a.is_ok() != b.is_ok(), "exactly one write wins: {a:?} / {b:?}");
        let lost = if a.is_ok() { b } else { a };
        assert!(matches!(lost, Err(StoreError::Conflict(_))), "the other is a Conflict: {lost:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_stores_cannot_both_correct_one_entry() {
        let (dir, a, b) = two_stores();
        let ep = EpisodeId(Uuid::now_v7());
        for _ in 0..10 {
            let old = entry(ep, None, Vec::new());
            a.append_log_entry(old.clone(), audit("episode.entry_logged")).await.unwrap();
            let (ra, rb) = tokio::join!(
                a.append_log_entry(entry(ep, Some(old.id), Vec::new()), audit("episode.entry_corrected")),
                b.append_log_entry(entry(ep, Some(old.id), Vec::new()), audit("episode.entry_corrected")),
            );
            one_wins(ra, rb);
            let n = count(&dir, "SELECT count(*) FROM log_entries WHERE supersedes = ?1", &old.id.to_string());
            assert_eq!(n, 1, "the table holds one correction");
            let n = count(&dir, "SELECT count(*) FROM audit_log WHERE action = ?1", "episode.entry_corrected");
            assert!(n >= 1);
        }
        let corrections = a.log_entries(&[ep]).await.unwrap().iter().filter(|e| e.supersedes.is_some()).count();
        assert_eq!(corrections, 10);
        let audits = count(&dir, "SELECT count(*) FROM audit_log WHERE action = ?1", "episode.entry_corrected");
        assert_eq!(audits, 10, "the losing writes left no audit record");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_stores_cannot_both_act_on_one_work_item() {
        let (dir, a, b) = two_stores();
        let outage = OutageId(Uuid::now_v7());
        for _ in 0..10 {
            let k = key();
            // Both saw an item nobody has touched.
            let (ra, rb) = tokio::join!(
                a.append_work_event(work(outage, k, 1), None, audit("worklist.done")),
                b.append_work_event(work(outage, k, 1), None, audit("worklist.done")),
            );
            one_wins(ra, rb);
            // Both saw the same latest change.
            let last = a.work_events(outage).await.unwrap().into_iter().rfind(|e| e.key == k).unwrap().id;
            let (ra, rb) = tokio::join!(
                a.append_work_event(work(outage, k, 2), Some(last), audit("worklist.done")),
                b.append_work_event(work(outage, k, 2), Some(last), audit("worklist.done")),
            );
            one_wins(ra, rb);
            let n = count(&dir, "SELECT count(*) FROM worklist_events WHERE item_key = ?1", &k.to_string());
            assert_eq!(n, 2, "two changes, one per round");
        }
    }

    #[test]
    fn the_schema_refuses_a_second_successor_whatever_the_code_checks() {
        let dir = tempfile::tempdir().unwrap();
        drop(SqliteStore::open(dir.path()).unwrap());
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        let ins = "INSERT INTO worklist_events (id, outage_id, item_key, at, event, after_id) VALUES (?1, 'o', 'k', 0, '{}', ?2)";
        conn.execute(ins, params!["w1", None::<String>]).unwrap();
        assert!(conn.execute(ins, params!["w2", None::<String>]).is_err(), "one first change per item");
        conn.execute(ins, params!["w2", "w1"]).unwrap();
        assert!(conn.execute(ins, params!["w3", "w1"]).is_err(), "one successor per change");
        let tick = "INSERT INTO checklist_ticks (id, outage_id, user_id, step_id, at, tick, after_id)
                    VALUES (?1, 'o', 'u', 's', 0, '{}', ?2)";
        conn.execute(tick, params!["t1", None::<String>]).unwrap();
        assert!(conn.execute(tick, params!["t2", None::<String>]).is_err());
        conn.execute(tick, params!["t2", "t1"]).unwrap();
        assert!(conn.execute(tick, params!["t3", "t1"]).is_err());
        let log = "INSERT INTO log_entries (id, episode_id, at, supersedes, entry) VALUES (?1, 'e', 0, ?2, '{}')";
        conn.execute(log, params!["l1", None::<String>]).unwrap();
        conn.execute(log, params!["l2", None::<String>]).unwrap();
        conn.execute(log, params!["l3", "l1"]).unwrap();
        assert!(conn.execute(log, params!["l4", "l1"]).is_err(), "an entry is corrected once");
        assert!(conn.execute("UPDATE outage_spans SET seq = 1", []).is_ok(), "a span is a projection, not a fact");
        assert!(conn.execute("DELETE FROM log_entry_outages", []).is_ok());
        conn.execute("INSERT INTO log_entry_outages VALUES ('o', 'e', 'l1')", []).unwrap();
        assert!(conn.execute("DELETE FROM log_entry_outages", []).is_err(), "the tags are append-only");
    }

    /// A version-7 database with data, as an older Reserv left it, is migrated
    /// to version 8: the new columns and tables are filled from the stored
    /// JSON, legacy rows that break a new rule are kept and listed, and the
    /// new rules hold for every later write.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn migrating_a_version_7_database_with_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let conn = Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..7] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 7).unwrap();
        let h = |n: i64| t0() + SignedDuration::from_hours(n);
        // Outages: one ended (declared, amended, ended), one ongoing, one that does not fold.
        let ended = OutageId(Uuid::now_v7());
        let open = OutageId(Uuid::now_v7());
        let broken = OutageId(Uuid::now_v7());
        let declared = |start| OutageChange::Declared {
            system: SystemId::parse("lifecare-sp").unwrap(),
            kind: OutageKind::Unplanned,
            scope: Scope::Both,
            start,
            expected_end: None,
            notice: String::new(),
            drill: false,
            public_notice: String::new(),
        };
        let moved = OutageChange::Updated {
            kind: None,
            scope: None,
            start: Some(h(-2)),
            expected_end: None,
            notice: None,
            public_notice: None,
        };
        let end = OutageChange::Ended { restored_at: h(1), notice: None };
        let mut timeline = Vec::new();
        for (outage, seq, change) in [
            (ended, 0, declared(h(-1))),
            (ended, 1, moved),
            (ended, 2, end.clone()),
            (open, 0, declared(h(0))),
            (broken, 0, end),
        ] {
            let e = OutageEvent {
                id: EntryId(Uuid::now_v7()),
                outage_id: outage,
                seq,
                at: h(seq as i64),
                actor: Actor { user_id: None, name: "IT".into() },
                node: "n".into(),
                change,
            };
            if outage == ended {
                timeline.push(e.clone());
            }
            conn.execute(
                "INSERT INTO outage_events (id, outage_id, seq, at, actor_name, node_id, change)
                 VALUES (?1, ?2, ?3, ?4, 'IT', 'n', ?5)",
                params![e.id.to_string(), outage.to_string(), seq, micros(e.at), json(&e.change).unwrap()],
            )
            .unwrap();
        }
        // An episode, two corrections of one entry (a race of two old processes), tags.
        let ep = EpisodeId(Uuid::now_v7());
        let registered = EpisodeChange::Registered {
            patient: reserv_core::identity::PatientId::parse("19121212-1212", jiff::civil::date(2026, 11, 23)).unwrap(),
            ward: OrgId::parse("avd-c").unwrap(),
            ward_type: reserv_core::org::WardType::Somatic,
            municipality: OrgId::parse("kommun-c").unwrap(),
            primary_care: OrgId::parse("hc-c").unwrap(),
            outpatient_psychiatry: None,
            admitted_at: t0(),
            expected_discharge: None,
            existed_before_outage: false,
            routine: "lifecare-sp-001".into(),
            drill: false,
        };
        conn.execute(
            "INSERT INTO episode_events (id, episode_id, seq, at, actor_name, node_id, change)
             VALUES (?1, ?2, 0, ?3, 'x', 'n', ?4)",
            params![Uuid::now_v7().to_string(), ep.to_string(), micros(t0()), json(&registered).unwrap()],
        )
        .unwrap();
        let old = entry(ep, None, vec![ended]);
        let fix1 = entry(ep, Some(old.id), vec![ended]);
        let fix2 = entry(ep, Some(old.id), vec![ended, open]);
        for e in [&old, &fix1, &fix2] {
            conn.execute(
                "INSERT INTO log_entries (id, episode_id, at, entry) VALUES (?1, ?2, ?3, ?4)",
                params![e.id.to_string(), ep.to_string(), micros(e.at), json(e).unwrap()],
            )
            .unwrap();
        }
        // Work on one item and ticks of one step, three changes each.
        let (o, k) = (OutageId(Uuid::now_v7()), key());
        let works: Vec<WorkEvent> = (0..3).map(|m| work(o, k, m)).collect();
        for w in &works {
            conn.execute(
                "INSERT INTO worklist_events (id, outage_id, item_key, at, event) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![w.id.to_string(), o.to_string(), k.to_string(), micros(w.at), json(w).unwrap()],
            )
            .unwrap();
        }
        for (i, id) in ["t1", "t2", "t3"].iter().enumerate() {
            conn.execute(
                "INSERT INTO checklist_ticks (id, outage_id, user_id, step_id, at, tick) VALUES (?1, 'o', 'u', 's', ?2, '{}')",
                params![id, i as i64],
            )
            .unwrap();
        }
        drop(conn);

        let store = SqliteStore::open(dir.path()).unwrap();
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());
        // Spans, from the core's fold of each timeline.
        let spans = store.outage_spans(&[ended, open, broken]).await.unwrap();
        let want_ended = OutageSpan::of(&Outage::fold(&timeline).unwrap());
        assert_eq!(spans.iter().find(|s| s.id == ended), Some(&want_ended));
        assert_eq!((want_ended.start, want_ended.end, want_ended.seq), (h(-2), Some(h(1)), 2));
        assert!(spans.iter().any(|s| s.id == open && s.end.is_none()));
        assert!(spans.iter().all(|s| s.id != broken), "a timeline that does not fold gets no span");
        let at = store.outage_spans_overlapping(h(-1), h(-1)).await.unwrap();
        assert_eq!(at.iter().map(|s| s.id).collect::<Vec<_>>(), vec![ended]);
        // The second correction is kept and listed; the first holds the link.
        let listed: Vec<(String, String)> = conn
            .prepare("SELECT table_name, row_id FROM legacy_exceptions ORDER BY table_name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            listed,
            vec![("log_entries".to_owned(), fix2.id.to_string()), ("outage_events".to_owned(), broken.to_string())]
        );
        assert_eq!(store.log_entries(&[ep]).await.unwrap().len(), 3, "nothing clinical is dropped");
        let holder: String = conn
            .query_row("SELECT id FROM log_entries WHERE supersedes = ?1", [old.id.to_string()], |r| r.get(0))
            .unwrap();
        assert_eq!(holder, fix1.id.to_string());
        let third = store.append_log_entry(entry(ep, Some(old.id), Vec::new()), audit("x")).await;
        assert!(matches!(third, Err(StoreError::Conflict(_))), "{third:?}");
        // Tags and parties, from the JSON.
        let of_open = store.episodes_of_outage(open, h(50), h(51)).await.unwrap();
        assert_eq!(of_open.len(), 1, "fix2 was tagged with the open outage");
        assert_eq!(store.episodes_naming(&OrgId::parse("hc-c").unwrap()).await.unwrap().len(), 1);
        assert!(store.episodes_naming(&OrgId::parse("psyk-c").unwrap()).await.unwrap().is_empty());
        // Chains, in (time, id) order: the next change must follow the latest.
        let stale = store.append_work_event(work(o, k, 9), Some(works[1].id), audit("w")).await;
        assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
        store.append_work_event(work(o, k, 9), Some(works[2].id), audit("w")).await.unwrap();
        let after: Option<String> =
            conn.query_row("SELECT after_id FROM checklist_ticks WHERE id = 't3'", [], |r| r.get(0)).unwrap();
        assert_eq!(after.as_deref(), Some("t2"));
        // The triggers are back.
        assert!(conn.execute("UPDATE log_entries SET entry = 'x'", []).is_err());
        assert!(conn.execute("UPDATE worklist_events SET event = 'x'", []).is_err());
        assert!(conn.execute("UPDATE checklist_ticks SET tick = 'x'", []).is_err());
        drop(store);
        // Opening again migrates nothing.
        let again = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(again.outage_spans(&[ended]).await.unwrap(), vec![want_ended]);
    }
}

/// The audit chain finds every way to tamper with the file (issue 19): a row
/// deleted, a row changed, the tail cut off (through a checkpoint taken
/// before), and a trigger dropped — each done as someone with the file would,
/// dropping the append-only trigger first and restoring it after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_with_the_audit_log_is_found() {
    use reserv_store::chain::{ChainBreak, Checkpoint, check_checkpoints, verify};
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let record = |n: usize| AuditRecord {
        id: EntryId(Uuid::now_v7()),
        at: "2026-11-23T08:00:00Z".parse().unwrap(),
        actor_id: None,
        actor: "demo-it".into(),
        org: None,
        action: "test.chain".into(),
        target: None,
        origin: "127.0.0.1".into(),
        detail: format!("post {n}"),
        node: store.node_id().to_owned(),
    };
    for n in 0..6 {
        store.append_audit(record(n)).await.unwrap();
    }
    let patient = reserv_store::AuditPatient { episode: EpisodeId(Uuid::now_v7()), patient: "19121212-1212".into() };
    store.append_read_audit(record(6), vec![patient.clone(), patient]).await.unwrap();
    let rows = store.audit_chain().await.unwrap();
    let report = verify(&rows);
    assert_eq!(report.broken, None);
    let node = store.node_id().to_owned();
    let head = report.heads.iter().find(|h| h.node == node).unwrap().clone();
    let key = b"checkpoint key from the environment";
    let checkpoint = Checkpoint::sign(&head, "2026-11-23T09:00:00Z", key);
    drop(store);

    let db = dir.path().join(DB_FILE);
    let tamper = |sql: &str| {
        let c = Connection::open(&db).unwrap();
        c.execute_batch(&format!(
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql};
             CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
             BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
             CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
             BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
        ))
        .unwrap();
    };
    let check = || {
        let store = SqliteStore::open(dir.path()).unwrap();
        let rt = tokio::runtime::Handle::current();
        let rows = tokio::task::block_in_place(|| rt.block_on(store.audit_chain())).unwrap();
        (verify(&rows).broken, check_checkpoints(&rows, std::slice::from_ref(&checkpoint)))
    };
    let seq_of = |detail: &str| -> i64 {
        Connection::open(&db)
            .unwrap()
            .query_row("SELECT chain_seq FROM audit_log WHERE detail = ?1", [detail], |r| r.get(0))
            .unwrap()
    };

    // A row changed in the middle: its hash no longer matches.
    let changed = seq_of("post 2");
    tamper("UPDATE audit_log SET actor = 'someone-else' WHERE detail = 'post 2'");
    assert!(matches!(check().0, Some(ChainBreak::Changed { seq, .. }) if seq as i64 == changed));
    tamper("UPDATE audit_log SET actor = 'demo-it' WHERE detail = 'post 2'");
    assert_eq!(check(), (None, None), "put back as it was, the chain holds again");

    // The read's patients are part of its link: one removed is found.
    let read = seq_of("post 6");
    {
        let c = Connection::open(&db).unwrap();
        c.execute_batch("DROP TRIGGER audit_patients_no_delete; DELETE FROM audit_patients;").unwrap();
    }
    assert!(matches!(check().0, Some(ChainBreak::Changed { seq, .. }) if seq as i64 == read));
    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(store.missing_audit_guards().await.unwrap(), vec!["audit_patients_no_delete".to_owned()]);
    drop(store);

    // A row deleted: its position is missing.
    let deleted = seq_of("post 3");
    tamper("DELETE FROM audit_log WHERE detail = 'post 3'");
    assert!(matches!(check().0, Some(ChainBreak::Missing { seq, .. }) if seq as i64 == deleted));

    // The tail cut off: the chain that is left holds, the checkpoint finds it.
    tamper(&format!("DELETE FROM audit_log WHERE node_id = '{node}' AND chain_seq >= {}", deleted));
    let (broken, cut) = check();
    assert_eq!(broken, None, "a cut tail is a valid shorter chain");
    assert_eq!(cut, Some(ChainBreak::Checkpoint { node, seq: head.seq }));
}
