//! The route table: every route is registered here with its method, path and whether it is public,
//! so tests can walk all of them (AUTH-01, the authorization matrix) and none can be forgotten.

use crate::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, on};

/// Who may reach a route at all (finer checks happen in the handler).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// On the public allowlist: login, registration, health, assets, the API description.
    Public,
    /// Needs a session or a token.
    Signed,
}

/// One registered route.
#[derive(Debug, Clone)]
pub struct RouteInfo {
    /// HTTP method.
    pub method: Method,
    /// Path pattern, e.g. `/enterprises/{id}`.
    pub path: &'static str,
    /// Public or signed-in.
    pub access: Access,
}

/// A router that records what it registers.
pub struct RouteTable {
    router: Router<AppState>,
    routes: Vec<RouteInfo>,
}

impl RouteTable {
    fn add<H, T>(&mut self, method: Method, path: &'static str, access: Access, handler: H)
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
        let router = std::mem::take(&mut self.router);
        self.router = router.route(path, on(filter, handler));
        self.routes.push(RouteInfo { method, path, access });
    }

    /// Registers a GET route.
    pub fn get<H: Handler<T, AppState>, T: 'static>(&mut self, path: &'static str, access: Access, handler: H) {
        self.add(Method::GET, path, access, handler);
    }

    /// Registers a POST route.
    pub fn post<H: Handler<T, AppState>, T: 'static>(&mut self, path: &'static str, access: Access, handler: H) {
        self.add(Method::POST, path, access, handler);
    }

    /// Registers a PUT route.
    pub fn put<H: Handler<T, AppState>, T: 'static>(&mut self, path: &'static str, access: Access, handler: H) {
        self.add(Method::PUT, path, access, handler);
    }

    /// Registers a DELETE route.
    pub fn delete<H: Handler<T, AppState>, T: 'static>(&mut self, path: &'static str, access: Access, handler: H) {
        self.add(Method::DELETE, path, access, handler);
    }

    /// Every registered route.
    pub fn routes(&self) -> &[RouteInfo] {
        &self.routes
    }

    /// The finished application with its middleware.
    pub fn into_router(self, state: AppState) -> Router {
        crate::middleware::wrap(self.router, state)
    }
}

/// Every route of the application.
pub fn table() -> RouteTable {
    let mut table = RouteTable { router: Router::new(), routes: Vec::new() };
    crate::assets::routes(&mut table);
    crate::pages::routes(&mut table);
    crate::api::routes(&mut table);
    crate::open311::routes(&mut table);
    table
}
