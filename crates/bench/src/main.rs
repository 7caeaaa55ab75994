//! `reserv-bench`: the numbers in `BENCHMARKS.md`.
//!
//! ```text
//! cargo build --release -p reserv -p reserv-bench
//! cargo run --release -p reserv-bench -- [--scenario outages|handover|reconcile|all] [--bin target/release/reserv]
//!                                        [--clients 64] [--seconds 10] [--cold-runs 5] [--tmpdir DIR]
//!                                        [--episodes-per-client 8] [--ward-entries 10000]
//!                                        [--ward-episodes 500] [--ward-requests 20]
//!                                        [--policy FILE] [--reconcile-episodes 60000]
//!                                        [--reconcile-calls 1000000] [--reconcile-runs 5]
//! ```
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
mod reconcile;

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
}

const USAGE: &str =
    "usage: reserv-bench [--scenario outages|handover|reconcile|all] [--bin PATH] [--clients N] [--seconds S]
                    [--cold-runs N] [--tmpdir DIR] [--episodes-per-client N]
                    [--ward-entries N] [--ward-episodes N] [--ward-requests N]
                    [--policy FILE] [--reconcile-episodes N] [--reconcile-calls N] [--reconcile-runs N]

  --scenario S    outages: binary size, cold start, RSS, POST /api/v1/outages;
                  handover: logging calls (POST /api/v1/episodes/{id}/entries) and the ward view;
                  reconcile: the back-entry engine on a synthetic national outage (no server,
                  no naive baseline);
                  all (default): all three. The naive baseline runs in every scenario but reconcile.
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
  --reconcile-runs N        reconcile: timed rounds, after one untimed engine run (default 5)";

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
            "--scenario" => {
                a.scenario = match value()?.as_str() {
                    "outages" => Scenario::Outages,
                    "handover" => Scenario::Handover,
                    "reconcile" => Scenario::Reconcile,
                    "all" => Scenario::All,
                    other => {
                        return Err(format!("--scenario: expected outages, handover, reconcile or all, got {other:?}"));
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

    let report = Report {
        started,
        naive,
        outages,
        handover,
        reconcile,
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
// Server processes

/// Kills the child when dropped, so that no error path leaves a server behind.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running server on its own fresh data directory.
struct Server {
    // Field order matters: the child is killed before its directory is removed.
    child: ChildGuard,
    addr: SocketAddr,
    stderr_path: PathBuf,
    dir: tempfile::TempDir,
}

/// What the server wrote on standard error, sifted.
struct ServerLog {
    warnings: Vec<String>,
    errors: Vec<String>,
    exited_by_itself: Option<ExitStatus>,
}

#[derive(Default)]
struct ServerLogs {
    servers: usize,
    warnings: Vec<String>,
    errors: Vec<String>,
    early_exits: Vec<String>,
}

impl ServerLogs {
    fn add(&mut self, l: ServerLog) {
        self.servers += 1;
        self.warnings.extend(l.warnings);
        self.errors.extend(l.errors);
        if let Some(s) = l.exited_by_itself {
            self.early_exits.push(s.to_string());
        }
    }
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.0.id()
    }

    /// Kills the server and returns what it logged.
    fn finish(self) -> ServerLog {
        self.finish_keep().0
    }

    /// Kills the server and returns what it logged and its directory, e.g.
    /// to start it again on the same data.
    fn finish_keep(self) -> (ServerLog, tempfile::TempDir) {
        let Server { mut child, stderr_path, dir, .. } = self;
        let exited_by_itself = child.0.try_wait().ok().flatten();
        drop(child);
        let text = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let mut log = ServerLog { warnings: Vec::new(), errors: Vec::new(), exited_by_itself };
        for line in text.lines() {
            if line.contains(" ERROR ") || line.contains("panicked") {
                log.errors.push(line.to_owned());
            } else if line.contains(" WARN ") {
                log.warnings.push(line.to_owned());
            }
        }
        (log, dir)
    }
}

/// Starts a server on a fresh data directory under `base` and waits until
/// `/healthz` answers 200; returns it with the time from spawn to healthy.
fn start_server(bin: &Path, base: &Path) -> Result<(Server, Duration), String> {
    let dir = tempfile::Builder::new()
        .prefix("reserv-bench-")
        .tempdir_in(base)
        .map_err(|e| format!("cannot create a temp dir in {}: {e}", base.display()))?;
    launch(bin, dir)
}

/// Starts a server on the data in `dir` (fresh or left by an earlier server).
fn launch(bin: &Path, dir: tempfile::TempDir) -> Result<(Server, Duration), String> {
    let stderr_path = dir.path().join("server.stderr");
    let stderr = File::create(&stderr_path).map_err(|e| format!("{}: {e}", stderr_path.display()))?;
    let mut cmd = Command::new(bin);
    cmd.arg("serve")
        .arg("--demo")
        .arg("--listen")
        .arg("127.0.0.1:0")
        .arg("--data")
        .arg(dir.path().join("data"))
        // No ./reserv.toml and no RESERV_* variables may change what is measured.
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(stderr));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("RESERV_") {
            cmd.env_remove(k);
        }
    }
    let spawned = Instant::now();
    let child = cmd.spawn().map_err(|e| format!("cannot start {}: {e} ({MISSING_BIN})", bin.display()))?;
    let mut child = ChildGuard(child);
    let stdout = child.0.stdout.take().ok_or("the server's stdout is not captured")?;
    let (tx, rx) = mpsc::channel::<String>();
    // Reads stdout to its end (so the server never blocks on a full pipe) and
    // passes on the address once.
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(i) = line.find("Reserv lyssnar på http://")
                && let Some(tx) = tx.take()
            {
                let rest = &line[i + "Reserv lyssnar på http://".len()..];
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").trim_end_matches('/').to_owned());
            }
        }
    });

    let fail = |why: String, stderr_path: &Path| {
        let text = std::fs::read_to_string(stderr_path).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(10).collect::<Vec<_>>().into_iter().rev().collect();
        if tail.is_empty() { why } else { format!("{why}; the server's stderr ends with:\n  {}", tail.join("\n  ")) }
    };

    let addr = loop {
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(a) => {
                break a.parse::<SocketAddr>().map_err(|_| format!("cannot parse the server's address {a:?}"))?;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Ok(Some(st)) = child.0.try_wait() {
                    return Err(fail(format!("the server exited at start ({st})"), &stderr_path));
                }
                if spawned.elapsed() > STARTUP_TIMEOUT {
                    return Err(fail(
                        format!("the server printed no address within {STARTUP_TIMEOUT:?}"),
                        &stderr_path,
                    ));
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                std::thread::sleep(Duration::from_millis(50));
                let st =
                    child.0.try_wait().ok().flatten().map(|s| s.to_string()).unwrap_or_else(|| "still running".into());
                return Err(fail(
                    format!("the server closed stdout without printing its address ({st})"),
                    &stderr_path,
                ));
            }
        }
    };
    if !addr.ip().is_loopback() {
        return Err(format!("the server listens on {addr}, not on loopback"));
    }

    loop {
        if healthz(addr) == Some(200) {
            break;
        }
        if let Ok(Some(st)) = child.0.try_wait() {
            return Err(fail(format!("the server exited before it was healthy ({st})"), &stderr_path));
        }
        if spawned.elapsed() > STARTUP_TIMEOUT {
            return Err(fail(format!("/healthz did not answer 200 within {STARTUP_TIMEOUT:?}"), &stderr_path));
        }
        std::thread::sleep(POLL_INTERVAL);
    }
    let ready = spawned.elapsed();
    Ok((Server { child, addr, stderr_path, dir }, ready))
}

