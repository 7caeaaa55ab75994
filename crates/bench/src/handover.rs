//! The handover-log scenario (`--scenario handover`).
//!
//! 1. **Logging calls.** On a fresh `serve --demo`, the ward (`demo-clinician`)
//!    registers `--clients × --episodes-per-client` episodes (synthetic test
//!    personnummer, birth numbers 980–989). Then `--clients` clients, each on
//!    its own keep-alive connection, log calls round robin over their own
//!    episodes (`POST /api/v1/episodes/{id}/entries`) for a warm-up and
//!    `--seconds`; only `201 Created` counts. The answer to a logged call is
//!    the whole episode view, so it grows with the episode's log: the report
//!    shows the mean response size in the first and the last second.
//! 2. **The ward view.** On another fresh server, the ward registers
//!    `--ward-episodes` episodes and logs calls (concurrently, round robin
//!    over the episodes) until the ward's episodes hold `--ward-entries` log
//!    entries in total, counting the demo's. Then, one request at a time on a
//!    keep-alive connection, after 2 warm-up requests, `--ward-requests` of
//!    each: `GET /api/v1/gaps`, `GET /api/v1/episodes`, the HTML page
//!    `GET /episodes` (logged in through the login form) and, for scale, one
//!    episode `GET /api/v1/episodes/{id}`. For comparison, the floor: the same
//!    rows read straight from the server's SQLite file and their JSON parsed
//!    and written out again, in this process.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::{
    Args, HttpConn, HttpResponse, HttpResult, Latency, NaiveResult, REQUEST_TIMEOUT, Server, ServerLogs, WARMUP,
    bearer, civil_from_days, closed_loop, cpu_rows, cpu_seconds, dir_listing, http_notes, kib_to_mib,
    machine_busy_seconds, median, opt_mib, proc_status_kib, push_line, request, request_expect, rfc3339, start_server,
    status_detail, truncate, unix_now_secs,
};

/// The ward's account in the demo data, and its partners.
pub(crate) const WARD_USER: &str = "demo-clinician";
const MUNICIPALITY: &str = "kommun-timra";
const PRIMARY_CARE: &str = "rvn-hc-timra";
/// Requests before the timed ones of each ward-view page.
const PAGE_WARMUP: usize = 2;
/// Attempts per setup request (registering, loading) on transport errors.
const SETUP_ATTEMPTS: usize = 3;

/// The calls that are logged, in turn: (direction, counterpart, messages).
pub(crate) const CALLS: [(&str, &str, &[&str]); 5] = [
    ("given", MUNICIPALITY, &["admission"]),
    ("given", PRIMARY_CARE, &["admission"]),
    ("given", MUNICIPALITY, &["estimated_discharge_date", "planning_information"]),
    ("received", MUNICIPALITY, &["current_services"]),
    ("given", PRIMARY_CARE, &["planning_information"]),
];

/// A synthetic personnummer from Skatteverket's test series (birth numbers
/// 980–989, never issued): ten per birth date from 1930-01-01 on.
fn synthetic_personnummer(i: usize) -> String {
    let (y, m, d) = civil_from_days(-14_610 + (i / 10) as i64);
    let n = 980 + i % 10;
    let check = luhn(&format!("{:02}{m:02}{d:02}{n:03}", y % 100));
    format!("{y:04}{m:02}{d:02}-{n:03}{check}")
}

/// The Luhn check digit of a string of digits (weights 2, 1, 2, …).
fn luhn(digits: &str) -> u32 {
    let sum: u32 = digits
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let v = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            v / 10 + v % 10
        })
        .sum();
    (10 - sum % 10) % 10
}

fn register_body(i: usize) -> Vec<u8> {
    serde_json::json!({
        "patient_id": synthetic_personnummer(i),
        "municipality": MUNICIPALITY,
        "primary_care": PRIMARY_CARE,
        "admitted_at": rfc3339(unix_now_secs() - 2 * 3600),
    })
    .to_string()
    .into_bytes()
}

