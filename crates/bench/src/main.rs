//! `reserv-bench`: the numbers in `BENCHMARKS.md`.
//!
//! ```text
//! cargo build --release -p reserv -p reserv-bench
//! cargo run --release -p reserv-bench -- [--scenario outages|handover|reconcile|past-outages|recipients|all] [--bin target/release/reserv]
//!                                        [--clients 64] [--seconds 10] [--cold-runs 5] [--tmpdir DIR]
//!                                        [--episodes-per-client 8] [--ward-entries 10000]
//!                                        [--ward-episodes 500] [--ward-requests 20]
//!                                        [--policy FILE] [--reconcile-episodes 60000]
//!                                        [--reconcile-calls 1000000] [--reconcile-runs 5]
//!                                        [--past-outages 25000] [--past-calls 50]
//!                                        [--recipients-persons 8000] [--recipients-runs 5]
//! ```
//!
//! The scenario `recipients` (see the module [`recipients`]) times
//! `reserv notifications check --recipients` on a generated file; it needs no
//! server and `all` leaves it out.
//!
//! The scenario `past-outages` (see the module [`past_outages`]) compares
//! logging calls, the outage list and the status pages on a fresh server and
//! on one holding `--past-outages` ended outages; `all` leaves it out.
//!
//! The scenario `reconcile` (the back-entry engine on a synthetic national
//! outage, see the module [`reconcile`]) needs no server; on its own it
//! skips the server binary and the naive baseline, and `all` runs it last.
//!
//! The scenario `outages` (items 1, 2, 3 and 5 below) and the scenario
//! `handover` (the handover log, see the module [`handover`]) each run on
//! fresh servers; the naive baseline (item 4) runs in both, once. `all` (the
//! default) runs both, then `reconcile`. What the outages scenario measures, in this order, all
//! against `127.0.0.1` only:
//!
//! 1. **Binary size** of the server binary.
//! 2. **Cold start**: spawn `reserv serve --demo --listen 127.0.0.1:0 --data
//!    FRESH_DIR`, time from spawn until the first `GET /healthz` answers 200
//!    (polled every ~5 ms, each poll on a fresh connection). Includes creating
//!    the database and loading the demo data. Median of `--cold-runs` runs.
//! 3. **Idle RSS**: `VmRSS` of a healthy server after ~1 s idle, on its first
//!    start on a fresh directory and again after a restart on the same data
//!    (which also times one warm restart).
//! 4. **Naive baseline**: one SQLite file (WAL, `synchronous=FULL`), rows
//!    shaped like the event log inserted serially, one transaction (so one
//!    fsync) per row: what "every write durable" costs without batching.
//! 5. **Durable writes over HTTP**: `--clients` concurrent clients, each on its
//!    own keep-alive HTTP/1.1 connection (a minimal client written here on
//!    tokio's `TcpStream`), each looping `POST /api/v1/outages` (a timeline
//!    entry and an audit record in one transaction, acknowledged only once
//!    fsync'd). After a 1 s warm-up, every request completing inside the
//!    measurement window is counted; only `201 Created` is a success.
//!
//! Alongside, for reading the numbers: CPU used in the window by the server,
//! by the load generator and by everything else on the machine (from `/proc`),
//! writes per second of the window, and the server's stderr sifted for
//! `ERROR`/`WARN` lines.
//!
//! The report is a Markdown table on standard output (progress goes to
//! standard error), with the ratio HTTP/naive and whether the goals (≥ 10×
//! the naive rate, p99 ≤ 50 ms) were met. Goals are reported, never asserted:
//! the exit status is non-zero only when the benchmark itself could not run.
//!
//! The load generator runs on a single-threaded tokio runtime so that it takes
//! at most one core away from the server on small machines.

mod handover;
mod http;
mod load;
mod naive;
mod past_outages;
mod recipients;
mod reconcile;
mod report;
mod server;

use http::*;
use load::*;
use naive::*;
use report::*;
use server::*;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream as StdTcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long the server may take to print its address or become healthy.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// Interval between `/healthz` polls.
const POLL_INTERVAL: Duration = Duration::from_millis(5);
/// Warm-up before the HTTP measurement window opens.
const WARMUP: Duration = Duration::from_secs(1);
/// Upper bound for one HTTP request (connect, send, full response).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The naive baseline writes at least this many rows…
const NAIVE_MIN_ROWS: usize = 2000;
/// …but never runs longer than this many times `--seconds` (and 30 s).
const NAIVE_MAX_FACTOR: f64 = 3.0;
/// The largest response head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// The goals from the issue.
const GOAL_RATIO: f64 = 10.0;
const GOAL_P99_MS: f64 = 50.0;

