//! The public listener's limits over real sockets (issue 14, SECURITY.md RATE-03): slow clients do not
//! stop others being served — headers that never finish are cut after the header timeout, one address
//! cannot hold more than its share of connections, a body that never arrives answers 408 — and the
//! operators' endpoints answer only operators' networks.

use crate::harness::TestApp;
use liaison_web::WebConfig;
use liaison_web::listener::Limits;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const LIMITS: Limits =
    Limits { header_timeout_seconds: 1, request_timeout_seconds: 2, max_connections: 64, max_connections_per_ip: 3 };

async fn server() -> (TestApp, SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let app =
        TestApp::with_config(WebConfig { require_staff_mfa: false, limits: LIMITS, ..WebConfig::default() }).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(liaison_web::serve(listener, app.state.clone(), async move {
        let _ = stopped.await;
    }));
    (app, addr, stop)
}

/// A connection from the client address `from`.
async fn connect_from(from: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.bind(SocketAddr::from((from, 0))).expect("bind the client address");
    socket.connect(to).await.expect("connect")
}

/// What the server sends until it closes, within `limit`; `None` if it neither answers nor closes.
async fn answer(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut bytes = Vec::new();
    match tokio::time::timeout(limit, stream.read_to_end(&mut bytes)).await {
        Ok(_) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(_) => None,
    }
}

async fn get_healthz(to: SocketAddr) -> String {
    let mut stream = connect_from([127, 0, 0, 1], to).await;
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.expect("write");
    answer(&mut stream, Duration::from_secs(2)).await.unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_do_not_stop_others_being_served() {
    let (_app, addr, stop) = server().await;
    let mut slow = Vec::new();
    for _ in 0..3 {
        let mut stream = connect_from([127, 0, 0, 2], addr).await;
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.expect("write");
        slow.push(stream);
    }
    let mut fourth = connect_from([127, 0, 0, 2], addr).await;
    let refused = answer(&mut fourth, Duration::from_millis(800)).await;
    assert_eq!(refused.as_deref(), Some(""), "a fourth connection from the same address is closed at once");
    let started = Instant::now();
    let served = get_healthz(addr).await;
    assert!(served.starts_with("HTTP/1.1 200"), "another client is served meanwhile: {served}");
    assert!(started.elapsed() < Duration::from_millis(900), "without waiting for the slow ones");
    for stream in &mut slow {
        let cut = answer(stream, Duration::from_secs(3)).await;
        assert!(cut.is_some(), "headers that never finish are cut after the header timeout");
    }
    let mut again = connect_from([127, 0, 0, 2], addr).await;
    again.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.expect("write");
    let after = answer(&mut again, Duration::from_secs(2)).await.unwrap_or_default();
    assert!(after.starts_with("HTTP/1.1 200"), "the address gets its places back: {after}");
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_arrives_answers_408() {
    let (_app, addr, stop) = server().await;
    let mut stream = connect_from([127, 0, 0, 1], addr).await;
    let head = "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user";
    stream.write_all(head.as_bytes()).await.expect("write");
    let started = Instant::now();
    let answered = answer(&mut stream, Duration::from_secs(5)).await.unwrap_or_default();
    assert!(answered.starts_with("HTTP/1.1 408"), "{answered}");
    assert!(started.elapsed() >= Duration::from_millis(1500), "after the request timeout, not before");
    let _ = stop.send(());
}

#[tokio::test]
async fn metrics_and_the_swagger_ui_answer_operators_networks_only() {
    use axum::body::Body;
    use axum::http::Request;
    let config = WebConfig { operator_networks: vec!["10.20.0.0/16".into()], ..WebConfig::default() };
    let app = TestApp::with_config(config).await;
    for (path, from, expected) in [
        ("/metrics", [203, 0, 113, 5], 403),
        ("/api/docs/index.html", [203, 0, 113, 5], 403),
        ("/api/docs", [203, 0, 113, 5], 403),
        ("/metrics", [10, 20, 1, 2], 200),
        ("/api/docs/index.html", [10, 20, 1, 2], 200),
        ("/api/openapi.json", [203, 0, 113, 5], 200),
    ] {
        let mut request = Request::builder().uri(path).body(Body::empty()).expect("request");
        request.extensions_mut().insert(axum::extract::ConnectInfo(SocketAddr::from((from, 4000))));
        assert_eq!(app.call(request).await.status.as_u16(), expected, "{path} from {from:?}");
    }
}