pub(crate) fn entry_body(variant: usize) -> Vec<u8> {
    let (direction, org, messages) = CALLS[variant % CALLS.len()];
    serde_json::json!({
        "counterpart_name": "Bench Person",
        "counterpart_org": org,
        "direction": direction,
        "messages": messages,
        "comment": "bench",
    })
    .to_string()
    .into_bytes()
}

pub(crate) fn post(conn: &HttpConn, auth: &str, path: &str, body: &[u8]) -> Vec<u8> {
    conn.build("POST", path, &[("Authorization", auth), ("Content-Type", "application/json")], body)
}

pub(crate) fn get(conn: &HttpConn, path: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    conn.build("GET", path, headers, b"")
}

// ---------------------------------------------------------------------------
// Setup requests, as fast as they go

/// Requests sent to prepare a measurement, with their figures.
pub(crate) struct Batch {
    n: usize,
    elapsed: Duration,
    pub(crate) failures: u64,
    lat: Latency,
    samples: Vec<String>,
}

impl Batch {
    pub(crate) fn rate(&self) -> f64 {
        self.n as f64 / self.elapsed.as_secs_f64()
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "{} in {:.1} s = {:.0}/s, latency p50 / p99 / max {:.1} / {:.1} / {:.1} ms, {} failed",
            self.n,
            self.elapsed.as_secs_f64(),
            self.rate(),
            self.lat.p50_ms,
            self.lat.p99_ms,
            self.lat.max_ms,
            self.failures
        )
    }
}

/// Sends `jobs` over `clients` keep-alive connections, each connection taking
/// the next job as soon as it has its answer. A job is retried on transport
/// errors; a status other than `expect` is a failure. `keep` picks what to
/// keep of an answer (the body is dropped). Results are in job order.
pub(crate) async fn run_jobs<T: Send + 'static>(
    addr: std::net::SocketAddr,
    clients: usize,
    jobs: Vec<Vec<u8>>,
    expect: u16,
    keep: fn(&HttpResponse) -> Option<T>,
) -> (Vec<Option<T>>, Batch) {
    let n = jobs.len();
    let jobs = Arc::new(jobs);
    let next = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients.min(n) {
        let (jobs, next) = (jobs.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = HttpConn::new(addr);
            let (mut out, mut lat, mut samples) = (Vec::new(), Vec::new(), Vec::new());
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(req) = jobs.get(i) else { break };
                let mut kept = None;
                for _ in 0..SETUP_ATTEMPTS {
                    let start = Instant::now();
                    match tokio::time::timeout(REQUEST_TIMEOUT, conn.send(req)).await {
                        Ok(Ok(resp)) => {
                            lat.push(start.elapsed().as_micros() as u64);
                            if resp.status == expect {
                                kept = keep(&resp);
                            } else if samples.len() < 3 {
                                samples.push(format!(
                                    "{}: {}",
                                    resp.status,
                                    truncate(&String::from_utf8_lossy(&resp.body), 300)
                                ));
                            }
                            break;
                        }
                        Ok(Err(e)) => {
                            if samples.len() < 3 {
                                samples.push(format!("error: {e}"));
                            }
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                        Err(_) => {
                            conn.reset();
                            if samples.len() < 3 {
                                samples.push(format!("timeout after {REQUEST_TIMEOUT:?}"));
                            }
                        }
                    }
                }
                out.push((i, kept));
            }
            (out, lat, samples)
        }));
    }
    let mut results: Vec<Option<T>> = (0..n).map(|_| None).collect();
    let (mut lat, mut samples) = (Vec::with_capacity(n), Vec::new());
    for t in tasks {
        match t.await {
            Ok((out, l, s)) => {
                for (i, v) in out {
                    results[i] = v;
                }
                lat.extend(l);
                samples.extend(s);
            }
            Err(e) => samples.push(format!("a client task failed: {e}")),
        }
    }
    let failures = results.iter().filter(|r| r.is_none()).count() as u64;
    let batch = Batch { n, elapsed: t0.elapsed(), failures, lat: Latency::of(lat), samples };
    (results, batch)
}

