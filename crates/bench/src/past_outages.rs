//! The past-outages scenario (`--scenario past-outages`): does the cost of
//! logging a call, the outage list and the status pages grow with every
//! outage the store has ever held?
//!
//! Two fresh `serve --demo` servers, one after the other, measured the same
//! way: the first with only the demo's outages ("empty"), the second after
//! `--past-outages` outages (default 25 000) have been declared and ended
//! through the API, one hour apart going back from two hours ago, each 30
//! minutes long (system `melior`, which has no notification policy). On each:
//!
//! 1. the ward registers `--clients × --episodes-per-client` episodes;
//! 2. **one call at a time**: `--past-calls` calls (after 2 warm-up calls)
//!    on one keep-alive connection, round robin over the episodes
//!    (`POST /api/v1/episodes/{id}/entries`), each timed to its answer;
//! 3. **calls under load**: `--clients` clients log calls in a closed loop
//!    for a 1 s warm-up and `--seconds`, as in the handover scenario;
//! 4. one request at a time, after 2 warm-up requests, `--ward-requests` of
//!    `GET /api/v1/outages` (IT), `GET /api/v1/public/status` and the public
//!    HTML page `GET /status`.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::handover::{self, Batch, Page, WARD_USER, entry_body, post, register_episodes, run_jobs, time_page};
use crate::{
    Args, DEMO_USER, HttpConn, HttpResponse, HttpResult, NaiveResult, Server, ServerLogs, bearer, closed_loop, median,
    push_line, request_expect, rfc3339, start_server, unix_now_secs,
};

/// Calls before the timed sequential ones.
const CALL_WARMUP: usize = 2;

/// One server's figures.
struct Run {
    label: String,
    past: usize,
    /// Declaring and ending the past outages.
    load: Option<(Batch, Batch)>,
    /// Milliseconds per call, one at a time.
    sequential_ms: Vec<f64>,
    /// Server CPU seconds over the sequential calls.
    sequential_cpu: Option<f64>,
    log: HttpResult,
    pages: Vec<Page>,
}

pub(crate) struct PastResult {
    clients: usize,
    seconds: f64,
    runs: Vec<Run>,
}

pub(crate) fn run(
    rt: &tokio::runtime::Runtime,
    bin: &Path,
    tmp: &Path,
    args: &Args,
    logs: &mut ServerLogs,
) -> Result<PastResult, String> {
    let mut runs = Vec::new();
    for past in [0, args.past_outages] {
        let (server, _) = start_server(bin, tmp)?;
        let label = if past == 0 { "empty (demo data only)".to_owned() } else { format!("{past} past outages") };
        eprintln!("past-outages: {label} …");
        let r = rt.block_on(measure(&server, args, past, label));
        logs.add(server.finish());
        runs.push(r?);
    }
    Ok(PastResult { clients: args.clients, seconds: args.seconds, runs })
}

fn outage_id(resp: &HttpResponse) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(&resp.body).ok()?;
    v["id"].as_str().map(str::to_owned)
}

/// Declares and ends `n` outages in the past.
async fn load_past(server: &Server, clients: usize, n: usize) -> Result<(Batch, Batch), String> {
    let addr = server.addr;
    let auth = bearer(addr, DEMO_USER).await?;
    let conn = HttpConn::new(addr);
    let now = unix_now_secs();
    let start = |k: usize| now - 2 * 3600 - 3600 * k as i64;
    let declare = (0..n)
        .map(|k| {
            let body = serde_json::json!({
                "system": "melior",
                "kind": "unplanned",
                "scope": "both",
                "start": rfc3339(start(k)),
                "notice": "bench: past outage",
                // Many outages of one system on purpose: no same-system question.
                "confirm_same_system": true,
            });
            post(&conn, &auth, "/api/v1/outages", body.to_string().as_bytes())
        })
        .collect();
    let (ids, declared) = run_jobs(addr, clients, declare, 201, outage_id).await;
    if declared.failures > 0 {
        return Err(format!("declaring past outages: {}", declared.describe()));
    }
    eprintln!("past-outages: declared {n}: {}", declared.describe());
    let end = ids
        .iter()
        .enumerate()
        .map(|(k, id)| {
            let body = serde_json::json!({ "restored_at": rfc3339(start(k) + 1800) });
            let id = id.as_deref().unwrap_or("-");
            post(&conn, &auth, &format!("/api/v1/outages/{id}/end"), body.to_string().as_bytes())
        })
        .collect();
    let (_, ended) = run_jobs(addr, clients, end, 200, |_| Some(())).await;
    if ended.failures > 0 {
        return Err(format!("ending past outages: {}", ended.describe()));
    }
    eprintln!("past-outages: ended {n}: {}", ended.describe());
    Ok((declared, ended))
}

