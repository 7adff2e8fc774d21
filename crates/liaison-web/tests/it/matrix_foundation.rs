//! The authorization matrix's rows for the foundation (sign-in, enterprises, registrations, org units,
//! users and the three duties, the audit log, own accounts, the portal, onboarding over the API), with
//! the closed loop's (`matrix_items`) and Open311's (`matrix_open311`) chained on; `matrix` runs them.

use crate::matrix::{Body, Row, row};
use serde_json::json;

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

pub(crate) fn rows() -> Vec<Row> {
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