const DEMO_USER: &str = "demo-it";
const DEMO_PASSWORD: &str = "reserv-demo";
const MISSING_BIN: &str = "build it first with cargo build --release -p reserv";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reserv-bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------
// Command line

/// Which measurements to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// Binary size, cold start, RSS, `POST /api/v1/outages`.
    Outages,
    /// Logging calls in the handover log, the ward view at 10 000 entries.
    Handover,
    /// The back-entry engine on 1 000 000 log entries; no server.
    Reconcile,
    /// Logging calls and the status pages, empty store against 25 000 past outages.
    PastOutages,
    /// `reserv notifications check --recipients` on a large file; no server.
    Recipients,
    /// Outages, handover and reconcile (not past-outages, not recipients).
    All,
}

impl Scenario {
    fn outages(self) -> bool {
        matches!(self, Scenario::Outages | Scenario::All)
    }

    fn handover(self) -> bool {
        matches!(self, Scenario::Handover | Scenario::All)
    }

    fn reconcile(self) -> bool {
        matches!(self, Scenario::Reconcile | Scenario::All)
    }

    fn past_outages(self) -> bool {
        matches!(self, Scenario::PastOutages)
    }
}

struct Args {
    bin: Option<PathBuf>,
    scenario: Scenario,
    clients: usize,
    seconds: f64,
    cold_runs: usize,
    tmpdir: Option<PathBuf>,
    episodes_per_client: usize,
    ward_entries: usize,
    ward_episodes: usize,
    ward_requests: usize,
    policy: Option<PathBuf>,
    reconcile_episodes: usize,
    reconcile_calls: usize,
    reconcile_runs: usize,
    past_outages: usize,
    past_calls: usize,
    recipients_persons: usize,
    recipients_runs: usize,
}

const USAGE: &str =
    "usage: reserv-bench [--scenario outages|handover|reconcile|past-outages|recipients|all] [--bin PATH] [--clients N] [--seconds S]
                    [--cold-runs N] [--tmpdir DIR] [--episodes-per-client N]
                    [--ward-entries N] [--ward-episodes N] [--ward-requests N]
                    [--policy FILE] [--reconcile-episodes N] [--reconcile-calls N] [--reconcile-runs N]
                    [--past-outages N] [--past-calls N] [--recipients-persons N] [--recipients-runs N]

  --scenario S    outages: binary size, cold start, RSS, POST /api/v1/outages;
                  handover: logging calls (POST /api/v1/episodes/{id}/entries) and the ward view;
                  reconcile: the back-entry engine on a synthetic national outage (no server,
                  no naive baseline);
                  past-outages: logging calls, the outage list and the status pages on an empty
                  store and on one holding --past-outages ended outages;
                  recipients: reserv notifications check --recipients on a generated file (no server);
                  all (default): outages, handover and reconcile. The naive baseline runs in every
                  scenario but reconcile.
  --bin PATH      the server binary (default: target/release/reserv)
  --clients N     concurrent HTTP clients (default 64)
  --seconds S     length of each HTTP write measurement and of the naive baseline (default 10)
  --cold-runs N   cold starts to take the median of (default 5)
  --tmpdir DIR    where the fresh data directories are created (default: the system temp dir);
                  must be a real disk, fsync on tmpfs costs nothing
  --episodes-per-client N   episodes each client logs calls for, round robin (default 8)
  --ward-entries N          log entries of the ward's episodes for the ward view (default 10000)
  --ward-episodes N         episodes those entries are spread over (default 500)
  --ward-requests N         timed requests per ward-view page, after 2 warm-up requests (default 20)
  --policy FILE             reconcile: the back-entry policy
                            (default data/policies/lifecare-sp-vasternorrland-2025.toml)
  --reconcile-episodes N    reconcile: episodes of the synthetic outage (default 60000)
  --reconcile-calls N       reconcile: log entries (calls) spread over them (default 1000000)
  --reconcile-runs N        reconcile: timed rounds, after one untimed engine run (default 5)
  --past-outages N          past-outages: ended outages loaded before the second measurement (default 25000)
  --past-calls N            past-outages: calls timed one at a time, after 2 warm-up calls (default 50)
  --recipients-persons N    recipients: people in the generated recipients file (default 8000)
  --recipients-runs N       recipients: timed rounds, after one untimed run (default 5)";