async fn measure(server: &Server, args: &Args, past: usize, label: String) -> Result<Run, String> {
    let addr = server.addr;
    let load = if past > 0 { Some(load_past(server, args.clients, past).await?) } else { None };
    let ward = bearer(addr, WARD_USER).await?;
    let n = args.clients * args.episodes_per_client;
    let (ids, _) = register_episodes(addr, &ward, args.clients, 0, n).await?;
    let mut conn = HttpConn::new(addr);
    let call = |conn: &HttpConn, k: usize| {
        post(conn, &ward, &format!("/api/v1/episodes/{}/entries", ids[k % ids.len()]), &entry_body(k))
    };
    for k in 0..CALL_WARMUP {
        let req = call(&conn, k);
        request_expect(&mut conn, "POST /api/v1/episodes/{id}/entries", &req, 201).await?;
    }
    let pid = server.pid().to_string();
    let cpu0 = crate::cpu_seconds(&pid);
    let mut sequential_ms = Vec::with_capacity(args.past_calls);
    for k in 0..args.past_calls {
        let req = call(&conn, CALL_WARMUP + k);
        let t = Instant::now();
        request_expect(&mut conn, "POST /api/v1/episodes/{id}/entries", &req, 201).await?;
        sequential_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let sequential_cpu = crate::cpu_seconds(&pid).zip(cpu0).map(|(b, a)| b - a);
    eprintln!("past-outages: {label}: one call at a time, median {:.2} ms", median(&sequential_ms));
    let per_client = ids
        .chunks(args.episodes_per_client)
        .map(|mine| {
            let mut reqs = Vec::new();
            for round in 0..handover::CALLS.len() {
                for id in mine {
                    reqs.push(post(&conn, &ward, &format!("/api/v1/episodes/{id}/entries"), &entry_body(round)));
                }
            }
            reqs
        })
        .collect();
    let log = closed_loop(addr, server.pid(), per_client, 201, Duration::from_secs_f64(args.seconds)).await?;
    eprintln!("past-outages: {label}: {:.0} calls/s under load", log.rate);
    let it = bearer(addr, DEMO_USER).await?;
    let mut pages = Vec::new();
    let list = handover::get(&conn, "/api/v1/outages", &[("Authorization", &it)]);
    pages.push(time_page(&mut conn, server.pid(), "`GET /api/v1/outages` (IT)", &list, args.ward_requests).await);
    let public = handover::get(&conn, "/api/v1/public/status", &[]);
    pages.push(time_page(&mut conn, server.pid(), "`GET /api/v1/public/status`", &public, args.ward_requests).await);
    let html = handover::get(&conn, "/status", &[]);
    pages.push(time_page(&mut conn, server.pid(), "`GET /status` (HTML)", &html, args.ward_requests).await);
    Ok(Run { label, past, load, sequential_ms, sequential_cpu, log, pages })
}

fn pct(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s.get(((s.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN)
}

impl PastResult {
    pub(crate) fn markdown(&self, o: &mut String, n: &NaiveResult) {
        push_line(o, "### Logging calls with many past outages in the store");
        push_line(o, "");
        let head: Vec<&str> = self.runs.iter().map(|r| r.label.as_str()).collect();
        push_line(o, format!("| Measure | {} |", head.join(" | ")));
        push_line(o, format!("|---|{}", "---|".repeat(self.runs.len())));
        let row = |o: &mut String, name: &str, f: &dyn Fn(&Run) -> String| {
            let cells: Vec<String> = self.runs.iter().map(f).collect();
            push_line(o, format!("| {name} | {} |", cells.join(" | ")));
        };
        row(o, "Outages declared and ended before the measurement (besides the demo's)", &|r| r.past.to_string());
        row(o, "One call at a time: median / p95 / max", &|r| {
            format!(
                "**{:.2}** / {:.2} / {:.2} ms",
                median(&r.sequential_ms),
                pct(&r.sequential_ms, 0.95),
                pct(&r.sequential_ms, 1.0)
            )
        });
        row(o, "One call at a time: server CPU per call", &|r| match r.sequential_cpu {
            Some(c) => format!("{:.2} ms", c * 1000.0 / r.sequential_ms.len().max(1) as f64),
            None => "-".into(),
        });
        row(o, &format!("Calls under load, {} clients, {:.0} s", self.clients, self.seconds), &|r| {
            format!("**{:.0} calls/s** ({} × 201)", r.log.rate, r.log.ok)
        });
        row(o, "Under load: latency p50 / p99 / max", &|r| {
            format!("{:.1} / {:.1} / {:.1} ms", r.log.lat.p50_ms, r.log.lat.p99_ms, r.log.lat.max_ms)
        });
        row(o, "Under load: non-201 / transport errors", &|r| {
            format!("{} / {}", r.log.non201.values().sum::<u64>(), r.log.errors)
        });
        row(o, "Under load: server CPU per call", &|r| match r.log.server_cpu {
            Some(c) if r.log.ok > 0 => format!("{:.0} µs", c * 1e6 / r.log.ok as f64),
            _ => "-".into(),
        });
        let labels: Vec<String> =
            self.runs.first().map(|r| r.pages.iter().map(|p| p.label.clone()).collect()).unwrap_or_default();
        for (i, p) in labels.iter().enumerate() {
            row(o, &format!("{p}: median / max"), &|r| match r.pages.get(i) {
                Some(pg) if pg.skipped.is_none() => format!(
                    "**{:.1}** / {:.1} ms ({:.1} KiB)",
                    median(&pg.total_ms),
                    pct(&pg.total_ms, 1.0),
                    pg.bytes as f64 / 1024.0
                ),
                Some(pg) => format!("not measured: {}", pg.skipped.as_deref().unwrap_or("")),
                None => "-".into(),
            });
        }
        row(o, "Setup: declaring / ending the past outages", &|r| match &r.load {
            Some((d, e)) => format!("{:.0}/s / {:.0}/s", d.rate(), e.rate()),
            None => "-".into(),
        });
        push_line(
            o,
            format!(
                "| Naive baseline, same run (serial, 1 transaction + fsync per row) | {:.0} rows/s{} |",
                n.rate,
                " |".repeat(self.runs.len().saturating_sub(1))
            ),
        );
        push_line(o, "");
    }
}
