//! The authorization matrix (SECURITY.md AC-02; the closed loop's rows are in `matrix_items`): every route × the actors that matter → the expected
//! status; denied answers carry no field of the object; a route without a row fails the build.

use crate::harness::{Body_, TestApp};
use axum::http::Method;
use liaison_core::clock::Clock;
use liaison_store::Ctx;
use liaison_store::self_reports::NewSelfReport;
use liaison_web::routes::Access;
use serde_json::json;

/// One row: the route (`METHOD pattern`), the concrete path, the actor (`anon` or a fixture user),
/// the body, and the expected status.
#[derive(Clone)]
pub(crate) struct Row {
    pub(crate) route: &'static str,
    pub(crate) path: &'static str,
    pub(crate) actor: &'static str,
    pub(crate) body: Body,
    pub(crate) status: u16,
}

#[derive(Clone)]
pub(crate) enum Body {
    None,
    Csv(&'static str),
    Form(&'static str),
    Json(fn() -> serde_json::Value),
    Multi(&'static [(&'static str, &'static str)]),
}

pub(crate) const fn row(route: &'static str, path: &'static str, actor: &'static str, body: Body, status: u16) -> Row {
    Row { route, path, actor, body, status }
}

use Body::{Csv, Form, Json, None as Empty};

pub(crate) const IMPORT_CSV: &str = "企业名称,统一社会信用代码,地址,行业门类,规模,联系人,联系电话,所属社区\n新甲,91330100716105852F,渝中1号,I,小型,张三,13800138000,解放碑社区\n";

const NEW_ENTERPRISE_FORM: &str = "name=%E6%96%B0%E5%85%AC%E5%8F%B8&credit_code=91330100716105852F&address=%E6%B8%9D%E4%B8%AD&industry=I&scale=small&contact_name=%E6%9D%8E%E5%9B%9B&contact_mobile=13800138000&community_id={community1}";
const EDIT_ENTERPRISE_FORM: &str = "name=%E6%B8%9D%E4%B8%AD%E4%B8%80%E5%8F%B7&credit_code=91350100M000100Y43&address=%E6%B8%9D%E4%B8%AD&industry=I&scale=small&contact_name=%E5%BC%A0*&contact_mobile=138****8000";

fn enterprise_json() -> serde_json::Value {
    json!({"name": "新公司", "credit_code": "91330100716105852F", "address": "渝中区", "industry": "I", "scale": "small",
           "contact_name": "李四", "contact_mobile": "13800138000", "community_id": 0})
}
fn edit_json() -> serde_json::Value {
    json!({"name": "渝中一号", "credit_code": "91350100M000100Y43", "address": "渝中区", "industry": "I", "scale": "small",
           "contact_name": "张三", "contact_mobile": "13800138000"})
}
fn assign_json() -> serde_json::Value {
    json!({"officer_id": -1, "reason": "调整"})
}
fn reveal_json() -> serde_json::Value {
    json!({"reason": "核实"})
}
fn unit_json() -> serde_json::Value {
    json!({"parent_id": -2, "kind": "community", "name": "新社区"})
}
fn user_json() -> serde_json::Value {
    json!({"username": "new-officer", "display_name": "新民警", "unit_id": -2, "police_number": "123456"})
}
fn roles_json() -> serde_json::Value {
    json!({"roles": ["officer"], "pi_reveal": false})
}
fn retired_json() -> serde_json::Value {
    json!({"retired": true})
}
fn approve_json() -> serde_json::Value {
    json!({"approve": true})
}
fn self_report_json() -> serde_json::Value {
    json!({"employees": 10, "security_staff": 1, "cameras": 4})
}
fn registration_json() -> serde_json::Value {
    json!({"credit_code": "91350100M000100Y43", "name": "张三", "mobile": "13800138000", "username": "zhang-san",
           "password": "a long passphrase for 2026", "consent": true})
}
fn bad_registration_json() -> serde_json::Value {
    json!({"credit_code": "x", "name": "", "mobile": "1", "username": "a", "password": "b"})
}
fn rename_json() -> serde_json::Value {
    json!({"name": "新社区"})
}
fn password_json() -> serde_json::Value {
    json!({"current": "wrong-password-1", "new": "a long passphrase for 2026", "confirm": "a long passphrase for 2026"})
}
fn inactive_json() -> serde_json::Value {
    json!({"active": false})
}
fn two_duties_json() -> serde_json::Value {
    json!({"roles": ["sys_admin", "audit_admin"]})
}
fn token_json() -> serde_json::Value {
    json!({"name": "script"})
}
fn wrong_login_json() -> serde_json::Value {
    json!({"username": "o1", "password": "wrong-password-123"})
}

/// The roles every route has a row for (issue 14): anonymous and one account of each role.
pub(crate) const ROLES: [&str; 10] = ["anon", "e1a", "o1", "sup1", "center", "dept", "leader", "sys", "sec", "aud"];

/// Every row: the explicit ones, then each route's role grid (`matrix_roles`) sent with the path and
/// body of the route's [`template`] row.
pub(crate) fn rows() -> Vec<Row> {
    let explicit = explicit_rows();
    let mut all = explicit.clone();
    for (route, statuses) in crate::matrix_roles::GRID {
        let Some(template) = template(&explicit, route) else {
            panic!("the grid names {route}, which has no explicit row to take its path and body from");
        };
        let mut words = statuses.split_whitespace();
        while let (Some(actor), Some(status)) = (words.next(), words.next()) {
            let actor =
                ROLES.into_iter().find(|a| *a == actor).unwrap_or_else(|| panic!("{route}: unknown role {actor}"));
            let status = status.parse().unwrap_or_else(|_| panic!("{route}: status {status}"));
            all.push(Row { actor, status, ..template.clone() });
        }
    }
    all
}

/// The row whose path and body a route's grid uses: its first explicit row of a signed-in caller (whose
/// body is a real attempt), else its first row.
fn template<'a>(explicit: &'a [Row], route: &str) -> Option<&'a Row> {
    let mut of_route = explicit.iter().filter(|r| r.route == route);
    explicit.iter().filter(|r| r.route == route).find(|r| r.actor != "anon").or_else(|| of_route.next())
}

fn explicit_rows() -> Vec<Row> {
    vec![
        // Public allowlist.
        row("GET /healthz", "/healthz", "anon", Empty, 200),
        row("GET /metrics", "/metrics", "anon", Empty, 200),
        row("GET /login", "/login", "anon", Empty, 200),
        row("POST /login", "/login", "anon", Form("username=o1&password=wrong-password"), 401),
        row("GET /login/mfa", "/login/mfa", "anon", Empty, 303),
        row("POST /login/mfa", "/login/mfa", "anon", Form("code=123456"), 303),
        row("GET /lang/{code}", "/lang/en", "anon", Empty, 303),
        row("GET /portal/register", "/portal/register", "anon", Empty, 200),
        row(
            "POST /portal/register",
            "/portal/register",
            "anon",
            Form("credit_code=x&name=&mobile=1&username=a&password=b"),
            422,
        ),
        row("GET /assets/{file}", "/assets/app.css", "anon", Empty, 200),
        row("GET /assets/{file}", "/assets/../Cargo.toml", "anon", Empty, 404),
        row("GET /api/openapi.json", "/api/openapi.json", "anon", Empty, 200),
        row("GET /api/docs", "/api/docs", "anon", Empty, 303),
        row("GET /api/docs/{*file}", "/api/docs/", "anon", Empty, 404),
        row("GET /api/docs/{*file}", "/api/docs/index.html", "anon", Empty, 200),
        row("GET /api/docs/{*file}", "/api/docs/swagger-initializer.js", "anon", Empty, 200),
        row("POST /api/v1/session", "/api/v1/session", "anon", Json(wrong_login_json), 401),
        // Session.
        row("POST /logout", "/logout", "anon", Empty, 303),
        row("POST /logout", "/logout", "o1", Empty, 303),
        row("DELETE /api/v1/session", "/api/v1/session", "anon", Empty, 401),
        row("DELETE /api/v1/session", "/api/v1/session", "o1", Empty, 204),
        row("GET /api/v1/me", "/api/v1/me", "anon", Empty, 401),
        row("GET /api/v1/me", "/api/v1/me", "e1a", Empty, 200),
        // Console home and statistics.
        row("GET /", "/", "anon", Empty, 303),
        row("GET /", "/", "o1", Empty, 200),
        row("GET /", "/", "sys", Empty, 200),
        row("GET /", "/", "e1a", Empty, 303),
        row("GET /officers", "/officers", "anon", Empty, 303),
        row("GET /officers", "/officers", "sup1", Empty, 200),
        row("GET /officers", "/officers", "o1", Empty, 403),
        row("GET /enterprises", "/enterprises?officer={o1}", "sup1", Empty, 200),
        row("GET /stats", "/stats", "anon", Empty, 303),
        row("GET /stats", "/stats", "sup1", Empty, 200),
        row("GET /stats", "/stats", "leader", Empty, 200),
        row("GET /stats", "/stats", "o1", Empty, 403),
        row("GET /stats", "/stats", "sys", Empty, 403),
        // Enterprises: pages.
        row("GET /enterprises", "/enterprises", "anon", Empty, 303),
        row("GET /enterprises", "/enterprises", "o1", Empty, 200),
        row("GET /enterprises", "/enterprises", "sys", Empty, 403),
        row("GET /enterprises", "/enterprises", "dept", Empty, 403),
        row("GET /enterprises", "/enterprises", "aud", Empty, 403),
        row("GET /enterprises/new", "/enterprises/new", "anon", Empty, 303),
        row("GET /enterprises/new", "/enterprises/new", "sup1", Empty, 200),
        row("GET /enterprises/new", "/enterprises/new", "o1", Empty, 403),
        row("GET /enterprises/import", "/enterprises/import", "anon", Empty, 303),
        row("GET /enterprises/import", "/enterprises/import", "center", Empty, 200),
        row("GET /enterprises/import", "/enterprises/import", "sup1", Empty, 403),
        row("POST /enterprises/import", "/enterprises/import", "anon", Csv(IMPORT_CSV), 303),
        row("POST /enterprises/import", "/enterprises/import", "center", Csv(IMPORT_CSV), 200),
        row("POST /enterprises/import", "/enterprises/import", "sup1", Csv(IMPORT_CSV), 403),
        row("GET /enterprises/export.xlsx", "/enterprises/export.xlsx", "anon", Empty, 303),
        row("GET /enterprises/export.xlsx", "/enterprises/export.xlsx", "sup1", Empty, 200),
        row("GET /enterprises/export.xlsx", "/enterprises/export.xlsx", "leader", Empty, 200),
        row("GET /enterprises/export.xlsx", "/enterprises/export.xlsx", "o1", Empty, 403),
        row("POST /enterprises", "/enterprises", "anon", Form(NEW_ENTERPRISE_FORM), 303),
        row("POST /enterprises", "/enterprises", "sup1", Form(NEW_ENTERPRISE_FORM), 303),
        row("POST /enterprises", "/enterprises", "o1", Form(NEW_ENTERPRISE_FORM), 403),
        row("POST /enterprises", "/enterprises", "e1a", Form(NEW_ENTERPRISE_FORM), 403),
        row("GET /enterprises/{id}", "/enterprises/{e1}", "anon", Empty, 303),
        row("GET /enterprises/{id}", "/enterprises/{e1}", "o1", Empty, 200),
        row("GET /enterprises/{id}", "/enterprises/{e1}", "sup1", Empty, 200),
        row("GET /enterprises/{id}", "/enterprises/{e1}", "center", Empty, 200),
        row("GET /enterprises/{id}", "/enterprises/{e1}", "leader", Empty, 200),
        row("GET /enterprises/{id}", "/enterprises/{e1}", "e1a", Empty, 200),
        row("GET /enterprises/{id}", "/enterprises/{e1}", "o2", Empty, 404),
        row("GET /enterprises/{id}", "/enterprises/{e1}", "e2a", Empty, 404),
        row("GET /enterprises/{id}", "/enterprises/{e2}", "sup1", Empty, 404),
        row("GET /enterprises/{id}", "/enterprises/{e1}", "sys", Empty, 403),
        row("GET /enterprises/{id}", "/enterprises/999999", "o1", Empty, 404),
        row("GET /enterprises/{id}", "/enterprises/abc", "o1", Empty, 404),
        row("GET /enterprises/{id}/edit", "/enterprises/{e1}/edit", "anon", Empty, 303),
        row("GET /enterprises/{id}/edit", "/enterprises/{e1}/edit", "o1", Empty, 200),
        row("GET /enterprises/{id}/edit", "/enterprises/{e1}/edit", "o2", Empty, 404),
        row("GET /enterprises/{id}/edit", "/enterprises/{e1}/edit", "e1a", Empty, 403),
        row("POST /enterprises/{id}", "/enterprises/{e1}", "anon", Form(EDIT_ENTERPRISE_FORM), 303),
        row("POST /enterprises/{id}", "/enterprises/{e1}", "o1", Form(EDIT_ENTERPRISE_FORM), 303),
        row("POST /enterprises/{id}", "/enterprises/{e1}", "o2", Form(EDIT_ENTERPRISE_FORM), 404),
        row("POST /enterprises/{id}", "/enterprises/{e1}", "e1a", Form(EDIT_ENTERPRISE_FORM), 403),
        row("POST /enterprises/{id}/assign", "/enterprises/{e1}/assign", "anon", Form("officer_id={o1}&reason=x"), 303),
        row("POST /enterprises/{id}/assign", "/enterprises/{e1}/assign", "sup1", Form("officer_id={o1}&reason=x"), 303),
        row("POST /enterprises/{id}/assign", "/enterprises/{e1}/assign", "o1", Form("officer_id={o1}&reason=x"), 403),
        row("POST /enterprises/{id}/assign", "/enterprises/{e1}/assign", "o2", Form("officer_id={o2}&reason=x"), 404),
        row("POST /enterprises/{id}/status", "/enterprises/{e1}/status", "anon", Form("retired=true"), 303),
        row("POST /enterprises/{id}/status", "/enterprises/{e1}/status", "sup1", Form("retired=true"), 303),
        row("POST /enterprises/{id}/status", "/enterprises/{e1}/status", "o1", Form("retired=true"), 403),
        row("POST /enterprises/{id}/reveal", "/enterprises/{e1}/reveal", "anon", Form("reason=x"), 303),
        row("POST /enterprises/{id}/reveal", "/enterprises/{e1}/reveal", "o1", Form("reason=x"), 403),
        row("POST /enterprises/{id}/reveal", "/enterprises/{e1}/reveal", "o2", Form("reason=x"), 404),
        row(
            "POST /enterprises/{id}/self-reports/{report}",
            "/enterprises/{e1}/self-reports/{r1}",
            "anon",
            Form("decision=approve"),
            303,
        ),
        row(
            "POST /enterprises/{id}/self-reports/{report}",
            "/enterprises/{e1}/self-reports/{r1}",
            "o1",
            Form("decision=approve"),
            303,
        ),
        row(
            "POST /enterprises/{id}/self-reports/{report}",
            "/enterprises/{e1}/self-reports/{r1}",
            "o2",
            Form("decision=approve"),
            404,
        ),
        row(
            "POST /enterprises/{id}/self-reports/{report}",
            "/enterprises/{e1}/self-reports/{r1}",
            "e1a",
            Form("decision=approve"),
            403,
        ),
        // Enterprises: API.
        row("GET /api/v1/enterprises", "/api/v1/enterprises", "anon", Empty, 401),
        row("GET /api/v1/enterprises", "/api/v1/enterprises", "o1", Empty, 200),
        row("GET /api/v1/enterprises", "/api/v1/enterprises", "sys", Empty, 403),
        row("POST /api/v1/enterprises", "/api/v1/enterprises", "anon", Json(enterprise_json), 401),
        row("POST /api/v1/enterprises", "/api/v1/enterprises", "sup1", Json(enterprise_json), 201),
        row("POST /api/v1/enterprises", "/api/v1/enterprises", "o1", Json(enterprise_json), 403),
        row("GET /api/v1/enterprises/{id}", "/api/v1/enterprises/{e1}", "anon", Empty, 401),
        row("GET /api/v1/enterprises/{id}", "/api/v1/enterprises/{e1}", "o1", Empty, 200),
        row("GET /api/v1/enterprises/{id}", "/api/v1/enterprises/{e1}", "e1a", Empty, 200),
        row("GET /api/v1/enterprises/{id}", "/api/v1/enterprises/{e1}", "e1b", Empty, 200),
        row("GET /api/v1/enterprises/{id}", "/api/v1/enterprises/{e1}", "o2", Empty, 404),
        row("GET /api/v1/enterprises/{id}", "/api/v1/enterprises/{e1}", "e2a", Empty, 404),
        row("GET /api/v1/enterprises/{id}", "/api/v1/enterprises/{e1}", "sec", Empty, 403),
        row("PUT /api/v1/enterprises/{id}", "/api/v1/enterprises/{e1}", "anon", Json(edit_json), 401),
        row("PUT /api/v1/enterprises/{id}", "/api/v1/enterprises/{e1}", "o1", Json(edit_json), 200),
        row("PUT /api/v1/enterprises/{id}", "/api/v1/enterprises/{e1}", "o2", Json(edit_json), 404),
        row("PUT /api/v1/enterprises/{id}", "/api/v1/enterprises/{e1}", "e1a", Json(edit_json), 403),
        row(
            "POST /api/v1/enterprises/{id}/officer",
            "/api/v1/enterprises/{e1}/officer",
            "anon",
            Json(assign_json),
            401,
        ),
        row(
            "POST /api/v1/enterprises/{id}/officer",
            "/api/v1/enterprises/{e1}/officer",
            "sup1",
            Json(assign_json),
            204,
        ),
        row("POST /api/v1/enterprises/{id}/officer", "/api/v1/enterprises/{e1}/officer", "o1", Json(assign_json), 403),
        row("GET /api/v1/enterprises/{id}/officers", "/api/v1/enterprises/{e1}/officers", "anon", Empty, 401),
        row("GET /api/v1/enterprises/{id}/officers", "/api/v1/enterprises/{e1}/officers", "o1", Empty, 200),
        row("GET /api/v1/enterprises/{id}/officers", "/api/v1/enterprises/{e1}/officers", "o2", Empty, 404),
        row("POST /api/v1/enterprises/{id}/reveal", "/api/v1/enterprises/{e1}/reveal", "anon", Json(reveal_json), 401),
        row("POST /api/v1/enterprises/{id}/reveal", "/api/v1/enterprises/{e1}/reveal", "o1", Json(reveal_json), 403),
        row("POST /api/v1/enterprises/{id}/reveal", "/api/v1/enterprises/{e1}/reveal", "e2a", Json(reveal_json), 404),
        // Onboarding, statistics and org units over the API (issue 15's API twins).
        row("POST /api/v1/enterprises/{id}/status", "/api/v1/enterprises/{e1}/status", "anon", Json(retired_json), 401),
        row("POST /api/v1/enterprises/{id}/status", "/api/v1/enterprises/{e1}/status", "sup1", Json(retired_json), 204),
        row("POST /api/v1/enterprises/{id}/status", "/api/v1/enterprises/{e2}/status", "sup1", Json(retired_json), 404),
        row("GET /api/v1/enterprises/{id}/self-reports", "/api/v1/enterprises/{e1}/self-reports", "anon", Empty, 401),
        row("GET /api/v1/enterprises/{id}/self-reports", "/api/v1/enterprises/{e1}/self-reports", "o1", Empty, 200),
        row("GET /api/v1/enterprises/{id}/self-reports", "/api/v1/enterprises/{e1}/self-reports", "o2", Empty, 404),
        row("GET /api/v1/enterprises/{id}/self-reports", "/api/v1/enterprises/{e1}/self-reports", "e2a", Empty, 404),
        row(
            "POST /api/v1/enterprises/{id}/self-reports/{report}",
            "/api/v1/enterprises/{e1}/self-reports/{r1}",
            "anon",
            Json(approve_json),
            401,
        ),
        row(
            "POST /api/v1/enterprises/{id}/self-reports/{report}",
            "/api/v1/enterprises/{e1}/self-reports/{r1}",
            "o1",
            Json(approve_json),
            204,
        ),
        row(
            "POST /api/v1/enterprises/{id}/self-reports/{report}",
            "/api/v1/enterprises/{e1}/self-reports/{r1}",
            "o2",
            Json(approve_json),
            404,
        ),
        row("POST /api/v1/self-reports", "/api/v1/self-reports", "anon", Json(self_report_json), 401),
        row("POST /api/v1/self-reports", "/api/v1/self-reports", "e1a", Json(self_report_json), 201),
        row("POST /api/v1/registrations", "/api/v1/registrations", "anon", Json(registration_json), 201),
        row("POST /api/v1/registrations", "/api/v1/registrations", "e2a", Json(bad_registration_json), 422),
        row("GET /api/v1/registrations", "/api/v1/registrations", "anon", Empty, 401),
        row("GET /api/v1/registrations", "/api/v1/registrations", "o1", Empty, 200),
        row("POST /api/v1/registrations/{id}", "/api/v1/registrations/{pending}", "anon", Json(approve_json), 401),
        row("POST /api/v1/registrations/{id}", "/api/v1/registrations/{pending}", "o1", Json(approve_json), 204),
        row("POST /api/v1/registrations/{id}", "/api/v1/registrations/{pending}", "o2", Json(approve_json), 404),
        row("GET /api/v1/stats/coverage", "/api/v1/stats/coverage", "anon", Empty, 401),
        row("GET /api/v1/stats/coverage", "/api/v1/stats/coverage", "sup1", Empty, 200),
        row("GET /api/v1/stats/officers", "/api/v1/stats/officers", "anon", Empty, 401),
        row("GET /api/v1/stats/officers", "/api/v1/stats/officers", "leader", Empty, 200),
        row("PUT /api/v1/org-units/{id}", "/api/v1/org-units/{community1}", "anon", Json(rename_json), 401),
        row("PUT /api/v1/org-units/{id}", "/api/v1/org-units/{community1}", "sys", Json(rename_json), 204),
        row("POST /api/v1/org-units/{id}/retirement", "/api/v1/org-units/{community1}/retirement", "anon", Empty, 401),
        row("POST /api/v1/org-units/{id}/retirement", "/api/v1/org-units/{community1}/retirement", "sys", Empty, 204),
        row("POST /api/v1/me/password", "/api/v1/me/password", "anon", Json(password_json), 401),
        row("POST /api/v1/me/password", "/api/v1/me/password", "o1", Json(password_json), 422),
        row("DELETE /api/v1/me/sessions", "/api/v1/me/sessions", "anon", Empty, 401),
        row("DELETE /api/v1/me/sessions", "/api/v1/me/sessions", "o1", Empty, 200),
        // Registrations.
        row("GET /registrations", "/registrations", "anon", Empty, 303),
        row("GET /registrations", "/registrations", "o1", Empty, 200),
        row("GET /registrations", "/registrations", "e1a", Empty, 403),
        row("GET /registrations", "/registrations", "sys", Empty, 403),
        row("POST /registrations/{id}", "/registrations/{pending}", "anon", Form("decision=approve"), 303),
        row("POST /registrations/{id}", "/registrations/{pending}", "o1", Form("decision=approve"), 303),
        row("POST /registrations/{id}", "/registrations/{pending}", "o2", Form("decision=approve"), 404),
        row("POST /registrations/{id}", "/registrations/{pending}", "e1a", Form("decision=approve"), 403),
        // Org units.
        row("GET /org", "/org", "anon", Empty, 303),
        row("GET /org", "/org", "sys", Empty, 200),
        row("GET /org", "/org", "o1", Empty, 200),
        row("GET /org", "/org", "e1a", Empty, 403),
        row("GET /org", "/org", "dept", Empty, 403),
        row("POST /org", "/org", "anon", Form("parent_id={station1}&kind=community&name=x"), 303),
        row("POST /org", "/org", "sys", Form("parent_id={station1}&kind=community&name=x"), 303),
        row("POST /org", "/org", "sec", Form("parent_id={station1}&kind=community&name=x"), 403),
        row("POST /org", "/org", "sup1", Form("parent_id={station1}&kind=community&name=x"), 403),
        row("POST /org/{id}", "/org/{community1}", "anon", Form("op=rename&name=x"), 303),
        row("POST /org/{id}", "/org/{community1}", "sys", Form("op=rename&name=x"), 303),
        row("POST /org/{id}", "/org/{community1}", "o1", Form("op=rename&name=x"), 403),
        row("GET /api/v1/org-units", "/api/v1/org-units", "anon", Empty, 401),
        row("GET /api/v1/org-units", "/api/v1/org-units", "sys", Empty, 200),
        row("GET /api/v1/org-units", "/api/v1/org-units", "e1a", Empty, 403),
        row("POST /api/v1/org-units", "/api/v1/org-units", "anon", Json(unit_json), 401),
        row("POST /api/v1/org-units", "/api/v1/org-units", "sys", Json(unit_json), 201),
        row("POST /api/v1/org-units", "/api/v1/org-units", "sec", Json(unit_json), 403),
        // Users and the three admin duties.
        row("GET /users", "/users", "anon", Empty, 303),
        row("GET /users", "/users", "sys", Empty, 200),
        row("GET /users", "/users", "sec", Empty, 200),
        row("GET /users", "/users", "aud", Empty, 200),
        row("GET /users", "/users", "o1", Empty, 403),
        row("POST /users", "/users", "anon", Form("username=n1&display_name=x&unit_id={station1}"), 303),
        row("POST /users", "/users", "sys", Form("username=n1&display_name=x&unit_id={station1}"), 200),
        row("POST /users", "/users", "sec", Form("username=n1&display_name=x&unit_id={station1}"), 403),
        row("POST /users/{id}", "/users/{o1}", "anon", Form("op=roles&role=officer"), 303),
        row("POST /users/{id}", "/users/{o1}", "sec", Form("op=roles&role=officer&role=leader"), 200),
        row("POST /users/{id}", "/users/{sec}", "sec", Form("op=roles&role=audit_admin"), 403),
        row("POST /users/{id}", "/users/{o1}", "sys", Form("op=roles&role=leader"), 403),
        row("POST /users/{id}", "/users/{o1}", "sys", Form("op=disable"), 200),
        row("POST /users/{id}", "/users/{o1}", "sec", Form("op=disable"), 403),
        row("POST /users/{id}", "/users/{o1}", "sec", Form("op=kill"), 200),
        row("POST /users/{id}", "/users/{o1}", "o1", Form("op=kill"), 403),
        row("GET /api/v1/users", "/api/v1/users", "anon", Empty, 401),
        row("GET /api/v1/users", "/api/v1/users", "sys", Empty, 200),
        row("GET /api/v1/users", "/api/v1/users", "o1", Empty, 403),
        row("POST /api/v1/users", "/api/v1/users", "anon", Json(user_json), 401),
        row("POST /api/v1/users", "/api/v1/users", "sys", Json(user_json), 201),
        row("POST /api/v1/users", "/api/v1/users", "sec", Json(user_json), 403),
        row("PUT /api/v1/users/{id}/roles", "/api/v1/users/{o1}/roles", "anon", Json(roles_json), 401),
        row("PUT /api/v1/users/{id}/roles", "/api/v1/users/{o1}/roles", "sec", Json(roles_json), 204),
        row("PUT /api/v1/users/{id}/roles", "/api/v1/users/{sec}/roles", "sec", Json(roles_json), 403),
        row("PUT /api/v1/users/{id}/roles", "/api/v1/users/{o1}/roles", "sys", Json(roles_json), 403),
        row("POST /api/v1/users/{id}/status", "/api/v1/users/{o1}/status", "anon", Json(inactive_json), 401),
        row("POST /api/v1/users/{id}/status", "/api/v1/users/{o1}/status", "sys", Json(inactive_json), 204),
        row("POST /api/v1/users/{id}/status", "/api/v1/users/{o1}/status", "sec", Json(inactive_json), 403),
        row("POST /api/v1/users/{id}/status", "/api/v1/users/{aud}/status", "sys", Json(inactive_json), 403),
        row("POST /api/v1/users/{id}/status", "/api/v1/users/{sec}/status", "sys", Json(inactive_json), 403),
        row("POST /api/v1/users/{id}/password-reset", "/api/v1/users/{o1}/password-reset", "anon", Empty, 401),
        row("POST /api/v1/users/{id}/password-reset", "/api/v1/users/{o1}/password-reset", "sys", Empty, 200),
        row("POST /api/v1/users/{id}/password-reset", "/api/v1/users/{aud}/password-reset", "sys", Empty, 403),
        row("POST /api/v1/users/{id}/password-reset", "/api/v1/users/{sec}/password-reset", "sys", Empty, 403),
        row("POST /api/v1/users/{id}/password-reset", "/api/v1/users/{o1}/password-reset", "aud", Empty, 403),
        row("DELETE /api/v1/users/{id}/sessions", "/api/v1/users/{o1}/sessions", "anon", Empty, 401),
        row("DELETE /api/v1/users/{id}/sessions", "/api/v1/users/{o1}/sessions", "sec", Empty, 200),
        row("DELETE /api/v1/users/{id}/sessions", "/api/v1/users/{o1}/sessions", "sys", Empty, 403),
        row("POST /api/v1/users/{id}/unlock", "/api/v1/users/{o1}/unlock", "anon", Empty, 401),
        row("POST /api/v1/users/{id}/unlock", "/api/v1/users/{o1}/unlock", "sec", Empty, 204),
        row("POST /api/v1/users/{id}/unlock", "/api/v1/users/{o1}/unlock", "sys", Empty, 403),
        row("POST /users/{id}", "/users/{aud}", "sys", Form("op=reset"), 403),
        row("POST /users/{id}", "/users/{sec}", "sys", Form("op=disable"), 403),
        row("POST /users/{id}", "/users/{o1}", "sec", Form("op=unlock"), 200),
        row("PUT /api/v1/users/{id}/roles", "/api/v1/users/{o1}/roles", "sec", Json(two_duties_json), 422),
        // Audit log.
        row("GET /audit", "/audit", "anon", Empty, 303),
        row("GET /audit", "/audit", "aud", Empty, 200),
        row("GET /audit", "/audit", "sys", Empty, 403),
        row("GET /audit", "/audit", "sec", Empty, 403),
        row("GET /api/v1/audit", "/api/v1/audit", "anon", Empty, 401),
        row("GET /api/v1/audit", "/api/v1/audit", "aud", Empty, 200),
        row("GET /api/v1/audit", "/api/v1/audit", "sys", Empty, 403),
        // Own account.
        row("GET /account", "/account", "anon", Empty, 303),
        row("GET /account", "/account", "o1", Empty, 200),
        row("GET /account", "/account", "e1a", Empty, 200),
        row("POST /account/password", "/account/password", "anon", Form("current=x&new=y&confirm=y"), 303),
        row("POST /account/password", "/account/password", "o1", Form("current=x&new=y&confirm=y"), 422),
        row("POST /account/sessions", "/account/sessions", "anon", Empty, 303),
        row("POST /account/sessions", "/account/sessions", "e1a", Empty, 200),
        row("POST /account/tokens", "/account/tokens", "anon", Form("name=script"), 303),
        row("POST /account/tokens", "/account/tokens", "o1", Form("name=script"), 200),
        row("POST /api/v1/tokens", "/api/v1/tokens", "anon", Json(token_json), 401),
        row("POST /api/v1/tokens", "/api/v1/tokens", "o1", Json(token_json), 201),
        // Items (their own file).
    ]
    .into_iter()
    .chain(crate::matrix_items::rows())
    .chain(crate::matrix_open311::rows())
    .chain([
        // Portal.
        row("GET /portal", "/portal", "anon", Empty, 303),
        row("GET /portal", "/portal", "e1a", Empty, 200),
        row("GET /portal", "/portal", "o1", Empty, 303),
        row(
            "POST /portal/self-report",
            "/portal/self-report",
            "anon",
            Form("employees=1&security_staff=0&cameras=0&fire_equipment=&key_positions=&risks="),
            303,
        ),
        row(
            "POST /portal/self-report",
            "/portal/self-report",
            "e1a",
            Form("employees=1&security_staff=0&cameras=0&fire_equipment=&key_positions=&risks="),
            200,
        ),
        row(
            "POST /portal/self-report",
            "/portal/self-report",
            "o1",
            Form("employees=1&security_staff=0&cameras=0&fire_equipment=&key_positions=&risks="),
            403,
        ),
    ])
    .collect()
}

/// Fixture values that must never appear in a denied answer.
const SECRETS: [&str; 4] = ["渝中一号科技有限公司", "朝天门二号贸易有限公司", "13800138000", "13912345678"];

pub(crate) struct Ids {
    pairs: Vec<(&'static str, String)>,
}

impl Ids {
    pub(crate) fn fill(&self, text: &str) -> String {
        self.pairs.iter().fold(text.to_owned(), |acc, (key, value)| acc.replace(key, value))
    }
}

pub(crate) async fn prepare(app: &TestApp) -> Ids {
    let f = &app.f;
    let ctx = Ctx { actor_id: Some(f.user("e1a")), ..Ctx::system(chrono::Utc::now()) };
    let report = NewSelfReport {
        employees: 1,
        security_staff: 0,
        cameras: 0,
        fire_equipment: String::new(),
        key_positions: String::new(),
        risks: String::new(),
    };
    let r1 = app.db.submit_self_report(&ctx, f.e1, &report).await.expect("report");
    let pending = app
        .db
        .create_user(
            &ctx,
            &liaison_store::users::NewUser {
                username: "pending1".into(),
                display_name: "待审".into(),
                unit_id: f.community1,
                roles: vec![liaison_core::role::Role::EnterpriseUser],
                password_hash: "x".into(),
                status: "pending",
                enterprise_id: Some(f.e1),
                police_number: None,
                mobile: Some("13800138000".into()),
                must_change_password: false,
            },
        )
        .await
        .expect("pending");
    let item = |enterprise_id: i64| liaison_store::items::NewItem {
        title: "渝中一号科技有限公司的诉求".into(),
        ..liaison_store::fixture::need(enterprise_id)
    };
    let due = liaison_core::sla::default_policy(liaison_core::item::Kind::Need, liaison_core::item::Priority::Normal)
        .deadlines(&liaison_core::calendar::Calendar::official(), app.clock.now());
    let i1 = app.db.create_item(&ctx, &item(f.e1), &due, false).await.expect("item 1").id;
    let e2a = Ctx { actor_id: Some(f.user("e2a")), ..Ctx::system(app.clock.now()) };
    let i2 = app.db.create_item(&e2a, &item(f.e2), &due, false).await.expect("item 2").id;
    let dispute =
        liaison_store::items::NewItem { kind: liaison_core::item::Kind::Dispute, category_id: 6, ..item(f.e1) };
    let i3 = app.db.create_item(&ctx, &dispute, &due, false).await.expect("item 3").id;
    let stored = liaison_core::token::random_hex(16);
    let path = app.state.uploads.path(&stored);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
    std::fs::write(&path, b"%PDF-1.7 fixture").expect("file");
    let file = liaison_store::attachments::NewAttachment {
        file_name: "材料.pdf".into(),
        content_type: "application/pdf".into(),
        size: 16,
        sha256: "0".repeat(64),
        storage_name: stored,
        status: "clean",
    };
    let a1 = app.db.add_attachment(&ctx, i1, &file).await.expect("attachment");
    let key = liaison_store::api_keys::NewApiKey {
        name: "ERP".into(),
        user_id: f.user("e1a"),
        read_private: false,
        per_minute: 60,
    };
    let k1 = app.db.create_api_key(&ctx, &key, "lk_0000000", &"0".repeat(64), false).await.expect("api key");
    let n1 = app.db.item(i1).await.expect("item 1").number;
    Ids {
        pairs: vec![
            ("{i1}", i1.to_string()),
            ("{k1}", k1.to_string()),
            ("{n1}", n1),
            ("{a1}", a1.to_string()),
            ("{i2}", i2.to_string()),
            ("{i3}", i3.to_string()),
            ("{e1}", f.e1.to_string()),
            ("{e2}", f.e2.to_string()),
            ("{o1}", f.user("o1").to_string()),
            ("{o2}", f.user("o2").to_string()),
            ("{sec}", f.user("sec").to_string()),
            ("{aud}", f.user("aud").to_string()),
            ("{community1}", f.community1.to_string()),
            ("{station1}", f.station1.to_string()),
            ("{r1}", r1.to_string()),
            ("{pending}", pending.to_string()),
        ],
    }
}

pub(crate) fn json_body(make: fn() -> serde_json::Value, app: &TestApp) -> serde_json::Value {
    let mut value = make();
    let fill = |v: &mut serde_json::Value, key: &str, id: i64| {
        if let Some(slot) = v.get_mut(key) {
            *slot = json!(id);
        }
    };
    if value.get("officer_id").and_then(serde_json::Value::as_i64) == Some(-1) {
        fill(&mut value, "officer_id", app.f.user("o1"));
    }
    if value.get("parent_id").and_then(serde_json::Value::as_i64) == Some(-2) {
        fill(&mut value, "parent_id", app.f.station1);
    }
    if value.get("unit_id").and_then(serde_json::Value::as_i64) == Some(-2) {
        fill(&mut value, "unit_id", app.f.station1);
    }
    if value.get("enterprise_id").and_then(serde_json::Value::as_i64) == Some(-3) {
        fill(&mut value, "enterprise_id", app.f.e1);
    }
    if value.get("community_id").and_then(serde_json::Value::as_i64) == Some(0) {
        fill(&mut value, "community_id", app.f.community1);
    }
    value
}

/// Whether a row's request may change state: a success of a signed-in caller, or a sign-in attempt
/// (failures are counted). Every other row (a refusal, an invalid body, any other anonymous call) must
/// change nothing, so those share one application.
fn may_change(row: &Row) -> bool {
    let sign_in = matches!(row.route, "POST /login" | "POST /login/mfa" | "POST /api/v1/session");
    sign_in || (row.actor != "anon" && matches!(row.status, 200..=299 | 303))
}

#[tokio::test]
async fn every_row_of_the_matrix_answers_as_expected() {
    let mut failures = Vec::new();
    let shared = TestApp::new().await;
    let shared_ids = prepare(&shared).await;
    let (changing, unchanging): (Vec<Row>, Vec<Row>) = rows().into_iter().partition(may_change);
    // One session per actor on the shared application (sessions made in one instant would evict one
    // another past the per-user cap).
    let mut sessions = std::collections::HashMap::new();
    for row in &unchanging {
        if row.actor != "anon" && !sessions.contains_key(row.actor) {
            sessions.insert(row.actor, shared.session(row.actor).await);
        }
        failures.extend(check(&shared, &shared_ids, row, sessions.get(row.actor).cloned()).await);
    }
    for row in &changing {
        let app = TestApp::new().await;
        let ids = prepare(&app).await;
        let token = if row.actor == "anon" { None } else { Some(app.session(row.actor).await) };
        failures.extend(check(&app, &ids, row, token).await);
    }
    assert!(failures.is_empty(), "{} rows failed:\n{}", failures.len(), failures.join("\n"));
}

/// Sends one row's request with the actor's session `token`; what went wrong, if anything.
async fn check(app: &TestApp, ids: &Ids, row: &Row, token: Option<String>) -> Vec<String> {
    let mut failures = Vec::new();
    let (method, _) = row.route.split_once(' ').expect("METHOD pattern");
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let body = match &row.body {
        Body::None => Body_::None,
        Body::Form(form) => Body_::Form(ids.fill(form)),
        Body::Json(make) => Body_::Json(json_body(*make, app)),
        Body::Multi(fields) => {
            Body_::Multipart(fields.iter().map(|(name, value)| (*name, None, ids.fill(value).into_bytes())).collect())
        }
        Body::Csv(csv) => Body_::Upload { filename: "x.csv".into(), bytes: csv.as_bytes().to_vec(), mode: "preview" },
    };
    let path = ids.fill(row.path);
    let response = app.send(method, &path, token.as_deref(), body).await;
    if response.status.as_u16() != row.status {
        failures.push(format!(
            "{} {} as {}: expected {}, got {} — {}",
            row.route,
            path,
            row.actor,
            row.status,
            response.status,
            response.body.chars().take(200).collect::<String>()
        ));
    }
    if matches!(row.status, 401 | 403 | 404) {
        for secret in SECRETS {
            if response.body.contains(secret) {
                failures.push(format!("{} {} as {}: denied body leaks {secret}", row.route, path, row.actor));
            }
        }
    }
    failures
}

#[test]
fn every_route_has_a_row_and_every_signed_route_refuses_anonymous_callers() {
    let rows = rows();
    let table = liaison_web::routes::table();
    let mut missing = Vec::new();
    for route in table.routes() {
        let name = format!("{} {}", route.method, route.path);
        let route_rows: Vec<&Row> = rows.iter().filter(|r| r.route == name).collect();
        if route_rows.is_empty() {
            missing.push(format!("{name}: no row"));
        }
        if route.access == Access::Signed
            && !route_rows.iter().any(|r| r.actor == "anon" && matches!(r.status, 401 | 303))
        {
            missing.push(format!("{name}: no anonymous row expecting 401 or a redirect to sign-in"));
        }
    }
    for row in &rows {
        assert!(
            table.routes().iter().any(|r| format!("{} {}", r.method, r.path) == row.route),
            "row for unknown route {}",
            row.route
        );
    }
    for route in table.routes() {
        let name = format!("{} {}", route.method, route.path);
        for role in ROLES {
            if !rows.iter().any(|r| r.route == name && r.actor == role) {
                missing.push(format!("{name}: no row for {role}"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Routes a read-only role may still post to: signing in and out, its own account — nothing of the
/// bureau's.
const OWN_ACCOUNT: [&str; 19] = [
    "POST /inbox/read",
    "POST /api/v1/registrations",
    "POST /api/v1/me/password",
    "DELETE /api/v1/me/sessions",
    "POST /login",
    "POST /login/mfa",
    "POST /portal/register",
    "POST /api/v1/session",
    "POST /account/api-keys/{id}/consent",
    "POST /api/v1/me/api-keys/{id}/consent",
    "POST /logout",
    "DELETE /api/v1/session",
    "POST /account/password",
    "POST /account/tokens",
    "POST /account/sessions",
    "POST /account/notifications",
    "POST /api/v1/tokens",
    "PUT /api/v1/me/channels",
    "POST /api/v1/notifications/read",
];

/// DESIGN §1: the leader is read-only. On every state-changing route but the own-account ones, the
/// leader's rows expect a refusal (403, or 404 outside scope, or 422 before anything is written).
#[test]
fn the_leader_is_refused_on_every_state_changing_route() {
    let rows = rows();
    let mut wrong = Vec::new();
    for route in liaison_web::routes::table().routes() {
        let name = format!("{} {}", route.method, route.path);
        if route.method == Method::GET || route.path.starts_with("/open311/") || OWN_ACCOUNT.contains(&name.as_str()) {
            continue;
        }
        for row in rows.iter().filter(|r| r.route == name && r.actor == "leader") {
            if !matches!(row.status, 401 | 403 | 404 | 405) {
                wrong.push(format!("{name}: the leader's row expects {}", row.status));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Prints, for every route, the statuses of the roles its explicit rows leave out (how `matrix_roles`
/// was drafted; every line was then read and checked against DESIGN §1 before it was kept).
#[tokio::test]
#[ignore = "a drafting aid, run by hand: cargo test -p liaison-web --test it draft_role_grid -- --ignored --nocapture"]
async fn draft_role_grid() {
    let explicit = explicit_rows();
    for route in liaison_web::routes::table().routes() {
        let name = format!("{} {}", route.method, route.path);
        let Some(template) = template(&explicit, &name) else { continue };
        let mut line = Vec::new();
        for role in ROLES {
            if explicit.iter().any(|r| r.route == name && r.actor == role) {
                continue;
            }
            let app = TestApp::new().await;
            let ids = prepare(&app).await;
            let probe = Row { actor: role, status: 0, ..template.clone() };
            let token = if role == "anon" { None } else { Some(app.session(role).await) };
            let failures = check(&app, &ids, &probe, token).await;
            let status =
                failures.first().and_then(|f| f.split("got ").nth(1)).and_then(|f| f.split(' ').next()).unwrap_or("?");
            line.push(format!("{role} {status}"));
        }
        if !line.is_empty() {
            println!("    (\"{name}\", \"{}\"),", line.join(" "));
        }
    }
}
