//! What the outputs show of HTTP: re-sends with their cause against a target that resets
//! kept-alive connections, the request phases as thresholds and summary entries, the decoded
//! content size beside the wire bytes, and the `--insecure` warning.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;

use crate::common::*;

/// A keep-alive HTTP/1.1 server on 127.0.0.1 that answers every GET with `hello`, and once a
/// connection has answered `every` requests (0: never), waits for the next to arrive and
/// closes without reading it: the kernel resets the connection under the client's request,
/// the race a server with a per-connection request limit (nginx's `keepalive_requests`)
/// loses in real life.
struct ResettingServer {
    port: u16,
    served: Arc<AtomicU64>,
    resets: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

const BODY: &[u8] = b"hello";

impl ResettingServer {
    fn start(every: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let served = Arc::new(AtomicU64::new(0));
        let resets = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, r, halt) = (served.clone(), resets.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (s, r) = (s.clone(), r.clone());
                std::thread::spawn(move || serve(stream, every, &s, &r));
            }
        });
        Self {
            port,
            served,
            resets,
            stop,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for ResettingServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Answers requests on one connection until the client closes it, or resets it as above.
fn serve(stream: TcpStream, every: u64, served: &AtomicU64, resets: &AtomicU64) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut answered = 0;
    loop {
        // The request line and headers; the client's GETs have no body.
        let mut got_request = false;
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) if line == "\r\n" => break,
                Ok(_) => got_request = true,
            }
        }
        if !got_request {
            return;
        }
        // One write: a second one would wait on the client's delayed ACK (Nagle).
        let mut answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: text/plain\r\n\r\n",
            BODY.len()
        )
        .into_bytes();
        answer.extend_from_slice(BODY);
        if writer.write_all(&answer).is_err() {
            return;
        }
        served.fetch_add(1, Ordering::Relaxed);
        answered += 1;
        if answered == every {
            // Wait for the next request, then close with it unread: Linux answers with RST.
            let mut probe = [0u8; 1];
            if matches!(reader.get_ref().peek(&mut probe), Ok(n) if n > 0) {
                resets.fetch_add(1, Ordering::Relaxed);
            }
            return;
        }
    }
}

/// What a run of raw-get left: the process, its JSON summary and its `_stats.csv`.
struct Outputs {
    ran: Ran,
    summary: Value,
    stats_csv: String,
}