/// One `GET /healthz` on a fresh connection; the status, if any.
fn healthz(addr: SocketAddr) -> Option<u16> {
    let mut s = StdTcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    s.set_write_timeout(Some(Duration::from_secs(2))).ok()?;
    let _ = s.set_nodelay(true);
    s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < 4096 {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    parse_status_line(&String::from_utf8_lossy(&buf))
}

/// A field (in KiB) of `/proc/PID/status`, e.g. `VmRSS`.
fn proc_status_kib(pid: u32, field: &str) -> Result<u64, String> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':')?.trim().strip_suffix("kB")?.trim().parse().ok())
        .ok_or_else(|| format!("{path}: no {field}"))
}

fn kib_to_mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

// ---------------------------------------------------------------------------
// A minimal HTTP/1.1 client

struct HttpResponse {
    status: u16,
    /// The status line and headers, without the final empty line.
    head: String,
    /// When the head had arrived (the server's time to first byte, roughly).
    head_at: Instant,
    body: Vec<u8>,
}

impl HttpResponse {
    /// The value of the first `Set-Cookie` for `name`.
    fn cookie(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            if !k.trim().eq_ignore_ascii_case("set-cookie") {
                return None;
            }
            let (n, v) = v.trim().split(';').next()?.split_once('=')?;
            (n == name).then(|| v.to_owned())
        })
    }
}

