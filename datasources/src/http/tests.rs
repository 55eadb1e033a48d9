use super::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// A loopback HTTP/1.1 peer: answers every request with `status`,
/// `headers` and `body`, after `delay`; records each request's text.
struct Peer {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

fn peer(
    status: u16,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
    delay: Duration,
) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/path?q=1", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut text = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                text.push_str(&line);
            }
            let mut req_body = vec![0; length];
            let _ = reader.read_exact(&mut req_body);
            text.push_str(&String::from_utf8_lossy(&req_body));
            log.lock().expect("lock").push(text);
            std::thread::sleep(delay);
            let mut answer = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                answer.push_str(&format!("{k}: {v}\r\n"));
            }
            answer.push_str("\r\n");
            answer.push_str(body);
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    Peer { url, seen }
}

fn config(url: &str) -> HttpConfig {
    HttpConfig {
        url: url.to_owned(),
        ..HttpConfig::default()
    }
}

#[test]
fn a_get_returns_body_url_and_response_headers() {
    let p = peer(
        200,
        &[
            ("Content-Type", "text/plain"),
            ("x-twice", "a"),
            ("X-Twice", "b"),
        ],
        "hello",
        Duration::ZERO,
    );
    let mut c = config(&p.url);
    c.request_headers.insert("X-Asked".into(), "yes".into());
    let out = Http::from(c).execute(&Cancel::new()).expect("request");
    assert_eq!(out["body"], "hello");
    assert_eq!(out["url"], J::from(p.url.as_str()));
    assert_eq!(out["request_headers"]["Content-Type"], "text/plain");
    assert_eq!(out["request_headers"]["X-Twice"], "a, b");
    assert_eq!(out["status_code"], 200);
    assert_eq!(out["response_headers"], out["request_headers"]);
    let seen = p.seen.lock().expect("lock");
    assert!(seen[0].starts_with("GET /path?q=1 "), "{seen:?}");
    assert!(
        seen[0].to_ascii_lowercase().contains("x-asked: yes"),
        "{seen:?}"
    );
}

#[test]
fn method_and_request_body_are_sent() {
    let p = peer(201, &[], "made", Duration::ZERO);
    let mut c = config(&p.url);
    c.method = Some("post".into());
    c.request_body = Some("payload".into());
    let out = Http::from(c).execute(&Cancel::new()).expect("request");
    assert_eq!(out["body"], "made");
    assert_eq!(out["status_code"], 201);
    let seen = p.seen.lock().expect("lock");
    assert!(seen[0].starts_with("POST /path?q=1 "), "{seen:?}");
    assert!(seen[0].ends_with("payload"), "{seen:?}");
}

#[test]
fn a_non_2xx_answer_is_an_error() {
    let p = peer(404, &[], "not here", Duration::ZERO);
    let err = Http::from(config(&p.url))
        .execute(&Cancel::new())
        .expect_err("404");
    assert_eq!(err.to_string(), "HTTP request error. Response code: 404");
}

#[test]
fn a_peer_that_does_not_answer_times_out() {
    let p = peer(200, &[], "late", Duration::from_secs(5));
    let started = std::time::Instant::now();
    let err = Http::from(config(&p.url))
        .with_timeout(Duration::from_millis(300))
        .execute(&Cancel::new())
        .expect_err("timeout");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(err.to_string().starts_with("HTTP request error:"), "{err}");
}

#[test]
fn cancelling_stops_the_wait() {
    let p = peer(200, &[], "late", Duration::from_secs(5));
    let cancel = Cancel::new();
    let c2 = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        c2.cancel();
    });
    let err = Http::from(config(&p.url))
        .execute(&cancel)
        .expect_err("cancelled");
    assert!(matches!(err, DataSourceError::Cancelled), "{err}");
}

#[test]
fn config_problems() {
    let mut c = config("");
    c.method = Some("FETCH".into());
    let problems = c.validate();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].field, Some("url"));
    assert_eq!(problems[1].field, Some("method"));
}
