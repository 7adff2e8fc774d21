//! The JSON API under `/api/v1`: the same permissions as the pages, errors as
//! `{"error":{"code","message","fields"}}`, lists as `{"items","total","page","per_page"}`.

mod accounts;
mod admin;
mod api_keys;
mod catalogue;
mod enterprises;
pub mod error_responses;
mod inbox;
mod items;
pub mod json;
mod mediation;
mod onboarding;
pub mod openapi;
mod org_units;
mod session;
mod stats;

use crate::routes::{Access::*, RouteTable};

/// Registers every API route.
pub fn routes(t: &mut RouteTable) {
    t.get("/api/openapi.json", Public, openapi::document);
    t.get("/api/docs", Public, openapi::docs_root);
    t.get("/api/docs/{*file}", Public, openapi::docs_file);
    t.post("/api/v1/session", Public, session::create);
    t.delete("/api/v1/session", Signed, session::delete);
    t.get("/api/v1/me", Signed, session::me);
    t.post("/api/v1/me/password", Signed, session::change_password);
    t.delete("/api/v1/me/sessions", Signed, session::end_other_sessions);
    t.get("/api/v1/enterprises", Signed, enterprises::list);
    t.post("/api/v1/enterprises", Signed, enterprises::create);
    t.get("/api/v1/enterprises/{id}", Signed, enterprises::get);
    t.put("/api/v1/enterprises/{id}", Signed, enterprises::update);
    t.post("/api/v1/enterprises/{id}/officer", Signed, enterprises::assign);
    t.get("/api/v1/enterprises/{id}/officers", Signed, enterprises::history);
    t.post("/api/v1/enterprises/{id}/reveal", Signed, enterprises::reveal);
    t.post("/api/v1/enterprises/{id}/status", Signed, enterprises::set_status);
    t.get("/api/v1/enterprises/{id}/self-reports", Signed, onboarding::reports);
    t.post("/api/v1/enterprises/{id}/self-reports/{report}", Signed, onboarding::review_report);
    t.post("/api/v1/self-reports", Signed, onboarding::submit_report);
    t.post("/api/v1/registrations", Public, onboarding::register);
    t.get("/api/v1/registrations", Signed, onboarding::pending);
    t.post("/api/v1/registrations/{id}", Signed, onboarding::decide);
    t.get("/api/v1/stats/coverage", Signed, stats::coverage);
    t.get("/api/v1/stats/officers", Signed, stats::officers);
    t.get("/api/v1/org-units", Signed, admin::units);
    t.post("/api/v1/org-units", Signed, admin::create_unit);
    t.put("/api/v1/org-units/{id}", Signed, org_units::change);
    t.post("/api/v1/org-units/{id}/retirement", Signed, org_units::retire);
    t.get("/api/v1/users", Signed, admin::users);
    t.post("/api/v1/users", Signed, admin::create_user);
    t.put("/api/v1/users/{id}/roles", Signed, admin::set_roles);
    t.post("/api/v1/users/{id}/status", Signed, accounts::set_status);
    t.post("/api/v1/users/{id}/password-reset", Signed, accounts::reset_password);
    t.delete("/api/v1/users/{id}/sessions", Signed, accounts::end_sessions);
    t.post("/api/v1/users/{id}/unlock", Signed, accounts::unlock);
    t.get("/api/v1/audit", Signed, admin::audit);
    t.post("/api/v1/tokens", Signed, admin::create_token);
    t.get("/api/v1/api-keys", Signed, api_keys::list);
    t.post("/api/v1/api-keys", Signed, api_keys::create);
    t.post("/api/v1/api-keys/{id}/rotation", Signed, api_keys::rotate);
    t.delete("/api/v1/api-keys/{id}", Signed, api_keys::revoke);
    t.get("/api/v1/me/api-keys", Signed, api_keys::mine);
    t.post("/api/v1/me/api-keys/{id}/consent", Signed, api_keys::consent);
    t.get("/api/v1/items", Signed, items::list);
    t.post("/api/v1/items", Signed, items::create);
    t.get("/api/v1/items/similar", Signed, items::similar);
    t.get("/api/v1/items/{id}", Signed, items::get);
    t.post("/api/v1/items/{id}/attachments", Signed, items::attach);
    t.post("/api/v1/items/{id}/reveal", Signed, items::reveal);
    t.get("/api/v1/items/{id}/attachments/{attachment_id}", Signed, items::download);
    t.get("/api/v1/items/{id}/dispute", Signed, mediation::get);
    t.put("/api/v1/items/{id}/dispute", Signed, mediation::put);
    t.post("/api/v1/items/{id}/mediation-sessions", Signed, mediation::session);
    t.post("/api/v1/items/{id}/mediation-outcome", Signed, mediation::outcome);
    t.post("/api/v1/items/{id}/{step}", Signed, items::step);
    t.get("/api/v1/categories", Signed, items::categories);
    t.post("/api/v1/categories", Signed, catalogue::create);
    t.post("/api/v1/categories/{id}/retired", Signed, catalogue::retire);
    t.put("/api/v1/categories/{id}/service", Signed, catalogue::set_service);
    t.put("/api/v1/sla-policies/{kind}/{priority}", Signed, catalogue::set_policy);
    t.get("/api/v1/notifications", Signed, inbox::list);
    t.post("/api/v1/notifications/read", Signed, inbox::read);
    t.get("/api/v1/me/channels", Signed, inbox::channels);
    t.put("/api/v1/me/channels", Signed, inbox::set_channels);
    t.get("/api/v1/deliveries", Signed, inbox::deliveries);
}