/// One keep-alive connection; reconnects after errors or `Connection: close`.
struct HttpConn {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

fn parse_status_line(head: &str) -> Option<u16> {
    let line = head.lines().next()?;
    let mut parts = line.split(' ');
    if !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    parts.next()?.parse().ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn io_err(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

impl HttpConn {
    fn new(addr: SocketAddr) -> HttpConn {
        HttpConn { addr, stream: None, buf: Vec::with_capacity(16 * 1024) }
    }

    fn reset(&mut self) {
        self.stream = None;
        self.buf.clear();
    }

    /// Builds a request with `Content-Length`.
    fn build(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
        let mut r = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        for (k, v) in headers {
            r.push_str(&format!("{k}: {v}\r\n"));
        }
        r.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let mut r = r.into_bytes();
        r.extend_from_slice(body);
        r
    }

    /// Sends one request (already built) and reads the whole response.
    async fn send(&mut self, request: &[u8]) -> std::io::Result<HttpResponse> {
        if self.stream.is_none() {
            let s = TcpStream::connect(self.addr).await?;
            s.set_nodelay(true)?;
            self.stream = Some(s);
            self.buf.clear();
        }
        let result = self.exchange(request).await;
        if result.is_err() {
            self.reset();
        }
        result
    }

    async fn exchange(&mut self, request: &[u8]) -> std::io::Result<HttpResponse> {
        let HttpConn { stream, buf, .. } = self;
        let s = stream.as_mut().ok_or_else(|| io_err("not connected"))?;
        s.write_all(request).await?;

        let head_end = loop {
            if let Some(i) = find(buf, b"\r\n\r\n") {
                break i;
            }
            if buf.len() > MAX_HEAD {
                return Err(io_err("response head too large"));
            }
            fill(s, buf).await?;
        };
        let head_at = Instant::now();
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        buf.drain(..head_end + 4);
        let status = parse_status_line(&head).ok_or_else(|| io_err(format!("bad status line in {head:?}")))?;
        let (mut length, mut chunked, mut close) = (None, false, head.starts_with("HTTP/1.0"));
        for line in head.lines().skip(1) {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
            match k.as_str() {
                "content-length" => length = Some(v.parse::<usize>().map_err(|_| io_err("bad Content-Length"))?),
                "transfer-encoding" => chunked = v.split(',').any(|t| t.trim() == "chunked"),
                "connection" => close = v.split(',').any(|t| t.trim() == "close"),
                _ => {}
            }
        }

        let body = if status == 204 || status == 304 || (100..200).contains(&status) {
            Vec::new()
        } else if chunked {
            read_chunked(s, buf).await?
        } else if let Some(n) = length {
            while buf.len() < n {
                fill(s, buf).await?;
            }
            buf.drain(..n).collect()
        } else {
            // No length: the body ends with the connection.
            close = true;
            loop {
                match fill(s, buf).await {
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                    Err(e) => return Err(e),
                }
            }
            std::mem::take(buf)
        };
        if close {
            self.reset();
        }
        Ok(HttpResponse { status, head, head_at, body })
    }
}

/// Reads more bytes into `buf`; end of stream is an `UnexpectedEof` error.
async fn fill(s: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut chunk = [0u8; 16 * 1024];
    let n = s.read(&mut chunk).await?;
    if n == 0 {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed by the server"));
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

async fn read_chunked(s: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(i) = find(buf, b"\r\n") {
                break i;
            }
            if buf.len() > MAX_HEAD {
                return Err(io_err("chunk size line too long"));
            }
            fill(s, buf).await?;
        };
        let line = String::from_utf8_lossy(&buf[..line_end]).into_owned();
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| io_err(format!("bad chunk size {line:?}")))?;
        buf.drain(..line_end + 2);
        if size == 0 {
            // Optional trailers, then an empty line.
            loop {
                if buf.starts_with(b"\r\n") {
                    buf.drain(..2);
                    return Ok(body);
                }
                if let Some(i) = find(buf, b"\r\n\r\n") {
                    buf.drain(..i + 4);
                    return Ok(body);
                }
                fill(s, buf).await?;
            }
        }
        while buf.len() < size + 2 {
            fill(s, buf).await?;
        }
        body.extend_from_slice(&buf[..size]);
        buf.drain(..size + 2);
    }
}

// ---------------------------------------------------------------------------
// Durable writes through the HTTP API

struct HttpResult {
    ok: usize,
    rate: f64,
    window: Duration,
    lat: Latency,
    /// Non-201 statuses during warm-up and measurement.
    non201: BTreeMap<u16, u64>,
    /// Transport errors and timeouts during warm-up and measurement.
    errors: u64,
    /// A few examples of non-201 bodies and errors.
    samples: Vec<String>,
    /// 201s during warm-up (not in the figures, but written to the store).
    warmup_ok: u64,
    /// CPU seconds used in the measurement window by the server and by this
    /// process (the load generator), if `/proc` could tell.
    server_cpu: Option<f64>,
    client_cpu: Option<f64>,
    /// Busy CPU seconds of the whole machine in the window (all processes).
    machine_cpu: Option<f64>,
    /// Successes completed in each second of the window.
    per_second: Vec<u64>,
    /// Body bytes of those successes, per second of the window.
    bytes_per_second: Vec<u64>,
    /// The largest successful response body in the window.
    max_bytes: u64,
    /// Server CPU seconds used in each second of the window.
    server_cpu_per_second: Vec<Option<f64>>,
}

/// CPU seconds so far: server, this process, the whole machine.
type CpuSample = (Option<f64>, Option<f64>, Option<f64>);

#[derive(Default)]
struct ClientResult {
    lat_us: Vec<u64>,
    per_second: Vec<u64>,
    bytes_per_second: Vec<u64>,
    max_bytes: u64,
    non201: BTreeMap<u16, u64>,
    errors: u64,
    samples: Vec<String>,
    warmup_ok: u64,
}

fn outage_body() -> Vec<u8> {
    let now = unix_now_secs();
    let start = now - 5 * 60;
    serde_json::json!({
        "system": "melior",
        "kind": "unplanned",
        "scope": "both",
        "start": rfc3339(start),
        "expected_end": rfc3339(start + 3600),
        "notice": "bench",
    })
    .to_string()
    .into_bytes()
}

/// Sends one request on `conn` with the usual timeout.
async fn request(conn: &mut HttpConn, what: &str, req: &[u8]) -> Result<HttpResponse, String> {
    tokio::time::timeout(REQUEST_TIMEOUT, conn.send(req))
        .await
        .map_err(|_| format!("{what} timed out"))?
        .map_err(|e| format!("{what}: {e}"))
}

/// Sends one request and insists on `expect`; used before a measurement so
/// that an API change fails loudly instead of being measured as errors.
async fn request_expect(conn: &mut HttpConn, what: &str, req: &[u8], expect: u16) -> Result<HttpResponse, String> {
    let resp = request(conn, what, req).await?;
    if resp.status != expect {
        return Err(format!(
            "{what} answered {} (expected {expect}): {}",
            resp.status,
            truncate(&String::from_utf8_lossy(&resp.body), 500)
        ));
    }
    Ok(resp)
}

/// Logs in through the API; the value of the `Authorization` header.
async fn bearer(addr: SocketAddr, username: &str) -> Result<String, String> {
    let mut conn = HttpConn::new(addr);
    let body = serde_json::json!({ "username": username, "password": DEMO_PASSWORD }).to_string();
    let req = conn.build("POST", "/api/v1/auth/token", &[("Content-Type", "application/json")], body.as_bytes());
    let resp = request_expect(&mut conn, "POST /api/v1/auth/token", &req, 201).await?;
    let v: serde_json::Value =
        serde_json::from_slice(&resp.body).map_err(|e| format!("token response is not JSON: {e}"))?;
    let token = v["token"].as_str().ok_or("the token response has no \"token\"")?;
    Ok(format!("Bearer {token}"))
}

async fn http_load(addr: SocketAddr, server_pid: u32, clients: usize, measure: Duration) -> Result<HttpResult, String> {
    let auth = bearer(addr, DEMO_USER).await?;
    let mut conn = HttpConn::new(addr);
    let build = |conn: &HttpConn| {
        conn.build(
            "POST",
            "/api/v1/outages",
            &[("Authorization", &auth), ("Content-Type", "application/json")],
            &outage_body(),
        )
    };
    let probe = build(&conn);
    request_expect(&mut conn, "POST /api/v1/outages", &probe, 201).await?;
    drop(conn);
    let per_client = (0..clients).map(|_| vec![build(&HttpConn::new(addr))]).collect();
    closed_loop(addr, server_pid, per_client, 201, measure).await
}

/// The measured closed loop: one client per element of `per_client`, each on
/// its own keep-alive connection, sending its requests round robin as fast as
/// the answers come, for a warm-up and then `measure`. Only `expect` counts as
/// a success.
async fn closed_loop(
    addr: SocketAddr,
    server_pid: u32,
    per_client: Vec<Vec<Vec<u8>>>,
    expect: u16,
    measure: Duration,
) -> Result<HttpResult, String> {
    let t0 = Instant::now();
    let m0 = t0 + WARMUP;
    let m1 = m0 + measure;
    let mut tasks = Vec::with_capacity(per_client.len());
    for requests in per_client {
        tasks.push(tokio::spawn(async move {
            let mut conn = HttpConn::new(addr);
            let mut r = ClientResult { lat_us: Vec::with_capacity(4096), ..ClientResult::default() };
            for i in 0usize.. {
                let start = Instant::now();
                if start >= m1 || requests.is_empty() {
                    break;
                }
                let req = &requests[i % requests.len()];
                let outcome = tokio::time::timeout(REQUEST_TIMEOUT, conn.send(req)).await;
                let end = Instant::now();
                let in_window = end >= m0 && end < m1;
                match outcome {
                    Ok(Ok(resp)) if resp.status == expect => {
                        if in_window {
                            r.lat_us.push(end.duration_since(start).as_micros() as u64);
                            let sec = end.duration_since(m0).as_secs() as usize;
                            if r.per_second.len() <= sec {
                                r.per_second.resize(sec + 1, 0);
                                r.bytes_per_second.resize(sec + 1, 0);
                            }
                            r.per_second[sec] += 1;
                            r.bytes_per_second[sec] += resp.body.len() as u64;
                            r.max_bytes = r.max_bytes.max(resp.body.len() as u64);
                        } else if end < m0 {
                            r.warmup_ok += 1;
                        }
                    }
                    Ok(Ok(resp)) => {
                        *r.non201.entry(resp.status).or_default() += 1;
                        if r.samples.is_empty() {
                            r.samples.push(format!("{}: {}", resp.status, String::from_utf8_lossy(&resp.body)));
                        }
                    }
                    Ok(Err(e)) => {
                        r.errors += 1;
                        if r.samples.is_empty() {
                            r.samples.push(format!("error: {e}"));
                        }
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                    Err(_) => {
                        r.errors += 1;
                        conn.reset();
                        if r.samples.is_empty() {
                            r.samples.push(format!("timeout after {REQUEST_TIMEOUT:?}"));
                        }
                    }
                }
            }
            r
        }));
    }
    // CPU time of the server, of the load generator and of the whole machine,
    // sampled at every second of the window and at its end.
    let cpu = tokio::spawn(async move {
        let pid = server_pid.to_string();
        let mut samples = Vec::new();
        let mut at = m0;
        loop {
            tokio::time::sleep_until(at.into()).await;
            samples.push((cpu_seconds(&pid), cpu_seconds("self"), machine_busy_seconds()));
            if at >= m1 {
                break;
            }
            at = (at + Duration::from_secs(1)).min(m1);
        }
        samples
    });
    let mut all = ClientResult::default();
    for t in tasks {
        let r = t.await.map_err(|e| format!("a client task failed: {e}"))?;
        all.lat_us.extend(r.lat_us);
        if all.per_second.len() < r.per_second.len() {
            all.per_second.resize(r.per_second.len(), 0);
            all.bytes_per_second.resize(r.per_second.len(), 0);
        }
        for (a, n) in all.per_second.iter_mut().zip(r.per_second) {
            *a += n;
        }
        for (a, n) in all.bytes_per_second.iter_mut().zip(r.bytes_per_second) {
            *a += n;
        }
        all.max_bytes = all.max_bytes.max(r.max_bytes);
        for (k, v) in r.non201 {
            *all.non201.entry(k).or_default() += v;
        }
        all.errors += r.errors;
        all.warmup_ok += r.warmup_ok;
        if all.samples.len() < 5 {
            all.samples.extend(r.samples);
        }
    }
    let samples = cpu.await.unwrap_or_default();
    let diff = |a: Option<f64>, b: Option<f64>| Some(b? - a?);
    let (first, last) = (samples.first().copied(), samples.last().copied());
    let total = |f: fn(&CpuSample) -> Option<f64>| diff(first.as_ref().and_then(f), last.as_ref().and_then(f));
    let (server_cpu, client_cpu, machine_cpu) = (total(|s| s.0), total(|s| s.1), total(|s| s.2));
    let server_cpu_per_second = samples.windows(2).map(|w| diff(w[0].0, w[1].0)).collect();
    let ok = all.lat_us.len();
    if ok == 0 {
        return Err(format!(
            "no request succeeded in the measurement window (unexpected statuses: {:?}, errors: {}; e.g. {})",
            all.non201,
            all.errors,
            all.samples.first().map(String::as_str).unwrap_or("-")
        ));
    }
    Ok(HttpResult {
        ok,
        rate: ok as f64 / measure.as_secs_f64(),
        window: measure,
        lat: Latency::of(all.lat_us),
        non201: all.non201,
        errors: all.errors,
        samples: all.samples,
        warmup_ok: all.warmup_ok,
        server_cpu,
        client_cpu,
        machine_cpu,
        per_second: all.per_second,
        bytes_per_second: all.bytes_per_second,
        max_bytes: all.max_bytes,
        server_cpu_per_second,
    })
}

/// Busy CPU seconds of the whole machine since boot, from `/proc/stat`
/// (everything but idle and iowait).
fn machine_busy_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu = stat.lines().next()?.strip_prefix("cpu ")?;
    let f: Vec<u64> = cpu.split_whitespace().filter_map(|v| v.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal (guest is inside user).
    let busy = f.iter().take(8).enumerate().filter(|(i, _)| *i != 3 && *i != 4).map(|(_, v)| v).sum::<u64>();
    Some(busy as f64 / 100.0)
}

/// User + system CPU seconds of a process (all threads), from
/// `/proc/PID/stat` (`PID` may be `self`); `/proc` counts in USER_HZ = 100.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; fields after it are plain.
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15, i.e. 11 and 12 after the name.
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

// ---------------------------------------------------------------------------
// The naive baseline

struct NaiveResult {
    rows: usize,
    elapsed: Duration,
    rate: f64,
    lat: Latency,
}

/// A small xorshift generator; ids only need to look random.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn uuid_like(&mut self) -> String {
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

fn naive_baseline(base: &Path, seconds: f64) -> Result<NaiveResult, String> {
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

// ---------------------------------------------------------------------------
// Figures and the report

struct Latency {
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    mean_ms: f64,
}

impl Latency {
    fn of(mut us: Vec<u64>) -> Latency {
        us.sort_unstable();
        let ms = |v: u64| v as f64 / 1000.0;
        // Nearest rank.
        let pct = |q: f64| {
            let rank = ((q * us.len() as f64).ceil() as usize).clamp(1, us.len().max(1));
            us.get(rank - 1).copied().map(ms).unwrap_or(f64::NAN)
        };
        let mean = if us.is_empty() { f64::NAN } else { us.iter().sum::<u64>() as f64 / us.len() as f64 / 1000.0 };
        Latency {
            p50_ms: pct(0.50),
            p99_ms: pct(0.99),
            max_ms: us.last().copied().map(ms).unwrap_or(f64::NAN),
            mean_ms: mean,
        }
    }
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

struct Machine {
    cpus: usize,
    cpu_model: String,
    kernel: String,
    tmp: PathBuf,
    fs: String,
    /// `/proc/loadavg` when the run started.
    loadavg: String,
}

impl Machine {
    fn probe(tmp: &Path, fs: Option<String>, loadavg: String) -> Machine {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|t| {
                t.lines().find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_owned()))
            })
            .unwrap_or_else(|| "unknown".into());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| "unknown".into());
        Machine {
            cpus: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            cpu_model,
            kernel,
            tmp: tmp.to_path_buf(),
            fs: fs.unwrap_or_else(|| "unknown".into()),
            loadavg,
        }
    }
}

/// The filesystem type of the mount holding `p`, from `/proc/self/mounts`.
fn filesystem_of(p: &Path) -> Option<String> {
    let p = p.canonicalize().ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_, mnt, ty) = (f.next()?, f.next()?, f.next()?);
            let mnt = mnt.replace("\\040", " ");
            p.starts_with(&mnt).then(|| (mnt.len(), ty.to_owned()))
        })
        // The longest mount point wins; among equal ones, the last mounted.
        .fold(None, |best: Option<(usize, String)>, m| match best {
            Some(b) if b.0 > m.0 => Some(b),
            _ => Some(m),
        })
        .map(|(_, ty)| ty)
}

