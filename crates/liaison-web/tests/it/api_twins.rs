//! Every action is in the API (issue 15): each console or portal form that changes something names its
//! `/api/v1` twin here — a mini-program is an API client — and the twin is a registered route; a new
//! form without a twin fails this test unless it is listed as an exception with its reason.

use axum::http::Method;

/// (page route, API route doing the same use case).
const TWINS: &[(&str, &str)] = &[
    ("POST /login", "POST /api/v1/session"),
    ("POST /login/mfa", "POST /api/v1/session"),
    ("POST /logout", "DELETE /api/v1/session"),
    ("POST /enterprises", "POST /api/v1/enterprises"),
    ("POST /enterprises/{id}", "PUT /api/v1/enterprises/{id}"),
    ("POST /enterprises/{id}/assign", "POST /api/v1/enterprises/{id}/officer"),
    ("POST /enterprises/{id}/status", "POST /api/v1/enterprises/{id}/status"),
    ("POST /enterprises/{id}/reveal", "POST /api/v1/enterprises/{id}/reveal"),
    ("POST /enterprises/{id}/self-reports/{report}", "POST /api/v1/enterprises/{id}/self-reports/{report}"),
    ("POST /registrations/{id}", "POST /api/v1/registrations/{id}"),
    ("POST /org", "POST /api/v1/org-units"),
    ("POST /org/{id}", "PUT /api/v1/org-units/{id}"),
    ("POST /users", "POST /api/v1/users"),
    ("POST /users/{id}", "PUT /api/v1/users/{id}/roles"),
    ("POST /account/password", "POST /api/v1/me/password"),
    ("POST /account/tokens", "POST /api/v1/tokens"),
    ("POST /account/sessions", "DELETE /api/v1/me/sessions"),
    ("POST /account/api-keys/{id}/consent", "POST /api/v1/me/api-keys/{id}/consent"),
    ("POST /account/notifications", "PUT /api/v1/me/channels"),
    ("POST /api-keys", "POST /api/v1/api-keys"),
    ("POST /api-keys/{id}/rotation", "POST /api/v1/api-keys/{id}/rotation"),
    ("POST /api-keys/{id}/revocation", "DELETE /api/v1/api-keys/{id}"),
    ("POST /catalogue/categories", "POST /api/v1/categories"),
    ("POST /catalogue/categories/{id}", "POST /api/v1/categories/{id}/retired"),
    ("POST /catalogue/categories/{id}/service", "PUT /api/v1/categories/{id}/service"),
    ("POST /catalogue/policies/{kind}/{priority}", "PUT /api/v1/sla-policies/{kind}/{priority}"),
    ("POST /items", "POST /api/v1/items"),
    ("POST /items/{id}/step", "POST /api/v1/items/{id}/{step}"),
    ("POST /items/{id}/reveal", "POST /api/v1/items/{id}/reveal"),
    ("POST /items/{id}/attachments", "POST /api/v1/items/{id}/attachments"),
    ("POST /items/{id}/dispute", "PUT /api/v1/items/{id}/dispute"),
    ("POST /items/{id}/mediation-sessions", "POST /api/v1/items/{id}/mediation-sessions"),
    ("POST /items/{id}/mediation-outcome", "POST /api/v1/items/{id}/mediation-outcome"),
    ("POST /inbox/read", "POST /api/v1/notifications/read"),
    ("POST /portal/register", "POST /api/v1/registrations"),
    ("POST /portal/self-report", "POST /api/v1/self-reports"),
];

/// Page actions without an API twin, each with its reason.
const EXCEPTIONS: &[(&str, &str)] = &[(
    "POST /enterprises/import",
    "bulk onboarding is a desk task with an XLSX preview; scripts use `liaison import enterprises` on the server",
)];

#[test]
fn every_form_that_changes_something_has_an_api_twin() {
    let table = liaison_web::routes::table();
    let routes: Vec<String> = table.routes().iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    let mut missing = Vec::new();
    for route in table.routes() {
        let name = format!("{} {}", route.method, route.path);
        if route.method == Method::GET || route.path.starts_with("/api/") || route.path.starts_with("/open311/") {
            continue;
        }
        match TWINS.iter().find(|(page, _)| *page == name) {
            Some((_, api)) if routes.iter().any(|r| r == api) => {}
            Some((_, api)) => missing.push(format!("{name}: its twin {api} is not a route")),
            None if EXCEPTIONS.iter().any(|(page, reason)| *page == name && !reason.is_empty()) => {}
            None => missing.push(format!("{name}: no API twin and no listed exception")),
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