fn parse_args(raw: Vec<String>) -> Result<Option<Args>, String> {
    let mut a = Args {
        bin: None,
        scenario: Scenario::All,
        clients: 64,
        seconds: 10.0,
        cold_runs: 5,
        tmpdir: None,
        episodes_per_client: 8,
        ward_entries: 10_000,
        ward_episodes: 500,
        ward_requests: 20,
        policy: None,
        reconcile_episodes: 60_000,
        reconcile_calls: 1_000_000,
        reconcile_runs: 5,
        past_outages: 25_000,
        past_calls: 50,
        recipients_persons: 8_000,
        recipients_runs: 5,
    };
    let mut it = raw.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            let _ = writeln!(std::io::stdout(), "{USAGE}");
            return Ok(None);
        }
        let mut value = || inline.clone().or_else(|| it.next()).ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--bin" => a.bin = Some(PathBuf::from(value()?)),
            "--tmpdir" => a.tmpdir = Some(PathBuf::from(value()?)),
            "--clients" => a.clients = parse_num(&flag, &value()?)?,
            "--cold-runs" => a.cold_runs = parse_num(&flag, &value()?)?,
            "--episodes-per-client" => a.episodes_per_client = parse_num(&flag, &value()?)?,
            "--ward-entries" => a.ward_entries = parse_num(&flag, &value()?)?,
            "--ward-episodes" => a.ward_episodes = parse_num(&flag, &value()?)?,
            "--ward-requests" => a.ward_requests = parse_num(&flag, &value()?)?,
            "--policy" => a.policy = Some(PathBuf::from(value()?)),
            "--reconcile-episodes" => a.reconcile_episodes = parse_num(&flag, &value()?)?,
            "--reconcile-calls" => a.reconcile_calls = parse_num(&flag, &value()?)?,
            "--reconcile-runs" => a.reconcile_runs = parse_num(&flag, &value()?)?,
            "--past-outages" => a.past_outages = parse_num(&flag, &value()?)?,
            "--past-calls" => a.past_calls = parse_num(&flag, &value()?)?,
            "--recipients-persons" => a.recipients_persons = parse_num(&flag, &value()?)?,
            "--recipients-runs" => a.recipients_runs = parse_num(&flag, &value()?)?,
            "--scenario" => {
                a.scenario = match value()?.as_str() {
                    "outages" => Scenario::Outages,
                    "handover" => Scenario::Handover,
                    "reconcile" => Scenario::Reconcile,
                    "past-outages" => Scenario::PastOutages,
                    "recipients" => Scenario::Recipients,
                    "all" => Scenario::All,
                    other => {
                        return Err(format!(
                            "--scenario: expected outages, handover, reconcile, past-outages, recipients or all, got {other:?}"
                        ));
                    }
                }
            }
            "--seconds" => {
                let v = value()?;
                a.seconds =
                    v.parse().ok().filter(|s: &f64| s.is_finite() && *s > 0.0 && *s <= 3600.0).ok_or_else(|| {
                        format!("--seconds: expected a number of seconds between 0 and 3600, got {v:?}")
                    })?;
            }
            _ => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
        }
    }
    if a.clients == 0 || a.clients > 4096 {
        return Err("--clients must be between 1 and 4096".into());
    }
    if a.cold_runs == 0 || a.cold_runs > 100 {
        return Err("--cold-runs must be between 1 and 100".into());
    }
    if a.episodes_per_client == 0 || a.episodes_per_client > 1000 {
        return Err("--episodes-per-client must be between 1 and 1000".into());
    }
    if a.ward_episodes == 0 || a.ward_episodes > 100_000 {
        return Err("--ward-episodes must be between 1 and 100000".into());
    }
    if a.ward_entries > 1_000_000 {
        return Err("--ward-entries must be at most 1000000".into());
    }
    if a.ward_requests == 0 || a.ward_requests > 10_000 {
        return Err("--ward-requests must be between 1 and 10000".into());
    }
    if a.reconcile_episodes == 0 || a.reconcile_episodes > 10_000_000 {
        return Err("--reconcile-episodes must be between 1 and 10000000".into());
    }
    if a.reconcile_calls > 100_000_000 {
        return Err("--reconcile-calls must be at most 100000000".into());
    }
    if a.past_outages == 0 || a.past_outages > 200_000 {
        return Err("--past-outages must be between 1 and 200000".into());
    }
    if a.past_calls == 0 || a.past_calls > 100_000 {
        return Err("--past-calls must be between 1 and 100000".into());
    }
    if a.recipients_persons == 0 || a.recipients_persons > 1_000_000 {
        return Err("--recipients-persons must be between 1 and 1000000".into());
    }
    if a.recipients_runs == 0 || a.recipients_runs > 100 {
        return Err("--recipients-runs must be between 1 and 100".into());
    }
    if a.reconcile_runs == 0 || a.reconcile_runs > 100 {
        return Err("--reconcile-runs must be between 1 and 100".into());
    }
    Ok(Some(a))
}