fn episode_id(resp: &HttpResponse) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(&resp.body).ok()?;
    v["id"].as_str().map(str::to_owned)
}

/// Registers `n` episodes as the ward; their ids.
pub(crate) async fn register_episodes(
    addr: std::net::SocketAddr,
    auth: &str,
    clients: usize,
    first: usize,
    n: usize,
) -> Result<(Vec<String>, Batch), String> {
    let conn = HttpConn::new(addr);
    let jobs = (first..first + n).map(|i| post(&conn, auth, "/api/v1/episodes", &register_body(i))).collect();
    let (ids, batch) = run_jobs(addr, clients, jobs, 201, episode_id).await;
    let ids: Vec<String> = ids.into_iter().flatten().collect();
    if ids.len() != n {
        return Err(format!(
            "registering {n} episodes: {} failed (e.g. {})",
            n - ids.len(),
            batch.samples.first().map(String::as_str).unwrap_or("-")
        ));
    }
    Ok((ids, batch))
}

/// What the ward sees in `GET /api/v1/episodes`: (episodes, entries, gaps),
/// with the response size and the time it took.
struct WardCount {
    episodes: usize,
    entries: usize,
    gaps: usize,
    bytes: usize,
    ms: f64,
}

async fn ward_count(conn: &mut HttpConn, auth: &str) -> Result<WardCount, String> {
    let req = get(conn, "/api/v1/episodes", &[("Authorization", auth)]);
    let start = Instant::now();
    let resp = request_expect(conn, "GET /api/v1/episodes", &req, 200).await?;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let v: serde_json::Value =
        serde_json::from_slice(&resp.body).map_err(|e| format!("GET /api/v1/episodes is not JSON: {e}"))?;
    let list = v.as_array().ok_or("GET /api/v1/episodes is not a JSON array")?;
    let len = |e: &serde_json::Value, k: &str| e[k].as_array().map_or(0, Vec::len);
    Ok(WardCount {
        episodes: list.len(),
        entries: list.iter().map(|e| len(e, "entries")).sum(),
        gaps: list.iter().map(|e| len(e, "gaps")).sum(),
        bytes: resp.body.len(),
        ms,
    })
}

// ---------------------------------------------------------------------------
// The measurements

pub(crate) struct HandoverResult {
    clients: usize,
    episodes_per_client: usize,
    seconds: f64,
    /// Registering the logging run's episodes.
    log_setup: Batch,
    log: HttpResult,
    /// The ward's view after the logging run.
    log_after: WardCount,
    log_hwm_kib: Option<u64>,
    ward: WardResult,
}

struct WardResult {
    episodes_target: usize,
    entries_target: usize,
    /// The ward's view before loading (the demo data).
    before: WardCount,
    register: Batch,
    entries: Batch,
    after: WardCount,
    pages: Vec<Page>,
    floor: Option<Floor>,
    cpu: Option<TimedCpu>,
    /// Server RSS once loaded, before the timed requests.
    loaded_rss_kib: Option<u64>,
    rss_kib: Option<u64>,
    hwm_kib: Option<u64>,
    data_files: Vec<(String, u64)>,
}

/// Sequential timings of one page.
pub(crate) struct Page {
    pub(crate) label: String,
    /// Why the page was not measured.
    pub(crate) skipped: Option<String>,
    /// Milliseconds to the whole response / to its head.
    pub(crate) total_ms: Vec<f64>,
    pub(crate) head_ms: Vec<f64>,
    pub(crate) bytes: usize,
    /// Server CPU seconds over the timed requests.
    pub(crate) server_cpu: Option<f64>,
    pub(crate) non200: std::collections::BTreeMap<u16, u64>,
}

/// CPU seconds used while the ward view was timed.
struct TimedCpu {
    secs: f64,
    server: f64,
    client: f64,
    machine: f64,
}

/// The same rows read without the server.
struct Floor {
    /// Milliseconds to read them and copy the stored JSON out verbatim…
    copy_ms: Vec<f64>,
    /// …and to read them, parse and write each row's JSON again.
    json_ms: Vec<f64>,
    rows: usize,
    bytes: usize,
}

