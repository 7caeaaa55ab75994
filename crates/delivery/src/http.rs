//! JSON over HTTP(S): the SMS gateway and the webhook. One POST per message,
//! `Content-Type: application/json`, the configured `Authorization` header
//! (from an environment variable), TLS through rustls with the system's
//! trusted certificates (so a region's own CA works when installed).

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use hyper::{Request, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use reserv_core::outbox::Failure;

use crate::{Secret, SetupError};

/// An HTTP endpoint messages are POSTed to.
#[derive(Clone)]
pub struct HttpTarget {
    /// `https://…` (or `http://` for a gateway on the same host).
    pub url: String,
    /// The whole `Authorization` header value, e.g. `Bearer …`.
    pub authorization: Option<Secret>,
    pub timeout: Duration,
}

impl std::fmt::Debug for HttpTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let uri: Option<Uri> = self.url.parse().ok();
        f.debug_struct("HttpTarget")
            .field("endpoint", &uri.as_ref().map(endpoint))
            .field("authorization", &self.authorization.as_ref().map(|_| "***"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Scheme, host and port only: no user info, path or query (which may hold keys).
fn endpoint(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("http");
    match (uri.host(), uri.port_u16()) {
        (Some(h), Some(p)) => format!("{scheme}://{h}:{p}"),
        (Some(h), None) => format!("{scheme}://{h}"),
        _ => "(okänd adress)".into(),
    }
}

pub(crate) struct Http {
    uri: Uri,
    authorization: Option<Secret>,
    timeout: Duration,
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

/// How much of an error response is kept (it is shown on the outage page).
const SNIPPET: usize = 200;

impl Http {
    pub(crate) fn new(t: HttpTarget) -> Result<Http, SetupError> {
        let uri: Uri = t.url.trim().parse().map_err(|_| SetupError::Http("ogiltig URL".into()))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
            return Err(SetupError::Http(format!("{}: URL:en måste börja med https:// eller http://", endpoint(&uri))));
        }
        if let Some(a) = &t.authorization
            && hyper::header::HeaderValue::from_str(a.expose()).is_err()
        {
            return Err(SetupError::Http(
                "authorization-värdet i miljövariabeln är inte ett giltigt HTTP-huvud".into(),
            ));
        }
        let provider = rustls::crypto::ring::default_provider();
        let builder = match hyper_rustls::HttpsConnectorBuilder::new().with_provider_and_native_roots(provider) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "no trusted certificates found on this system: https endpoints will fail");
                let config =
                    rustls::ClientConfig::builder_with_provider(rustls::crypto::ring::default_provider().into())
                        .with_safe_default_protocol_versions()
                        .map_err(|e| SetupError::Http(e.to_string()))?
                        .with_root_certificates(rustls::RootCertStore::empty())
                        .with_no_client_auth();
                hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
            }
        };
        let connector = builder.https_or_http().enable_http1().build();
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Http { uri, authorization: t.authorization, timeout: t.timeout, client })
    }

    pub(crate) fn describe(&self) -> String {
        endpoint(&self.uri)
    }

    /// POSTs `body`; `who` names the far side in error messages.
    pub(crate) async fn post(&self, who: &str, body: &serde_json::Value) -> Result<String, Failure> {
        let host = endpoint(&self.uri);
        let mut req = Request::post(self.uri.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, concat!("Reserv/", env!("CARGO_PKG_VERSION")));
        if let Some(a) = &self.authorization {
            req = req.header(AUTHORIZATION, a.expose());
        }
        let req = req
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| Failure::permanent(format!("{who}: kan inte bygga begäran: {e}")))?;
        let secs = self.timeout.as_secs();
        let resp = match tokio::time::timeout(self.timeout, self.client.request(req)).await {
            Err(_) => {
                return Err(Failure::ambiguous(format!("{who} ({host}) svarade inte inom {secs} s")));
            }
            // Not connected: nothing was sent, so trying again is safe.
            Ok(Err(e)) if e.is_connect() => {
                return Err(Failure::transient(format!("kan inte ansluta till {who} ({host}): {}", root_cause(&e))));
            }
            Ok(Err(e)) => {
                return Err(Failure::ambiguous(format!("förbindelsen med {who} ({host}) bröts: {}", root_cause(&e))));
            }
            Ok(Ok(r)) => r,
        };
        let status = resp.status();
        let text = match tokio::time::timeout(self.timeout, resp.into_body().collect()).await {
            Ok(Ok(b)) => snippet(&b.to_bytes()),
            _ => String::new(),
        };
        let said = if text.is_empty() { status.to_string() } else { format!("{status}: {text}") };
        if status.is_success() {
            Ok(said)
        } else if status.is_server_error() || status.as_u16() == 429 {
            Err(Failure::transient(format!("{who} ({host}) svarade {said}")))
        } else {
            Err(Failure::permanent(format!("{who} ({host}) vägrade: {said}")))
        }
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        last = s.to_string();
        src = s.source();
    }
    last
}

/// The start of a response body, on one line.
fn snippet(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    one.chars().take(SNIPPET).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_hide_user_info_paths_and_queries() {
        let u: Uri = "https://user:pass@sms.example.org:8443/send?apikey=hemlig".parse().unwrap();
        assert_eq!(endpoint(&u), "https://sms.example.org:8443");
        assert_eq!(snippet(b"  {\"error\":\n \"quota\"}  "), "{\"error\": \"quota\"}");
    }
}