fn parse_num(flag: &str, v: &str) -> Result<usize, String> {
    v.parse().map_err(|_| format!("{flag}: expected a whole number, got {v:?}"))
}

/// The server binary: `--bin`, else the release `reserv` next to this binary,
/// else `target/release/reserv` relative to the working directory.
fn resolve_bin(given: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(p) = given {
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!("the server binary {} does not exist: {MISSING_BIN}", p.display()))
        };
    }
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
        if dir.file_name().is_some_and(|n| n == "release") {
            candidates.push(dir.join("reserv"));
        }
        if let Some(target) = dir.parent() {
            candidates.push(target.join("release").join("reserv"));
        }
    }
    candidates.push(PathBuf::from("target/release/reserv"));
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| format!("no server binary found (looked for {}): {MISSING_BIN}", join_paths(&candidates)))
}

fn join_paths(ps: &[PathBuf]) -> String {
    ps.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------------------
// The whole run

fn run() -> Result<(), String> {
    let raw: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string().map_err(|a| format!("argument is not UTF-8: {a:?}")))
        .collect::<Result<_, _>>()?;
    let Some(args) = parse_args(raw.clone())? else {
        return Ok(());
    };
    if args.scenario == Scenario::Reconcile {
        return reconcile::standalone(&args, &raw);
    }
    if args.scenario == Scenario::Recipients {
        return recipients::standalone(&args, &raw);
    }
    let bin = resolve_bin(args.bin.clone())?;
    let bin = bin.canonicalize().unwrap_or(bin);
    let tmp = args.tmpdir.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let fs = filesystem_of(&tmp);
    if cfg!(debug_assertions) {
        eprintln!("warning: reserv-bench is a debug build; the load generator may be the bottleneck (use --release)");
    }
    if fs.as_deref() == Some("tmpfs") {
        eprintln!("warning: {} is on tmpfs, where fsync costs nothing; use --tmpdir on a real disk", tmp.display());
    }
    let mut logs = ServerLogs::default();
    // The first three fields: 1, 5 and 15 minute load averages.
    let loadavg = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into());
    let started = unix_now_secs();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;

    eprintln!("server binary: {}", bin.display());
    let size = std::fs::metadata(&bin).map_err(|e| format!("{}: {e}", bin.display()))?.len();

    let startup = if args.scenario.outages() { Some(startup_figures(&bin, &tmp, &args, &mut logs)?) } else { None };

    eprintln!(
        "naive baseline: serial inserts, one fsync'd transaction per row, ≥ {:.0} s and ≥ {NAIVE_MIN_ROWS} rows …",
        args.seconds
    );
    let naive = naive_baseline(&tmp, args.seconds)?;
    eprintln!("naive baseline: {:.0} rows/s", naive.rate);

    let outages = match startup {
        Some(s) => {
            let (server, _) = start_server(&bin, &tmp)?;
            eprintln!(
                "HTTP: {} clients, {:.0} s warm-up, {:.0} s measured …",
                args.clients,
                WARMUP.as_secs_f64(),
                args.seconds
            );
            let http =
                rt.block_on(http_load(server.addr, server.pid(), args.clients, Duration::from_secs_f64(args.seconds)));
            let load_hwm = proc_status_kib(server.pid(), "VmHWM").ok();
            let load_rss = proc_status_kib(server.pid(), "VmRSS").ok();
            let data_files = dir_listing(&server.dir.path().join("data"));
            logs.add(server.finish());
            let http = http?;
            eprintln!("HTTP: {:.0} writes/s", http.rate);
            Some(OutagesReport {
                size,
                startup: s,
                load_rss_kib: load_rss,
                load_hwm_kib: load_hwm,
                http,
                clients: args.clients,
                seconds: args.seconds,
                data_files,
                bin: bin.clone(),
            })
        }
        None => None,
    };

    let handover =
        if args.scenario.handover() { Some(handover::run(&rt, &bin, &tmp, &args, &mut logs)?) } else { None };
    let reconcile = if args.scenario.reconcile() { Some(reconcile::run(&args, &tmp)?) } else { None };
    let past =
        if args.scenario.past_outages() { Some(past_outages::run(&rt, &bin, &tmp, &args, &mut logs)?) } else { None };

    let report = Report {
        started,
        naive,
        outages,
        handover,
        reconcile,
        past,
        logs,
        machine: Machine::probe(&tmp, fs, loadavg),
        command: command_line(&raw),
    };
    std::io::stdout().write_all(report.markdown().as_bytes()).map_err(|e| format!("cannot write the report: {e}"))?;
    Ok(())
}