fn command_line(raw: &[String]) -> String {
    let mut c = String::from("cargo run --release -p reserv-bench --");
    for a in raw {
        c.push(' ');
        if a.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_./=:,+@".contains(ch)) {
            c.push_str(a);
        } else {
            c.push('\'');
            c.push_str(&a.replace('\'', "'\\''"));
            c.push('\'');
        }
    }
    c
}

struct Report {
    /// Unix seconds when the run started.
    started: i64,
    naive: NaiveResult,
    outages: Option<OutagesReport>,
    handover: Option<handover::HandoverResult>,
    reconcile: Option<reconcile::ReconcileResult>,
    logs: ServerLogs,
    machine: Machine,
    command: String,
}

/// The figures of the outages scenario.
struct OutagesReport {
    bin: PathBuf,
    size: u64,
    startup: Startup,
    load_rss_kib: Option<u64>,
    load_hwm_kib: Option<u64>,
    http: HttpResult,
    clients: usize,
    seconds: f64,
    /// Files of the data directory after the HTTP run, with sizes.
    data_files: Vec<(String, u64)>,
}

fn met(b: bool) -> &'static str {
    if b { "**met**" } else { "**not met**" }
}

/// Appends one line to a report.
fn push_line(o: &mut String, s: impl AsRef<str>) {
    o.push_str(s.as_ref());
    o.push('\n');
}

