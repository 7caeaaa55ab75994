//! The server under test: spawning `reserv serve --demo` on a fresh data
//! directory, waiting for `/healthz`, reading its memory from `/proc`, and
//! sifting its stderr for `ERROR`/`WARN` lines.

use super::*;

// ---------------------------------------------------------------------------
// Server processes

/// Kills the child when dropped, so that no error path leaves a server behind.
pub(crate) struct ChildGuard(pub(crate) Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running server on its own fresh data directory.
pub(crate) struct Server {
    // Field order matters: the child is killed before its directory is removed.
    pub(crate) child: ChildGuard,
    pub(crate) addr: SocketAddr,
    pub(crate) stderr_path: PathBuf,
    pub(crate) dir: tempfile::TempDir,
}

/// What the server wrote on standard error, sifted.
pub(crate) struct ServerLog {
    pub(crate) warnings: Vec<String>,
    pub(crate) errors: Vec<String>,
    pub(crate) exited_by_itself: Option<ExitStatus>,
}

#[derive(Default)]
pub(crate) struct ServerLogs {
    pub(crate) servers: usize,
    pub(crate) warnings: Vec<String>,
    pub(crate) errors: Vec<String>,
    pub(crate) early_exits: Vec<String>,
}

impl ServerLogs {
    pub(crate) fn add(&mut self, l: ServerLog) {
        self.servers += 1;
        self.warnings.extend(l.warnings);
        self.errors.extend(l.errors);
        if let Some(s) = l.exited_by_itself {
            self.early_exits.push(s.to_string());
        }
    }
}

impl Server {
    pub(crate) fn pid(&self) -> u32 {
        self.child.0.id()
    }

    /// Kills the server and returns what it logged.
    pub(crate) fn finish(self) -> ServerLog {
        self.finish_keep().0
    }

    /// Kills the server and returns what it logged and its directory, e.g.
    /// to start it again on the same data.
    pub(crate) fn finish_keep(self) -> (ServerLog, tempfile::TempDir) {
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
pub(crate) fn start_server(bin: &Path, base: &Path) -> Result<(Server, Duration), String> {
    let dir = tempfile::Builder::new()
        .prefix("reserv-bench-")
        .tempdir_in(base)
        .map_err(|e| format!("cannot create a temp dir in {}: {e}", base.display()))?;
    launch(bin, dir)
}

/// Starts a server on the data in `dir` (fresh or left by an earlier server).
pub(crate) fn launch(bin: &Path, dir: tempfile::TempDir) -> Result<(Server, Duration), String> {
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
pub(crate) fn healthz(addr: SocketAddr) -> Option<u16> {
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
pub(crate) fn proc_status_kib(pid: u32, field: &str) -> Result<u64, String> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':')?.trim().strip_suffix("kB")?.trim().parse().ok())
        .ok_or_else(|| format!("{path}: no {field}"))
}

pub(crate) fn kib_to_mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