pub(crate) fn run(
    rt: &tokio::runtime::Runtime,
    bin: &Path,
    tmp: &Path,
    args: &Args,
    logs: &mut ServerLogs,
) -> Result<HandoverResult, String> {
    let (server, _) = start_server(bin, tmp)?;
    eprintln!(
        "handover: logging calls, {} clients × {} episodes each, {:.0} s warm-up, {:.0} s measured …",
        args.clients,
        args.episodes_per_client,
        WARMUP.as_secs_f64(),
        args.seconds
    );
    let r = rt.block_on(logging(&server, args));
    let log_hwm_kib = proc_status_kib(server.pid(), "VmHWM").ok();
    logs.add(server.finish());
    let (log_setup, log, log_after) = r?;
    eprintln!("handover: {:.0} calls/s", log.rate);

    let (server, _) = start_server(bin, tmp)?;
    eprintln!("handover: ward view, loading {} episodes and {} entries …", args.ward_episodes, args.ward_entries);
    let r = rt.block_on(ward_view(&server, args));
    let (rss_kib, hwm_kib) = (proc_status_kib(server.pid(), "VmRSS").ok(), proc_status_kib(server.pid(), "VmHWM").ok());
    let data_files = dir_listing(&server.dir.path().join("data"));
    logs.add(server.finish());
    let mut ward = r?;
    (ward.rss_kib, ward.hwm_kib, ward.data_files) = (rss_kib, hwm_kib, data_files);
    Ok(HandoverResult {
        clients: args.clients,
        episodes_per_client: args.episodes_per_client,
        seconds: args.seconds,
        log_setup,
        log,
        log_after,
        log_hwm_kib,
        ward,
    })
}

async fn logging(server: &Server, args: &Args) -> Result<(Batch, HttpResult, WardCount), String> {
    let addr = server.addr;
    let auth = bearer(addr, WARD_USER).await?;
    let n = args.clients * args.episodes_per_client;
    let (ids, setup) = register_episodes(addr, &auth, args.clients, 0, n).await?;
    eprintln!("handover: registered {n} episodes: {}", setup.describe());
    let mut conn = HttpConn::new(addr);
    // One call first, so that an API change fails loudly.
    let probe = post(&conn, &auth, &format!("/api/v1/episodes/{}/entries", ids[0]), &entry_body(0));
    request_expect(&mut conn, "POST /api/v1/episodes/{id}/entries", &probe, 201).await?;
    let per_client = ids
        .chunks(args.episodes_per_client)
        .map(|mine| {
            let mut reqs = Vec::new();
            for round in 0..CALLS.len() {
                for id in mine {
                    reqs.push(post(&conn, &auth, &format!("/api/v1/episodes/{id}/entries"), &entry_body(round)));
                }
            }
            reqs
        })
        .collect();
    let log =
        closed_loop(addr, server.pid(), per_client, 201, std::time::Duration::from_secs_f64(args.seconds)).await?;
    let after = ward_count(&mut conn, &auth).await?;
    Ok((setup, log, after))
}

