//! The naive baseline: rows shaped like the event log inserted serially
//! into a plain SQLite file, one fsync'd transaction per row.

use super::*;

// ---------------------------------------------------------------------------
// The naive baseline

pub(crate) struct NaiveResult {
    pub(crate) rows: usize,
    pub(crate) elapsed: Duration,
    pub(crate) rate: f64,
    pub(crate) lat: Latency,
}

/// A small xorshift generator; ids only need to look random.
pub(crate) struct XorShift(pub(crate) u64);

impl XorShift {
    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub(crate) fn uuid_like(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }
}

pub(crate) fn naive_baseline(base: &Path, seconds: f64) -> Result<NaiveResult, String> {
    let dir = tempfile::Builder::new()
        .prefix("reserv-bench-naive-")
        .tempdir_in(base)
        .map_err(|e| format!("cannot create a temp dir in {}: {e}", base.display()))?;
    let sql = |e: rusqlite::Error| format!("naive baseline: {e}");
    let conn = rusqlite::Connection::open(dir.path().join("naive.sqlite3")).map_err(sql)?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).map_err(sql)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!("naive baseline: journal_mode is {mode}, not wal"));
    }
    conn.pragma_update(None, "synchronous", "FULL").map_err(sql)?;
    let sync: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0)).map_err(sql)?;
    if sync != 2 {
        return Err(format!("naive baseline: synchronous is {sync}, not FULL (2)"));
    }
    conn.execute_batch(
        "CREATE TABLE outage_events (
             id TEXT PRIMARY KEY,
             outage_id TEXT NOT NULL,
             seq INTEGER NOT NULL,
             at INTEGER NOT NULL,
             actor TEXT NOT NULL,
             change TEXT NOT NULL
         )",
    )
    .map_err(sql)?;
    let mut stmt = conn
        .prepare("INSERT INTO outage_events (id, outage_id, seq, at, actor, change) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .map_err(sql)?;
    let now = unix_now_secs();
    let mut change = serde_json::json!({
        "type": "declared",
        "system": "melior",
        "kind": "unplanned",
        "scope": "both",
        "start": rfc3339(now - 300),
        "expected_end": rfc3339(now + 3300),
        "notice": "",
    })
    .to_string();
    // Pad the notice so that the change is ~200 bytes, like a real one.
    let pad = 200usize.saturating_sub(change.len());
    change = change.replace("\"notice\":\"\"", &format!("\"notice\":\"{}\"", "x".repeat(pad)));

    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15 ^ u64::from(std::process::id()));
    let min = Duration::from_secs_f64(seconds);
    let max = Duration::from_secs_f64((seconds * NAIVE_MAX_FACTOR).max(30.0));
    let mut lat = Vec::with_capacity(NAIVE_MIN_ROWS * 2);
    let t0 = Instant::now();
    loop {
        let elapsed = t0.elapsed();
        if (elapsed >= min && lat.len() >= NAIVE_MIN_ROWS) || elapsed >= max {
            break;
        }
        let start = Instant::now();
        conn.execute_batch("BEGIN").map_err(sql)?;
        let at = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        stmt.execute(rusqlite::params![rng.uuid_like(), rng.uuid_like(), 0i64, at, DEMO_USER, change]).map_err(sql)?;
        conn.execute_batch("COMMIT").map_err(sql)?;
        lat.push(start.elapsed().as_micros() as u64);
    }
    let elapsed = t0.elapsed();
    let rows = lat.len();
    Ok(NaiveResult { rows, elapsed, rate: rows as f64 / elapsed.as_secs_f64(), lat: Latency::of(lat) })
}
