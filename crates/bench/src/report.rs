//! The Markdown report: latency summaries, the machine, and the tables of
//! the outages scenario; the other scenarios add their own sections.

use super::*;

// ---------------------------------------------------------------------------
// Figures and the report

pub(crate) struct Latency {
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) max_ms: f64,
    pub(crate) mean_ms: f64,
}

impl Latency {
    pub(crate) fn of(mut us: Vec<u64>) -> Latency {
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

pub(crate) fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

pub(crate) struct Machine {
    pub(crate) cpus: usize,
    pub(crate) cpu_model: String,
    pub(crate) kernel: String,
    pub(crate) tmp: PathBuf,
    pub(crate) fs: String,
    /// `/proc/loadavg` when the run started.
    pub(crate) loadavg: String,
}

impl Machine {
    pub(crate) fn probe(tmp: &Path, fs: Option<String>, loadavg: String) -> Machine {
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
pub(crate) fn filesystem_of(p: &Path) -> Option<String> {
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

pub(crate) fn command_line(raw: &[String]) -> String {
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

pub(crate) struct Report {
    /// Unix seconds when the run started.
    pub(crate) started: i64,
    pub(crate) naive: NaiveResult,
    pub(crate) outages: Option<OutagesReport>,
    pub(crate) handover: Option<handover::HandoverResult>,
    pub(crate) reconcile: Option<reconcile::ReconcileResult>,
    pub(crate) past: Option<past_outages::PastResult>,
    pub(crate) logs: ServerLogs,
    pub(crate) machine: Machine,
    pub(crate) command: String,
}

/// The figures of the outages scenario.
pub(crate) struct OutagesReport {
    pub(crate) bin: PathBuf,
    pub(crate) size: u64,
    pub(crate) startup: Startup,
    pub(crate) load_rss_kib: Option<u64>,
    pub(crate) load_hwm_kib: Option<u64>,
    pub(crate) http: HttpResult,
    pub(crate) clients: usize,
    pub(crate) seconds: f64,
    /// Files of the data directory after the HTTP run, with sizes.
    pub(crate) data_files: Vec<(String, u64)>,
}

pub(crate) fn met(b: bool) -> &'static str {
    if b { "**met**" } else { "**not met**" }
}

/// Appends one line to a report.
pub(crate) fn push_line(o: &mut String, s: impl AsRef<str>) {
    o.push_str(s.as_ref());
    o.push('\n');
}

/// ` (3× 500, 1× 409)`, or nothing.
pub(crate) fn status_detail(m: &BTreeMap<u16, u64>) -> String {
    if m.is_empty() {
        String::new()
    } else {
        format!(" ({})", m.iter().map(|(k, v)| format!("{v}× {k}")).collect::<Vec<_>>().join(", "))
    }
}

pub(crate) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

pub(crate) fn opt_mib(k: Option<u64>) -> String {
    k.map(|k| format!("{:.1} MiB", kib_to_mib(k))).unwrap_or_else(|| "n/a".into())
}

pub(crate) fn naive_rows(o: &mut String, n: &NaiveResult) {
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
pub(crate) fn cpu_rows(o: &mut String, h: &HttpResult, unit: &str) {
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
pub(crate) fn http_notes(o: &mut String, h: &HttpResult, unit: &str) {
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
    pub(crate) fn markdown(&self) -> String {
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
        if let Some(p) = &self.past {
            p.markdown(&mut o, &self.naive);
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
    pub(crate) fn markdown(&self, o: &mut String, n: &NaiveResult) {
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
pub(crate) fn dir_listing(dir: &Path) -> Vec<(String, u64)> {
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

pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { format!("{}…", s.chars().take(max).collect::<String>()) }
}