/// Runs raw-get (one GET / per iteration, no think time) against `url` for `secs`.
async fn run_raw_get(url: &str, users: &str, secs: &str, extra: &[&str]) -> Outputs {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("summary.json");
    let csv = dir.path().join("run");
    let mut list = args(&[
        "run",
        guest("raw-get").to_str().unwrap(),
        "--host",
        url,
        "-u",
        users,
        "-r",
        "1000",
        "-t",
        secs,
        "-q",
        "--json",
        json.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    list.extend(args(extra));
    let ran = run_horde(list, Duration::from_secs(60)).await;
    assert!(json.exists(), "no summary: {}", ran.stderr);
    Outputs {
        summary: read_json(&json),
        stats_csv: std::fs::read_to_string(dir.path().join("run_stats.csv")).unwrap(),
        ran,
    }
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

/// The regression of issue 12: a target resetting its connections saw its resets counted
/// nowhere. Every reset it made under a request shows as a re-send with its cause, none as a
/// failure, and the requests counted are exactly those it answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_resets_connections_shows_the_re_sends() {
    let server = ResettingServer::start(7);
    let Outputs {
        ran,
        summary,
        stats_csv,
    } = run_raw_get(&server.url(), "4", "2s", &[]).await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let served = server.served.load(Ordering::Relaxed);
    let resets = server.resets.load(Ordering::Relaxed);
    let all = &summary["aggregated"];
    assert!(resets > 10, "the server reset {resets} connections");
    assert_eq!(
        count(&all["num_requests"]),
        served,
        "one count per answered request"
    );
    assert_eq!(count(&all["num_failures"]), 0, "{:#}", summary["errors"]);
    let retries = count(&all["retries"]);
    // Every reset happened under a request, which went out again on a fresh connection;
    // only the run's end may leave a last reset without its re-send counted.
    assert!(
        retries <= resets && retries + 4 >= resets,
        "{retries} re-sends for {resets} resets"
    );
    let resends = summary["resends"].as_array().unwrap();
    let listed: u64 = resends.iter().map(|r| count(&r["occurrences"])).sum();
    assert_eq!(
        listed, retries,
        "each re-send is listed with its cause: {resends:?}"
    );
    for r in resends {
        let error = r["error"].as_str().unwrap();
        assert!(error.starts_with("re-sent after: "), "{error}");
        assert_eq!(
            (r["method"].as_str(), r["name"].as_str()),
            (Some("GET"), Some("/"))
        );
    }
    assert!(
        resends.iter().any(|r| {
            let e = r["error"].as_str().unwrap().to_lowercase();
            e.contains("reset") || e.contains("closed")
        }),
        "the cause names the reset: {resends:?}"
    );
    assert!(summary["errors"].as_array().unwrap().is_empty());
    assert_eq!(count(&entry(&summary, "GET", "/")["retries"]), retries);
    assert!(
        schema_problems(&summary).is_empty(),
        "{:?}",
        schema_problems(&summary)
    );
    // The console's error report and table, and the CSV's trailing column, say the same.
    assert!(
        ran.stdout.contains("Redirects and re-sends"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("re-sent after: "), "{}", ran.stdout);
    let header: Vec<&str> = stats_csv.lines().next().unwrap().split(',').collect();
    let aggregated: Vec<&str> = stats_csv.lines().last().unwrap().split(',').collect();
    assert_eq!(header.last(), Some(&"Retry Count"));
    assert_eq!(aggregated.last(), Some(&retries.to_string().as_str()));
}

/// The phases are metrics thresholds accept, with tags; the summary has them per name and
/// for all requests, consistent with the counts and the duration; the content size is the
/// decoded body's, beside the wire's bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phases_sizes_and_thresholds_on_them() {
    let server = ResettingServer::start(0);
    // An aggregation the trend does not have is refused before the run, naming the kind.
    let url = server.url();
    let refused = run_horde(
        args(&[
            "run",
            guest("raw-get").to_str().unwrap(),
            "--host",
            &url,
            "-t",
            "1s",
            "--threshold",
            "http_req_waiting{name:/}: count>1",
        ]),
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(refused.code, 2, "stderr: {}", refused.stderr);
    assert!(
        refused.stderr.contains("trend metric"),
        "{}",
        refused.stderr
    );
    assert_eq!(server.served.load(Ordering::Relaxed), 0, "nothing was sent");

    let Outputs {
        ran,
        summary,
        stats_csv,
    } = run_raw_get(
        &server.url(),
        "2",
        "1s",
        &[
            "--threshold",
            "http_req_waiting{name:/}: p(95)<5000, max>=0",
            "--threshold",
            "http_req_tls_handshaking{method:GET}: max==0",
            "--threshold",
            "http_req_connecting: p(99)<5000",
        ],
    )
    .await;
    assert_eq!(
        ran.code, 0,
        "stdout: {}\nstderr: {}",
        ran.stdout, ran.stderr
    );
    let verdicts = summary["thresholds"].as_array().unwrap();
    assert_eq!(verdicts.len(), 3);
    for v in verdicts {
        assert_eq!(v["passed"], true, "{v:#}");
        assert!(
            v["conditions"][0]["measured"].is_number(),
            "measured: {v:#}"
        );
    }
    assert!(
        schema_problems(&summary).is_empty(),
        "{:?}",
        schema_problems(&summary)
    );
    let served = server.served.load(Ordering::Relaxed);
    for s in [entry(&summary, "GET", "/"), &summary["aggregated"]] {
        assert_eq!(count(&s["num_requests"]), served);
        let phases = &s["phases_ms"];
        for key in [
            "blocked",
            "connecting",
            "tls_handshaking",
            "sending",
            "waiting",
            "receiving",
        ] {
            let p = &phases[key];
            assert_eq!(count(&p["count"]), served, "every response is timed: {key}");
            let order = ["min", "med", "p90", "p95", "p99", "max"].map(|k| number(&p[k]));
            assert!(order.windows(2).all(|w| w[0] <= w[1]), "{key}: {p}");
            assert!(number(&p["avg"]) <= number(&p["max"]), "{key}: {p}");
        }
        assert_eq!(number(&phases["tls_handshaking"]["max"]), 0.0, "plain http");
        // The duration is sending + waiting + receiving: their averages cannot exceed it.
        let timed: f64 = ["sending", "waiting", "receiving"]
            .iter()
            .map(|k| number(&phases[*k]["avg"]))
            .sum();
        assert!(
            timed <= number(&s["avg_response_time_ms"]) + 0.01,
            "{timed} {s:#}"
        );
        // Each body is 5 bytes, counted when the scenario took it (raw-get does not copy
        // bodies in, so today's client counts 0 for it); the wire carried more: the status
        // line and headers of every response.
        let body = count(&s["body_bytes_received"]);
        assert!(
            body <= 5 * served && body.is_multiple_of(5),
            "{body} body bytes"
        );
        let per_request = body as f64 / served as f64;
        assert!((number(&s["avg_content_size_bytes"]) - per_request).abs() < 1e-9);
        assert!(count(&s["bytes_received"]) > 5 * served);
        assert_eq!(count(&s["redirects"]), 0);
        assert_eq!(count(&s["retries"]), 0, "this server never resets");
    }
    assert!(summary["warnings"].as_array().unwrap().is_empty());
    assert!(!ran.stdout.contains("WARNING"));
    assert!(
        ran.stdout.contains("Request phases, all requests"),
        "{}",
        ran.stdout
    );
    assert!(
        !ran.stdout.contains("Redirects and re-sends"),
        "nothing to show"
    );
    let header: Vec<&str> = stats_csv.lines().next().unwrap().split(',').collect();
    let size = header
        .iter()
        .position(|h| *h == "Average Content Size")
        .unwrap();
    let aggregated: Vec<&str> = stats_csv.lines().last().unwrap().split(',').collect();
    let avg_size = number(&summary["aggregated"]["avg_content_size_bytes"]);
    let csv_size: f64 = aggregated[size].parse().unwrap();
    assert_eq!(
        csv_size, avg_size,
        "Locust's content size is the decoded body's"
    );
    // Waiting is part of the duration; its histogram keeps two digits to the duration's
    // three, so its p95 may read up to 1 % above a duration that is nearly all waiting.
    for row in summary["time_series"].as_array().unwrap() {
        let (waiting, p95) = (number(&row["waiting_p95_ms"]), number(&row["p95_ms"]));
        assert!(waiting <= p95 * 1.01 + 0.001, "{row}");
    }
}

/// `--insecure` ends the console summary with a warning and puts it in the JSON.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_insecure_run_warns_that_certificates_were_not_verified() {
    let server = ResettingServer::start(0);
    let Outputs { ran, summary, .. } = run_raw_get(&server.url(), "1", "1s", &["--insecure"]).await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let warnings = summary["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].as_str().unwrap().contains("not verified"));
    let last = ran.stdout.lines().last().unwrap();
    assert!(last.starts_with("WARNING: --insecure"), "{}", ran.stdout);
    assert!(
        schema_problems(&summary).is_empty(),
        "{:?}",
        schema_problems(&summary)
    );
}