async fn ward_view(server: &Server, args: &Args) -> Result<WardResult, String> {
    let addr = server.addr;
    let auth = bearer(addr, WARD_USER).await?;
    let mut conn = HttpConn::new(addr);
    let before = ward_count(&mut conn, &auth).await?;
    let (ids, register) = register_episodes(addr, &auth, args.clients, 0, args.ward_episodes).await?;
    eprintln!("handover: registered {} episodes: {}", ids.len(), register.describe());

    // Round robin over the episodes, so that they fill up evenly.
    let need = args.ward_entries.saturating_sub(before.entries);
    let jobs: Vec<Vec<u8>> = (0..need)
        .map(|k| {
            let (round, i) = (k / ids.len(), k % ids.len());
            post(&conn, &auth, &format!("/api/v1/episodes/{}/entries", ids[i]), &entry_body(round + i))
        })
        .collect();
    let (_, entries) = run_jobs(addr, args.clients, jobs, 201, |_| Some(())).await;
    eprintln!("handover: logged {need} calls: {}", entries.describe());
    let after = ward_count(&mut conn, &auth).await?;
    eprintln!(
        "handover: the ward sees {} episodes, {} entries, {} open gaps",
        after.episodes, after.entries, after.gaps
    );

    let loaded_rss_kib = proc_status_kib(server.pid(), "VmRSS").ok();
    let pid = server.pid().to_string();
    let sample = || (Instant::now(), cpu_seconds(&pid), cpu_seconds("self"), machine_busy_seconds());
    let cpu0 = sample();
    let mut pages = Vec::new();
    let bearer_h = [("Authorization", auth.as_str())];
    for (label, path) in [
        ("`GET /api/v1/gaps` (JSON)", "/api/v1/gaps".to_owned()),
        ("`GET /api/v1/episodes` (JSON)", "/api/v1/episodes".to_owned()),
        ("`GET /api/v1/episodes/{id}`, one episode (JSON)", format!("/api/v1/episodes/{}", ids[0])),
    ] {
        let req = get(&conn, &path, &bearer_h);
        pages.push(time_page(&mut conn, server.pid(), label, &req, args.ward_requests).await);
    }
    let label = "`GET /episodes` (HTML page, browser session)";
    match browser_session(addr).await {
        Ok(cookie) => {
            let cookie = format!("reserv_session={cookie}");
            let req = get(&conn, "/episodes", &[("Cookie", &cookie)]);
            pages.push(time_page(&mut conn, server.pid(), label, &req, args.ward_requests).await);
        }
        Err(e) => pages.push(Page::skipped(label, e)),
    }
    let floor = match floor(&server.dir.path().join("data").join("reserv.sqlite3"), args.ward_requests) {
        Ok(f) => Some(f),
        Err(e) => {
            eprintln!("handover: the raw SQLite floor could not be measured: {e}");
            None
        }
    };
    let cpu1 = sample();
    let cpu = (|| {
        Some(TimedCpu {
            secs: cpu1.0.duration_since(cpu0.0).as_secs_f64(),
            server: cpu1.1? - cpu0.1?,
            client: cpu1.2? - cpu0.2?,
            machine: cpu1.3? - cpu0.3?,
        })
    })();
    Ok(WardResult {
        episodes_target: args.ward_episodes,
        entries_target: args.ward_entries,
        before,
        register,
        entries,
        after,
        pages,
        floor,
        cpu,
        loaded_rss_kib,
        rss_kib: None,
        hwm_kib: None,
        data_files: Vec::new(),
    })
}

impl Page {
    fn skipped(label: &str, why: String) -> Page {
        Page {
            label: label.to_owned(),
            skipped: Some(why),
            total_ms: Vec::new(),
            head_ms: Vec::new(),
            bytes: 0,
            server_cpu: None,
            non200: Default::default(),
        }
    }
}

/// `PAGE_WARMUP` requests, then `n` timed ones, one at a time.
pub(crate) async fn time_page(conn: &mut HttpConn, server_pid: u32, label: &str, req: &[u8], n: usize) -> Page {
    let mut page = Page::skipped(label, String::new());
    page.skipped = None;
    for _ in 0..PAGE_WARMUP {
        if let Err(e) = request(conn, label, req).await {
            return Page::skipped(label, e);
        }
    }
    let pid = server_pid.to_string();
    let cpu0 = cpu_seconds(&pid);
    for _ in 0..n {
        let start = Instant::now();
        match request(conn, label, req).await {
            Ok(resp) if resp.status == 200 => {
                page.total_ms.push(start.elapsed().as_secs_f64() * 1000.0);
                page.head_ms.push(resp.head_at.duration_since(start).as_secs_f64() * 1000.0);
                page.bytes = resp.body.len();
            }
            Ok(resp) => *page.non200.entry(resp.status).or_default() += 1,
            Err(e) => return Page::skipped(label, e),
        }
    }
    page.server_cpu = cpu_seconds(&pid).zip(cpu0).map(|(b, a)| b - a);
    if page.total_ms.is_empty() {
        return Page::skipped(label, format!("no 200 among {n} requests ({:?})", page.non200));
    }
    eprintln!("handover: {label}: median {:.1} ms, {} bytes", median(&page.total_ms), page.bytes);
    page
}