/// Cold start, idle RSS and a restart.
struct Startup {
    cold: Vec<f64>,
    idle_rss_kib: u64,
    idle_rss_restart_kib: u64,
    restart_ms: f64,
}

fn startup_figures(bin: &Path, tmp: &Path, args: &Args, logs: &mut ServerLogs) -> Result<Startup, String> {
    let mut cold = Vec::new();
    for i in 0..args.cold_runs {
        let (server, ready) = start_server(bin, tmp)?;
        let ms = ready.as_secs_f64() * 1000.0;
        eprintln!("cold start {}/{}: {ms:.1} ms", i + 1, args.cold_runs);
        cold.push(ms);
        logs.add(server.finish());
    }

    // Idle RSS on the first start (which also creates the demo accounts,
    // hashing their passwords) and after a restart on the same data.
    let (server, _) = start_server(bin, tmp)?;
    std::thread::sleep(Duration::from_secs(1));
    let idle_rss = proc_status_kib(server.pid(), "VmRSS")?;
    eprintln!("idle RSS, first start: {:.1} MiB", kib_to_mib(idle_rss));
    let (log, dir) = server.finish_keep();
    logs.add(log);
    let (server, restart) = launch(bin, dir)?;
    std::thread::sleep(Duration::from_secs(1));
    let idle_rss_restart = proc_status_kib(server.pid(), "VmRSS")?;
    eprintln!(
        "restart to healthy: {:.1} ms; idle RSS after restart: {:.1} MiB",
        restart.as_secs_f64() * 1000.0,
        kib_to_mib(idle_rss_restart)
    );
    logs.add(server.finish());
    Ok(Startup {
        cold,
        idle_rss_kib: idle_rss,
        idle_rss_restart_kib: idle_rss_restart,
        restart_ms: restart.as_secs_f64() * 1000.0,
    })
}

// ---------------------------------------------------------------------------
// Time without a date library

fn unix_now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// (year, month, day) of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn split_secs(secs: i64) -> ((i64, u32, u32), (i64, i64, i64)) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    (civil_from_days(days), (rem / 3600, rem % 3600 / 60, rem % 60))
}

/// An RFC 3339 UTC instant, e.g. `2026-11-22T03:00:00Z`.
fn rfc3339(secs: i64) -> String {
    let ((y, mo, d), (h, mi, s)) = split_secs(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `2026-11-22 03:00`.
fn utc_datetime(secs: i64) -> String {
    let ((y, mo, d), (h, mi, _)) = split_secs(secs);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_316_400), "2026-11-22T03:00:00Z");
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let l = Latency::of((1..=100).map(|i| i * 1000).collect());
        assert_eq!((l.p50_ms, l.p99_ms, l.max_ms), (50.0, 99.0, 100.0));
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    }

    #[test]
    fn args_parse_and_reject() {
        let a = parse_args(vec!["--clients".into(), "8".into(), "--seconds=2.5".into()]).unwrap().unwrap();
        assert_eq!((a.clients, a.seconds, a.cold_runs), (8, 2.5, 5));
        assert!(parse_args(vec!["--clients".into(), "0".into()]).is_err());
        assert!(parse_args(vec!["--what".into()]).is_err());
        let a = parse_args(vec!["--scenario=handover".into(), "--ward-entries".into(), "500".into()]).unwrap().unwrap();
        assert_eq!((a.scenario, a.ward_entries, a.ward_episodes), (Scenario::Handover, 500, 500));
        assert!(parse_args(vec!["--scenario".into(), "everything".into()]).is_err());
        assert_eq!(parse_args(vec![]).unwrap().unwrap().scenario, Scenario::All);
        let a = parse_args(vec!["--scenario=reconcile".into(), "--reconcile-calls=1000".into()]).unwrap().unwrap();
        assert_eq!((a.scenario, a.reconcile_calls, a.reconcile_runs), (Scenario::Reconcile, 1000, 5));
        assert!(parse_args(vec!["--reconcile-runs".into(), "0".into()]).is_err());
    }

    #[test]
    fn status_lines_parse() {
        assert_eq!(parse_status_line("HTTP/1.1 201 Created\r\nA: b"), Some(201));
        assert_eq!(parse_status_line("garbage"), None);
    }
}
