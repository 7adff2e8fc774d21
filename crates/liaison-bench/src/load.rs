//! A closed-loop load generator over keep-alive HTTP/1.1: N tasks, each sending its next request as
//! soon as the last one answered, for a fixed time; latencies summarised as percentiles.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::fmt;
use std::time::{Duration, Instant};

/// The HTTP client.
pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// A keep-alive client.
pub fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).pool_max_idle_per_host(256).build_http()
}

/// GETs `url` with an optional cookie; returns the status and body.
pub async fn get(client: &HttpClient, url: &str, cookie: Option<&str>) -> anyhow::Result<(u16, Bytes)> {
    let mut request = http::Request::get(url);
    if let Some(cookie) = cookie {
        request = request.header(http::header::COOKIE, cookie);
    }
    let response = client.request(request.body(Full::new(Bytes::new()))?).await?;
    let status = response.status().as_u16();
    Ok((status, response.into_body().collect().await?.to_bytes()))
}

/// Signs in through the API and returns the `Cookie` header value.
pub async fn sign_in(origin: &str, username: &str, password: &str) -> anyhow::Result<String> {
    let body = serde_json::json!({"username": username, "password": password}).to_string();
    let request = http::Request::post(format!("{origin}/api/v1/session"))
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))?;
    let response = client().request(request).await?;
    anyhow::ensure!(response.status() == 200, "sign-in as {username} answered {}", response.status());
    let cookie = response
        .headers()
        .get(http::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))?;
    Ok(cookie.to_owned())
}

/// Throughput and latency of one scenario.
pub struct Report {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Report {
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let index = ((self.latencies.len() as f64 * p).ceil() as usize).clamp(1, self.latencies.len()) - 1;
        self.latencies[index].as_secs_f64() * 1000.0
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.0} req/s, p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {} requests, {} errors",
            self.requests as f64 / self.elapsed.as_secs_f64(),
            self.percentile(0.50),
            self.percentile(0.90),
            self.percentile(0.99),
            self.latencies.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
            self.requests,
            self.errors
        )
    }
}

/// One kind of request a scenario repeats.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `GET` or `POST`.
    pub method: http::Method,
    /// Path and query.
    pub path: String,
    /// Bodies for POST (`content_type`); connection `i` sends `bodies[i % len]`, none when empty.
    pub bodies: Vec<String>,
    /// The bodies' content type.
    pub content_type: &'static str,
    /// Session cookies; connection `i` uses `cookies[i % len]`.
    pub cookies: Vec<String>,
    /// The status that counts as success.
    pub expect: u16,
}

async fn send(client: &HttpClient, origin: &str, scenario: &Scenario, connection: usize) -> anyhow::Result<u16> {
    let mut request =
        http::Request::builder().method(scenario.method.clone()).uri(format!("{origin}{}", scenario.path));
    request = request.header(http::header::ORIGIN, origin);
    if !scenario.cookies.is_empty() {
        request = request.header(http::header::COOKIE, &scenario.cookies[connection % scenario.cookies.len()]);
    }
    let body = if scenario.bodies.is_empty() {
        Bytes::new()
    } else {
        request = request.header(http::header::CONTENT_TYPE, scenario.content_type);
        Bytes::from(scenario.bodies[connection % scenario.bodies.len()].clone())
    };
    let response = client.request(request.body(Full::new(body))?).await?;
    let status = response.status().as_u16();
    response.into_body().collect().await?;
    Ok(status)
}

/// Runs `connections` closed loops of the scenario for `duration` (after one warm-up request each).
pub async fn run(origin: &str, scenario: &Scenario, connections: usize, duration: Duration) -> anyhow::Result<Report> {
    let client = client();
    for i in 0..connections {
        send(&client, origin, scenario, i).await?;
    }
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for i in 0..connections {
        let (client, origin, scenario) = (client.clone(), origin.to_owned(), scenario.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match send(&client, &origin, &scenario, i).await {
                    Ok(status) if status == scenario.expect => latencies.push(sent.elapsed()),
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut report = Report { requests: 0, errors: 0, elapsed: Duration::ZERO, latencies: Vec::new() };
    for task in tasks {
        let (latencies, errors) = task.await?;
        report.requests += latencies.len() + errors;
        report.errors += errors;
        report.latencies.extend(latencies);
    }
    report.elapsed = started.elapsed();
    report.latencies.sort();
    Ok(report)
}

/// A GET scenario with one cookie (or none when empty).
pub fn get_scenario(path: &str, cookie: &str) -> Scenario {
    Scenario {
        method: http::Method::GET,
        path: path.to_owned(),
        bodies: Vec::new(),
        content_type: "",
        cookies: if cookie.is_empty() { Vec::new() } else { vec![cookie.to_owned()] },
        expect: 200,
    }
}