/// Logs in through the login form (with a CSRF token of our own making, sent
/// as cookie and as form field, as a browser would); the session cookie.
async fn browser_session(addr: std::net::SocketAddr) -> Result<String, String> {
    let csrf: String = {
        let mut rng = crate::XorShift(0x2545_F491_4F6C_DD1D ^ u64::from(std::process::id()));
        (0..4).map(|_| format!("{:016x}", rng.next())).collect()
    };
    let mut conn = HttpConn::new(addr);
    let body = format!("csrf={csrf}&username={WARD_USER}&password={}", crate::DEMO_PASSWORD);
    let cookie = format!("reserv_csrf={csrf}");
    let req = conn.build(
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", &cookie)],
        body.as_bytes(),
    );
    let resp = request(&mut conn, "POST /login", &req).await?;
    if resp.status != 303 {
        return Err(format!("POST /login answered {} instead of 303", resp.status));
    }
    resp.cookie("reserv_session").filter(|c| !c.is_empty()).ok_or_else(|| "POST /login set no session cookie".into())
}

/// Reads every episode event and log entry straight from the server's
/// SQLite file, in two ways: copying each row's stored JSON out verbatim, and
/// parsing it (into `serde_json::Value`) and writing it out again. What any
/// implementation that reads the whole log costs at the least, without and
/// with a JSON round trip per row.
fn floor(db: &Path, n: usize) -> Result<Floor, String> {
    let sql = |e: rusqlite::Error| format!("{}: {e}", db.display());
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql)?;
    let mut f = Floor { copy_ms: Vec::new(), json_ms: Vec::new(), rows: 0, bytes: 0 };
    for i in 0..n + PAGE_WARMUP {
        for reencode in [false, true] {
            let start = Instant::now();
            let mut out = Vec::new();
            let mut rows = 0;
            for q in [
                "SELECT change FROM episode_events ORDER BY episode_id, seq",
                "SELECT entry FROM log_entries ORDER BY episode_id, at, id",
            ] {
                let mut stmt = conn.prepare_cached(q).map_err(sql)?;
                let mut it = stmt.query([]).map_err(sql)?;
                while let Some(row) = it.next().map_err(sql)? {
                    let text = row.get_ref(0).map_err(sql)?.as_str().map_err(|e| format!("row: {e}"))?;
                    if reencode {
                        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("row JSON: {e}"))?;
                        serde_json::to_writer(&mut out, &v).map_err(|e| format!("JSON: {e}"))?;
                    } else {
                        out.extend_from_slice(text.as_bytes());
                    }
                    out.push(b',');
                    rows += 1;
                }
            }
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            (f.rows, f.bytes) = (rows, out.len());
            if i >= PAGE_WARMUP {
                if reencode { f.json_ms.push(ms) } else { f.copy_ms.push(ms) }
            }
        }
    }
    Ok(f)
}

// ---------------------------------------------------------------------------
// The report

/// Nearest-rank percentile of milliseconds.
fn pct(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return f64::NAN;
    }
    s[((q * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1]
}

fn kib(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.2} MiB", bytes / (1024.0 * 1024.0))
    } else {
        format!("{:.1} KiB", bytes / 1024.0)
    }
}

