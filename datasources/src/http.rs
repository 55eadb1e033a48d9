//! `data "http" "NAME"`: one HTTP request; the response's body and headers
//! become the data source's outputs. Packer's semantics: any method of
//! [`METHODS`], a non-2xx answer is an error, and the response headers come
//! back under the name `request_headers` (Packer's output name, kept so
//! templates written for it work) and, by their right name, as
//! `response_headers`, with the `status_code`.

use kiln_core::cancel::POLL;
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::datasource::{DataSourceError, OutputType, Outputs};
use kiln_core::{Cancel, DataSource};
use serde::Deserialize;
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::Duration;

/// The methods Packer's http data source accepts.
pub const METHODS: [&str; 7] = ["HEAD", "GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];

/// How long the whole request may take. Packer sets none; a data source
/// that never answers would hang `build` forever, which kiln does not.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub request_headers: BTreeMap<String, String>,
    #[serde(default)]
    pub request_body: Option<String>,
}

impl Validate for HttpConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if self.url.is_empty() {
            out.push(ConfigProblem::field("url", "the `url` must be specified"));
        }
        if let Some(m) = &self.method {
            if !METHODS.contains(&m.to_ascii_uppercase().as_str()) {
                out.push(ConfigProblem::field(
                    "method",
                    format!("the `method` must be one of {}", METHODS.join(", ")),
                ));
            }
        }
        out
    }
}

#[derive(Debug, Clone)]
pub struct Http {
    config: HttpConfig,
    timeout: Duration,
}

impl From<HttpConfig> for Http {
    fn from(config: HttpConfig) -> Http {
        Http {
            config,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl Http {
    /// The same data source with another request timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Http {
        self.timeout = timeout;
        self
    }

    fn request(&self) -> Result<Outputs, String> {
        let c = &self.config;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(self.timeout))
            .allow_non_standard_methods(true)
            .user_agent(concat!("kiln/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let method = c.method.as_deref().unwrap_or("GET").to_ascii_uppercase();
        let mut req = ureq::http::Request::builder()
            .method(method.as_str())
            .uri(c.url.as_str());
        for (k, v) in &c.request_headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let body = c.request_body.clone().unwrap_or_default();
        let req = req
            .body(body)
            .map_err(|e| format!("HTTP request error: {e}"))?;
        let mut resp = agent
            .run(req)
            .map_err(|e| format!("HTTP request error: {e}"))?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(format!("HTTP request error. Response code: {status}"));
        }
        let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in resp.headers() {
            headers
                .entry(canonical_header(k.as_str()))
                .or_default()
                .push(String::from_utf8_lossy(v.as_bytes()).into_owned());
        }
        let body = resp
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("HTTP request error: reading the body: {e}"))?;
        let headers = J::Object(
            headers
                .into_iter()
                // Duplicates joined as RFC 2616 allows, as Packer does.
                .map(|(k, vs)| (k, J::from(vs.join(", "))))
                .collect(),
        );
        let mut out = Outputs::new();
        out.insert("url".into(), J::from(c.url.as_str()));
        out.insert("body".into(), J::from(body));
        out.insert("status_code".into(), J::from(status));
        out.insert("request_headers".into(), headers.clone());
        out.insert("response_headers".into(), headers);
        Ok(out)
    }
}

/// Go's `textproto.CanonicalMIMEHeaderKey`: the form Packer's header map
/// keys have (`content-type` → `Content-Type`).
fn canonical_header(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for ch in name.chars() {
        out.push(if upper {
            ch.to_ascii_uppercase()
        } else {
            ch.to_ascii_lowercase()
        });
        upper = ch == '-';
    }
    out
}

impl DataSource for Http {
    fn outputs(&self) -> &'static [(&'static str, OutputType)] {
        &[
            ("url", OutputType::String),
            ("body", OutputType::String),
            ("status_code", OutputType::Number),
            ("request_headers", OutputType::StringMap),
            ("response_headers", OutputType::StringMap),
        ]
    }

    fn execute(&self, cancel: &Cancel) -> Result<Outputs, DataSourceError> {
        // ureq blocks; the request runs on its own thread so that a
        // cancelled build does not wait for the timeout.
        let (tx, rx) = mpsc::channel();
        let this = self.clone();
        std::thread::spawn(move || {
            // The receiver is gone only when the caller was cancelled.
            let _ = tx.send(this.request());
        });
        loop {
            match rx.recv_timeout(POLL) {
                Ok(r) => return r.map_err(DataSourceError::Failed),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if cancel.reason().is_some() {
                        return Err(DataSourceError::Cancelled);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(DataSourceError::Failed(
                        "HTTP request error: the request thread stopped".into(),
                    ))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
