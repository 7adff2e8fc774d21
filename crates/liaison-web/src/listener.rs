//! Serving on a public listener (SECURITY.md RATE-03): a few slow or greedy clients cannot hold every
//! connection. Each connection must send its request headers within `header_timeout` (hyper's header
//! read timeout, which also closes a kept-alive connection idle that long); a whole request — its body
//! and the handler — must finish within `request_timeout` (408 otherwise); at most `max_connections`
//! are open at once (further clients wait in the kernel's backlog) and at most
//! `max_connections_per_ip` from one address (more are closed at once; trusted proxies are exempt, as
//! they carry many clients).

use crate::AppState;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// The listener's limits (the `[web]` settings `header_timeout_seconds` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Seconds a client has to send a request's headers (and a kept-alive connection may stay idle).
    pub header_timeout_seconds: u64,
    /// Seconds a whole request may take, body included (408 after).
    pub request_timeout_seconds: u64,
    /// Connections open at once.
    pub max_connections: usize,
    /// Connections open at once from one client address (trusted proxies exempt).
    pub max_connections_per_ip: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout_seconds: 10,
            request_timeout_seconds: 60,
            max_connections: 1024,
            max_connections_per_ip: 64,
        }
    }
}

/// Open connections per client address.
#[derive(Debug, Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

impl PerAddress {
    /// Counts a connection from `ip` unless it already has `max`; the guard uncounts it when dropped.
    fn admit(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<AddressGuard> {
        let mut open = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(ip).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(AddressGuard { table: Arc::clone(self), ip })
    }
}

struct AddressGuard {
    table: Arc<PerAddress>,
    ip: IpAddr,
}

impl Drop for AddressGuard {
    fn drop(&mut self) {
        let mut open = self.table.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Serves the application on `listener` until `shutdown` resolves, then lets open requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.config.limits;
    let exempt: Vec<IpAddr> = state.config.trusted_proxies.iter().filter_map(|p| p.parse().ok()).collect();
    let router = crate::app(state).layer(tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(limits.request_timeout_seconds),
    ));
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let per_address = Arc::new(PerAddress::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => permit.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let guard = if exempt.contains(&peer.ip()) {
            None
        } else {
            match per_address.admit(peer.ip(), limits.max_connections_per_ip) {
                Some(guard) => Some(guard),
                None => {
                    tracing::warn!(ip = %peer.ip(), "too many connections from one address; closed");
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let service = router.clone().map_request(move |mut request: axum::http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.map(axum::body::Body::new)
        });
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(limits.header_timeout_seconds));
            let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = async { stop.wait_for(|stopped| *stopped).await.map(|_| ()) } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop((permit, guard));
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a permit until it ends: all of them back means all have finished.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ =
        tokio::time::timeout(Duration::from_secs(limits.request_timeout_seconds), connections.acquire_many(all)).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_gets_its_share_and_gets_it_back() {
        let table = Arc::new(PerAddress::default());
        let ip: IpAddr = "10.0.0.1".parse().expect("ip");
        let first = table.admit(ip, 2).expect("first");
        let _second = table.admit(ip, 2).expect("second");
        assert!(table.admit(ip, 2).is_none(), "a third from the same address");
        assert!(table.admit("10.0.0.2".parse().expect("ip"), 2).is_some(), "another address");
        drop(first);
        assert!(table.admit(ip, 2).is_some(), "a closed connection frees its place");
    }
}