impl HandoverResult {
    pub(crate) fn markdown(&self, o: &mut String, n: &NaiveResult) {
        let h = &self.log;
        let episodes = self.clients * self.episodes_per_client;
        let non201: u64 = h.non201.values().sum();
        let mean_size = |i: usize| match (h.per_second.get(i), h.bytes_per_second.get(i)) {
            (Some(&c), Some(&b)) if c > 0 => kib(b as f64 / c as f64),
            _ => "n/a".into(),
        };
        let last = h.per_second.len().min(h.window.as_secs() as usize).max(1) - 1;
        push_line(o, "### Handover log: logging calls");
        push_line(o, "");
        push_line(o, "| Measure | Result |");
        push_line(o, "|---|---|");
        push_line(
            o,
            format!(
                "| Logging calls, {} clients, each round robin over {} episodes of its own (`POST /api/v1/episodes/{{id}}/entries`) | **{:.0} calls/s** ({} × 201 in {:.1} s) |",
                self.clients,
                self.episodes_per_client,
                h.rate,
                h.ok,
                h.window.as_secs_f64()
            ),
        );
        push_line(
            o,
            format!(
                "| Latency p50 / p99 / max (mean) | {:.2} / **{:.2}** / {:.2} ms ({:.2} ms) |",
                h.lat.p50_ms, h.lat.p99_ms, h.lat.max_ms, h.lat.mean_ms
            ),
        );
        push_line(
            o,
            format!(
                "| Non-201 responses / transport errors (incl. warm-up) | {non201}{} / {} |",
                status_detail(&h.non201),
                h.errors
            ),
        );
        push_line(
            o,
            format!(
                "| Response (the whole episode view): mean size in the first / last second; largest | {} / {}; {} |",
                mean_size(0),
                mean_size(last),
                kib(h.max_bytes as f64)
            ),
        );
        cpu_rows(o, h, "call");
        naive_rows_short(o, n);
        push_line(o, format!("| Ratio calls/s / naive rows/s | **{:.1}×** |", h.rate / n.rate));
        push_line(
            o,
            format!(
                "| Setup: registering the {episodes} episodes (`POST /api/v1/episodes`, {} clients) | {} |",
                self.clients,
                self.log_setup.describe()
            ),
        );
        let a = &self.log_after;
        push_line(
            o,
            format!(
                "| After the run: the ward's episodes / log entries (≈ per logging episode) | {} / {} (≈ {:.0}) |",
                a.episodes,
                a.entries,
                a.entries as f64 / episodes as f64
            ),
        );
        push_line(
            o,
            format!("| After the run: one `GET /api/v1/episodes` | {:.0} ms, {} |", a.ms, kib(a.bytes as f64)),
        );
        push_line(o, format!("| Server peak RSS (VmHWM) | {} |", opt_mib(self.log_hwm_kib)));
        push_line(o, "");
        push_line(
            o,
            format!(
                "{} s measured after {:.0} s warm-up ({} calls during warm-up not counted). Every call is an entry of the demo's ongoing outage.",
                self.seconds,
                WARMUP.as_secs_f64(),
                h.warmup_ok
            ),
        );
        http_notes(o, h, "call");
        push_line(o, "");
        self.ward.markdown(o);
    }
}

/// The naive baseline in one row.
fn naive_rows_short(o: &mut String, n: &NaiveResult) {
    push_line(
        o,
        format!(
            "| Naive baseline, same run (serial, 1 transaction + fsync per row) | **{:.0} rows/s**, p50 / p99 {:.2} / {:.2} ms |",
            n.rate, n.lat.p50_ms, n.lat.p99_ms
        ),
    );
}

