//! A closed-loop load generator over keep-alive HTTP/1.1: N connections, each sending its next request
//! as soon as the last one answered, for a fixed time; latencies summarised as percentiles. Setup
//! (sign-in, readiness) uses a hyper client; the measured loops speak HTTP/1.1 directly.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::fmt;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

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

impl Scenario {
    /// The bytes of connection `connection`'s request, written once and sent on every round.
    fn request(&self, host: &str, connection: usize) -> Vec<u8> {
        let mut head = format!("{} {} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n", self.method, self.path);
        if !self.cookies.is_empty() {
            head.push_str(&format!("Cookie: {}\r\n", self.cookies[connection % self.cookies.len()]));
        }
        let body = if self.bodies.is_empty() { "" } else { &self.bodies[connection % self.bodies.len()] };
        if !self.bodies.is_empty() {
            head.push_str(&format!("Content-Type: {}\r\n", self.content_type));
        }
        if !body.is_empty() || self.method == http::Method::POST {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body.as_bytes());
        bytes
    }
}

/// One keep-alive connection of a closed loop, speaking just enough HTTP/1.1 to send a request and
/// read its whole answer (`Content-Length` or chunked) — so the generator's own cost stays small beside
/// the server's on the two cores they share.
struct Connection {
    address: std::net::SocketAddr,
    stream: Option<BufReader<TcpStream>>,
    line: Vec<u8>,
    body: Vec<u8>,
}

impl Connection {
    fn new(address: std::net::SocketAddr) -> Self {
        Connection { address, stream: None, line: Vec::new(), body: Vec::new() }
    }

    /// Sends `request` and reads the answer; returns its status. A failed exchange drops the connection,
    /// so the next one opens a fresh one.
    async fn exchange(&mut self, request: &[u8]) -> std::io::Result<u16> {
        let result = self.try_exchange(request).await;
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    async fn try_exchange(&mut self, request: &[u8]) -> std::io::Result<u16> {
        let stream = match &mut self.stream {
            Some(stream) => stream,
            None => {
                let stream = TcpStream::connect(self.address).await?;
                stream.set_nodelay(true)?;
                self.stream.insert(BufReader::with_capacity(64 * 1024, stream))
            }
        };
        stream.get_mut().write_all(request).await?;
        let mut status = None;
        let (mut length, mut chunked, mut close) = (0usize, false, false);
        loop {
            self.line.clear();
            if stream.read_until(b'\n', &mut self.line).await? == 0 {
                return Err(invalid("connection closed"));
            }
            let line = std::str::from_utf8(&self.line).map_err(|_| invalid("header not UTF-8"))?.trim_end();
            if line.is_empty() {
                break;
            }
            if status.is_none() {
                status = line.split(' ').nth(1).and_then(|code| code.parse().ok());
                continue;
            }
            let (name, value) = line.split_once(':').ok_or_else(|| invalid("header without a colon"))?;
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().map_err(|_| invalid("content-length"))?;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.eq_ignore_ascii_case("close");
            }
        }
        if chunked {
            loop {
                self.line.clear();
                stream.read_until(b'\n', &mut self.line).await?;
                let size = std::str::from_utf8(&self.line).ok().map(str::trim).unwrap_or_default();
                let size = usize::from_str_radix(size.split(';').next().unwrap_or_default(), 16)
                    .map_err(|_| invalid("chunk size"))?;
                self.body.resize(size + 2, 0);
                stream.read_exact(&mut self.body).await?;
                if size == 0 {
                    break;
                }
            }
        } else {
            self.body.resize(length, 0);
            stream.read_exact(&mut self.body).await?;
        }
        if close {
            self.stream = None;
        }
        status.ok_or_else(|| invalid("no status line"))
    }
}

fn invalid(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned())
}

/// Runs `connections` closed loops of the scenario for `duration` (after one warm-up request each), on a
/// thread of their own with a single-threaded runtime.
pub async fn run(origin: &str, scenario: &Scenario, connections: usize, duration: Duration) -> anyhow::Result<Report> {
    let host = origin.strip_prefix("http://").unwrap_or(origin).to_owned();
    let address =
        tokio::net::lookup_host(&host).await?.next().ok_or_else(|| anyhow::anyhow!("no address for {host}"))?;
    let scenario = scenario.clone();
    tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        runtime.block_on(closed_loops(address, &host, &scenario, connections, duration))
    })
    .await?
}

async fn closed_loops(
    address: std::net::SocketAddr,
    host: &str,
    scenario: &Scenario,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Report> {
    let mut loops = Vec::new();
    for i in 0..connections {
        let request = scenario.request(host, i);
        let mut connection = Connection::new(address);
        let status = connection.exchange(&request).await?;
        anyhow::ensure!(status == scenario.expect, "{} {} answered {status}", scenario.method, scenario.path);
        loops.push((connection, request));
    }
    let started = Instant::now();
    let deadline = started + duration;
    let expect = scenario.expect;
    let mut tasks = tokio::task::JoinSet::new();
    for (mut connection, request) in loops {
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match connection.exchange(&request).await {
                    Ok(status) if status == expect => latencies.push(sent.elapsed()),
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        });
    }
    let mut report = Report { requests: 0, errors: 0, elapsed: Duration::ZERO, latencies: Vec::new() };
    while let Some(done) = tasks.join_next().await {
        let (latencies, errors) = done?;
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
