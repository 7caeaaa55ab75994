//! A minimal HTTP/1.1 client on tokio's `TcpStream`: keep-alive requests
//! built once and sent many times, responses with `Content-Length` or
//! chunked bodies.

use super::*;

// ---------------------------------------------------------------------------
// A minimal HTTP/1.1 client

pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    /// The status line and headers, without the final empty line.
    pub(crate) head: String,
    /// When the head had arrived (the server's time to first byte, roughly).
    pub(crate) head_at: Instant,
    pub(crate) body: Vec<u8>,
}

impl HttpResponse {
    /// The value of the first `Set-Cookie` for `name`.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
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
pub(crate) struct HttpConn {
    pub(crate) addr: SocketAddr,
    pub(crate) stream: Option<TcpStream>,
    pub(crate) buf: Vec<u8>,
}

pub(crate) fn parse_status_line(head: &str) -> Option<u16> {
    let line = head.lines().next()?;
    let mut parts = line.split(' ');
    if !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    parts.next()?.parse().ok()
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub(crate) fn io_err(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

impl HttpConn {
    pub(crate) fn new(addr: SocketAddr) -> HttpConn {
        HttpConn { addr, stream: None, buf: Vec::with_capacity(16 * 1024) }
    }

    pub(crate) fn reset(&mut self) {
        self.stream = None;
        self.buf.clear();
    }

    /// Builds a request with `Content-Length`.
    pub(crate) fn build(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
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
    pub(crate) async fn send(&mut self, request: &[u8]) -> std::io::Result<HttpResponse> {
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

    pub(crate) async fn exchange(&mut self, request: &[u8]) -> std::io::Result<HttpResponse> {
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
pub(crate) async fn fill(s: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut chunk = [0u8; 16 * 1024];
    let n = s.read(&mut chunk).await?;
    if n == 0 {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed by the server"));
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

pub(crate) async fn read_chunked(s: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<Vec<u8>> {
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