impl WardResult {
    fn markdown(&self, o: &mut String) {
        let a = &self.after;
        push_line(o, "### Handover log: the ward view");
        push_line(o, "");
        push_line(
            o,
            format!(
                "The ward (`{WARD_USER}`) sees {} episodes with **{} log entries** and {} open gaps (target {} entries; the demo data had {} episodes, {} entries). Loading: {} episodes registered ({}); {} calls logged ({}).",
                a.episodes,
                a.entries,
                a.gaps,
                self.entries_target,
                self.before.episodes,
                self.before.entries,
                self.episodes_target,
                self.register.describe(),
                self.entries.n,
                self.entries.describe()
            ),
        );
        for s in self.register.samples.iter().chain(&self.entries.samples).take(3) {
            push_line(o, format!("Loading failure: `{}`", truncate(s, 200)));
        }
        push_line(o, "");
        let n = self.pages.iter().map(|p| p.total_ms.len()).max().unwrap_or(0);
        push_line(
            o,
            format!(
                "| One request at a time, keep-alive, {n} timed after {PAGE_WARMUP} warm-up | Median | p95 | Max | Median to response head | Server CPU per request | Response |"
            ),
        );
        push_line(o, "|---|---|---|---|---|---|---|");
        for p in &self.pages {
            if let Some(why) = &p.skipped {
                push_line(o, format!("| {} | not measured: {} | | | | | |", p.label, truncate(why, 150)));
                continue;
            }
            let bad: u64 = p.non200.values().sum();
            push_line(
                o,
                format!(
                    "| {}{} | **{:.1} ms** | {:.1} ms | {:.1} ms | {:.1} ms | {} | {} |",
                    p.label,
                    if bad > 0 { format!(" ({bad} non-200{})", status_detail(&p.non200)) } else { String::new() },
                    median(&p.total_ms),
                    pct(&p.total_ms, 0.95),
                    pct(&p.total_ms, 1.0),
                    median(&p.head_ms),
                    match p.server_cpu {
                        // /proc counts CPU time in 10 ms ticks.
                        Some(c) if c > 0.0 => format!("{:.1} ms", c * 1000.0 / p.total_ms.len() as f64),
                        Some(_) if !p.total_ms.is_empty() => format!("< {:.1} ms", 10.0 / p.total_ms.len() as f64),
                        _ => "n/a".into(),
                    },
                    kib(p.bytes as f64)
                ),
            );
        }
        if let Some(f) = &self.floor {
            for (what, ms) in [
                ("read from the SQLite file, stored JSON copied out verbatim", &f.copy_ms),
                ("read from the SQLite file, JSON parsed and written again", &f.json_ms),
            ] {
                push_line(
                    o,
                    format!(
                        "| Floor, no server: the same {} rows (episode events, log entries) {what} | **{:.1} ms** | {:.1} ms | {:.1} ms | | | {} |",
                        f.rows,
                        median(ms),
                        pct(ms, 0.95),
                        pct(ms, 1.0),
                        kib(f.bytes as f64)
                    ),
                );
            }
        }
        if let Some(c) = &self.cpu {
            push_line(o, "");
            push_line(
                o,
                format!(
                    "While these were timed ({:.1} s): server {:.2} cores, load generator {:.2} cores, other processes {:.2} cores (noise).",
                    c.secs,
                    c.server / c.secs,
                    c.client / c.secs,
                    ((c.machine - c.server - c.client) / c.secs).max(0.0)
                ),
            );
        }
        push_line(o, "");
        push_line(
            o,
            format!(
                "Server RSS once loaded / after the timed requests / peak (VmHWM): {} / {} / {}. Data directory: {}.",
                opt_mib(self.loaded_rss_kib),
                self.rss_kib.map(|k| format!("{:.1} MiB", kib_to_mib(k))).unwrap_or_else(|| "n/a".into()),
                opt_mib(self.hwm_kib),
                self.data_files
                    .iter()
                    .map(|(n, b)| format!("`{n}` {:.1} MiB", *b as f64 / (1024.0 * 1024.0)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        push_line(o, "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_numbers_are_valid_test_numbers() {
        assert_eq!(luhn("380412981"), 9);
        assert_eq!(synthetic_personnummer(0), "19300101-9805");
        for i in [0, 9, 10, 4321, 9999] {
            let p = synthetic_personnummer(i);
            let digits: String = p[2..].chars().filter(char::is_ascii_digit).collect();
            assert_eq!(digits.len(), 10, "{p}");
            assert!(p[9..12].starts_with("98"), "{p}");
            assert_eq!(luhn(&digits[..9]), digits[9..].parse::<u32>().unwrap(), "{p}");
        }
    }

    #[test]
    fn percentiles_of_milliseconds() {
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!((pct(&v, 0.95), pct(&v, 1.0)), (19.0, 20.0));
    }
}
