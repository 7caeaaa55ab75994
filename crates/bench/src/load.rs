//! Load and its figures: the closed loop of clients (warm-up, measured
//! window, per-second counts, CPU of server, load generator and machine),
//! the outages load (`POST /api/v1/outages`) and the login it needs.

use super::*;

// ---------------------------------------------------------------------------
// Durable writes through the HTTP API

pub(crate) struct HttpResult {
    pub(crate) ok: usize,
    pub(crate) rate: f64,
    pub(crate) window: Duration,
    pub(crate) lat: Latency,
    /// Non-201 statuses during warm-up and measurement.
    pub(crate) non201: BTreeMap<u16, u64>,
    /// Transport errors and timeouts during warm-up and measurement.
    pub(crate) errors: u64,
    /// A few examples of non-201 bodies and errors.
    pub(crate) samples: Vec<String>,
    /// 201s during warm-up (not in the figures, but written to the store).
    pub(crate) warmup_ok: u64,
    /// CPU seconds used in the measurement window by the server and by this
    /// process (the load generator), if `/proc` could tell.
    pub(crate) server_cpu: Option<f64>,
    pub(crate) client_cpu: Option<f64>,
    /// Busy CPU seconds of the whole machine in the window (all processes).
    pub(crate) machine_cpu: Option<f64>,
    /// Successes completed in each second of the window.
    pub(crate) per_second: Vec<u64>,
    /// Body bytes of those successes, per second of the window.
    pub(crate) bytes_per_second: Vec<u64>,
    /// The largest successful response body in the window.
    pub(crate) max_bytes: u64,
    /// Server CPU seconds used in each second of the window.
    pub(crate) server_cpu_per_second: Vec<Option<f64>>,
}

/// CPU seconds so far: server, this process, the whole machine.
pub(crate) type CpuSample = (Option<f64>, Option<f64>, Option<f64>);

#[derive(Default)]
pub(crate) struct ClientResult {
    pub(crate) lat_us: Vec<u64>,
    pub(crate) per_second: Vec<u64>,
    pub(crate) bytes_per_second: Vec<u64>,
    pub(crate) max_bytes: u64,
    pub(crate) non201: BTreeMap<u16, u64>,
    pub(crate) errors: u64,
    pub(crate) samples: Vec<String>,
    pub(crate) warmup_ok: u64,
}

pub(crate) fn outage_body() -> Vec<u8> {
    let now = unix_now_secs();
    let start = now - 5 * 60;
    serde_json::json!({
        "system": "melior",
        "kind": "unplanned",
        "scope": "both",
        "start": rfc3339(start),
        "expected_end": rfc3339(start + 3600),
        "notice": "bench",
        // Many outages of one system on purpose: no same-system question.
        "confirm_same_system": true,
    })
    .to_string()
    .into_bytes()
}

/// Sends one request on `conn` with the usual timeout.
pub(crate) async fn request(conn: &mut HttpConn, what: &str, req: &[u8]) -> Result<HttpResponse, String> {
    tokio::time::timeout(REQUEST_TIMEOUT, conn.send(req))
        .await
        .map_err(|_| format!("{what} timed out"))?
        .map_err(|e| format!("{what}: {e}"))
}

/// Sends one request and insists on `expect`; used before a measurement so
/// that an API change fails loudly instead of being measured as errors.
pub(crate) async fn request_expect(
    conn: &mut HttpConn,
    what: &str,
    req: &[u8],
    expect: u16,
) -> Result<HttpResponse, String> {
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
pub(crate) async fn bearer(addr: SocketAddr, username: &str) -> Result<String, String> {
    let mut conn = HttpConn::new(addr);
    let body = serde_json::json!({ "username": username, "password": DEMO_PASSWORD }).to_string();
    let req = conn.build("POST", "/api/v1/auth/token", &[("Content-Type", "application/json")], body.as_bytes());
    let resp = request_expect(&mut conn, "POST /api/v1/auth/token", &req, 201).await?;
    let v: serde_json::Value =
        serde_json::from_slice(&resp.body).map_err(|e| format!("token response is not JSON: {e}"))?;
    let token = v["token"].as_str().ok_or("the token response has no \"token\"")?;
    Ok(format!("Bearer {token}"))
}

pub(crate) async fn http_load(
    addr: SocketAddr,
    server_pid: u32,
    clients: usize,
    measure: Duration,
) -> Result<HttpResult, String> {
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
pub(crate) async fn closed_loop(
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
pub(crate) fn machine_busy_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu = stat.lines().next()?.strip_prefix("cpu ")?;
    let f: Vec<u64> = cpu.split_whitespace().filter_map(|v| v.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal (guest is inside user).
    let busy = f.iter().take(8).enumerate().filter(|(i, _)| *i != 3 && *i != 4).map(|(_, v)| v).sum::<u64>();
    Some(busy as f64 / 100.0)
}

/// User + system CPU seconds of a process (all threads), from
/// `/proc/PID/stat` (`PID` may be `self`); `/proc` counts in USER_HZ = 100.
pub(crate) fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; fields after it are plain.
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15, i.e. 11 and 12 after the name.
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}