/// ` (3× 500, 1× 409)`, or nothing.
fn status_detail(m: &BTreeMap<u16, u64>) -> String {
    if m.is_empty() {
        String::new()
    } else {
        format!(" ({})", m.iter().map(|(k, v)| format!("{v}× {k}")).collect::<Vec<_>>().join(", "))
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn opt_mib(k: Option<u64>) -> String {
    k.map(|k| format!("{:.1} MiB", kib_to_mib(k))).unwrap_or_else(|| "n/a".into())
}

fn naive_rows(o: &mut String, n: &NaiveResult) {
    push_line(
        o,
        format!(
            "| Naive baseline (serial, 1 transaction + fsync per row) | **{:.0} rows/s** ({} rows in {:.1} s) |",
            n.rate,
            n.rows,
            n.elapsed.as_secs_f64()
        ),
    );
    push_line(
        o,
        format!(
            "| Naive latency p50 / p99 / max (mean) | {:.2} / {:.2} / {:.2} ms ({:.2} ms) |",
            n.lat.p50_ms, n.lat.p99_ms, n.lat.max_ms, n.lat.mean_ms
        ),
    );
}

/// The rows shared by every closed-loop HTTP write measurement: CPU, noise and
/// the slowest and fastest second.
fn cpu_rows(o: &mut String, h: &HttpResult, unit: &str) {
    if let (Some(sc), Some(cc)) = (h.server_cpu, h.client_cpu) {
        let secs = h.window.as_secs_f64();
        push_line(
            o,
            format!(
                "| CPU in the window: server / load generator | {:.2} / {:.2} cores ({:.0} / {:.0} µs CPU per {unit}) |",
                sc / secs,
                cc / secs,
                sc * 1e6 / h.ok as f64,
                cc * 1e6 / h.ok as f64
            ),
        );
        if let Some(mc) = h.machine_cpu {
            push_line(
                o,
                format!(
                    "| CPU in the window used by other processes (noise) | {:.2} cores |",
                    ((mc - sc - cc) / secs).max(0.0)
                ),
            );
        }
    }
    if !h.per_second.is_empty() {
        let full = &h.per_second[..h.per_second.len().min(h.window.as_secs() as usize).max(1)];
        push_line(
            o,
            format!(
                "| {}s per second of the window: min / max | {} / {} |",
                capitalised(unit),
                full.iter().min().unwrap_or(&0),
                full.iter().max().unwrap_or(&0)
            ),
        );
    }
}

/// The notes under a closed-loop table: failures and the rate second by second.
fn http_notes(o: &mut String, h: &HttpResult, unit: &str) {
    if !h.samples.is_empty() {
        push_line(
            o,
            format!(
                "Examples of failed requests: {}",
                h.samples.iter().map(|s| format!("`{}`", truncate(s, 200))).collect::<Vec<_>>().join("; ")
            ),
        );
    }
    if !h.per_second.is_empty() {
        push_line(
            o,
            format!(
                "{}s per second of the window (server CPU µs per {unit}): {}.",
                capitalised(unit),
                h.per_second
                    .iter()
                    .enumerate()
                    .map(|(i, n)| match h.server_cpu_per_second.get(i).copied().flatten() {
                        Some(c) if *n > 0 => format!("{n} ({:.0})", c * 1e6 / *n as f64),
                        _ => n.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
}

impl Report {
    fn markdown(&self) -> String {
        let mut o = String::new();
        push_line(&mut o, format!("## Run {} UTC", utc_datetime(self.started)));
        push_line(&mut o, "");
        push_line(&mut o, format!("Command: `{}`", self.command));
        push_line(&mut o, "");
        push_line(
            &mut o,
            format!(
                "Machine: {} CPUs ({}), Linux {}; data directories in `{}` ({}); load average at start {}.",
                self.machine.cpus,
                self.machine.cpu_model,
                self.machine.kernel,
                self.machine.tmp.display(),
                self.machine.fs,
                self.machine.loadavg
            ),
        );
        push_line(&mut o, "");
        match &self.outages {
            Some(r) => r.markdown(&mut o, &self.naive),
            None => {
                push_line(&mut o, "| Measure | Result |");
                push_line(&mut o, "|---|---|");
                naive_rows(&mut o, &self.naive);
                push_line(&mut o, "");
            }
        }
        if let Some(h) = &self.handover {
            h.markdown(&mut o, &self.naive);
        }
        if let Some(r) = &self.reconcile {
            r.markdown(&mut o);
        }
        let l = &self.logs;
        push_line(
            &mut o,
            format!(
                "Server stderr ({} servers): {} ERROR/panic lines, {} WARN lines{}.",
                l.servers,
                l.errors.len(),
                l.warnings.len(),
                if l.early_exits.is_empty() {
                    String::new()
                } else {
                    format!("; servers that exited by themselves: {}", l.early_exits.join(", "))
                }
            ),
        );
        for e in l.errors.iter().chain(&l.warnings).take(5) {
            push_line(&mut o, format!("    {}", truncate(e, 300)));
        }
        o
    }
}

impl OutagesReport {
    fn markdown(&self, o: &mut String, n: &NaiveResult) {
        let h = &self.http;
        let s = &self.startup;
        let ratio = h.rate / n.rate;
        let cold: Vec<String> = s.cold.iter().map(|c| format!("{c:.0}")).collect();
        let non201: u64 = h.non201.values().sum();
        push_line(o, "### Outages: durable writes, start-up, memory");
        push_line(o, "");
        push_line(o, "| Measure | Result |");
        push_line(o, "|---|---|");
        push_line(
            o,
            format!(
                "| HTTP durable writes, {} clients (`POST /api/v1/outages`) | **{:.0} writes/s** ({} × 201 in {:.1} s) |",
                self.clients,
                h.rate,
                h.ok,
                h.window.as_secs_f64()
            ),
        );
        push_line(
            o,
            format!(
                "| HTTP latency p50 / p99 / max (mean) | {:.2} / **{:.2}** / {:.2} ms ({:.2} ms) |",
                h.lat.p50_ms, h.lat.p99_ms, h.lat.max_ms, h.lat.mean_ms
            ),
        );
        push_line(
            o,
            format!(
                "| HTTP non-201 responses / transport errors (incl. warm-up) | {non201}{} / {} |",
                status_detail(&h.non201),
                h.errors
            ),
        );
        cpu_rows(o, h, "write");
        naive_rows(o, n);
        push_line(o, format!("| Ratio HTTP / naive | **{ratio:.1}×** |"));
        push_line(o, format!("| Goal: ≥ {GOAL_RATIO:.0}× the naive rate | {} |", met(ratio >= GOAL_RATIO)));
        push_line(o, format!("| Goal: HTTP p99 ≤ {GOAL_P99_MS:.0} ms | {} |", met(h.lat.p99_ms <= GOAL_P99_MS)));
        push_line(
            o,
            format!(
                "| Cold start to first `/healthz` 200 (fresh dir, `--demo`), median of {} | **{:.0} ms** (runs: {} ms) |",
                s.cold.len(),
                median(&s.cold),
                cold.join(", ")
            ),
        );
        push_line(
            o,
            format!("| Restart on existing data to first `/healthz` 200 (one run) | {:.0} ms |", s.restart_ms),
        );
        push_line(
            o,
            format!(
                "| Idle RSS (healthy, ~1 s idle), first start on a fresh dir with `--demo` | **{:.1} MiB** |",
                kib_to_mib(s.idle_rss_kib)
            ),
        );
        push_line(
            o,
            format!(
                "| Idle RSS (healthy, ~1 s idle), after a restart on the same data | **{:.1} MiB** |",
                kib_to_mib(s.idle_rss_restart_kib)
            ),
        );
        push_line(
            o,
            format!(
                "| RSS after the HTTP run / peak (VmHWM) | {} / {} |",
                opt_mib(self.load_rss_kib),
                opt_mib(self.load_hwm_kib)
            ),
        );
        push_line(
            o,
            format!(
                "| Binary size (`{}`) | **{:.1} MiB** ({} bytes) |",
                self.bin.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
                self.size as f64 / (1024.0 * 1024.0),
                self.size
            ),
        );
        push_line(o, "");
        push_line(
            o,
            format!(
                "HTTP: {} s measured after {:.0} s warm-up ({} writes during warm-up not counted); naive: ≥ {:.0} s and ≥ {NAIVE_MIN_ROWS} rows.",
                self.seconds,
                WARMUP.as_secs_f64(),
                h.warmup_ok,
                self.seconds
            ),
        );
        http_notes(o, h, "write");
        if !self.data_files.is_empty() {
            push_line(
                o,
                format!(
                    "Server data directory after the HTTP run: {}.",
                    self.data_files
                        .iter()
                        .map(|(n, b)| format!("`{n}` {:.1} MiB", *b as f64 / (1024.0 * 1024.0)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        push_line(o, "");
    }
}

/// Names and sizes of the files in `dir`, sorted by name.
fn dir_listing(dir: &Path) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| {
                    let m = e.metadata().ok()?;
                    m.is_file().then(|| (e.file_name().to_string_lossy().into_owned(), m.len()))
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { format!("{}…", s.chars().take(max).collect::<String>()) }
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
