//! The authorization matrix rows of the closed loop: items, attachments, mediation, the catalogue,
//! the inbox and notification channels — through the API and the pages.

use crate::matrix::Body::{Csv, Form, Json, Multi, None as Empty};
use crate::matrix::{Row, row};
use crate::matrix_foundation::IMPORT_CSV;
use serde_json::json;

const ITEM_FORM: &[(&str, &str)] = &[("category_id", "need:1"), ("title", "招工"), ("description", "需要招工")];
/// A valid SLA policy form.
const POLICY: &str = "respond=2&respond_unit=hours&resolve_days=5&warn_percent=80";
const STAFF_ITEM_FORM: &[(&str, &str)] =
    &[("category_id", "need:1"), ("title", "t"), ("description", "d"), ("channel", "phone"), ("enterprise_id", "{e1}")];

fn item_json() -> serde_json::Value {
    json!({"kind": "need", "category_id": 1, "title": "招工难", "description": "需要招聘操作工"})
}
fn staff_item_json() -> serde_json::Value {
    json!({"kind": "need", "category_id": 1, "channel": "phone", "title": "招工难", "description": "电话反映", "enterprise_id": -3})
}
fn reason_json() -> serde_json::Value {
    json!({"reason": "核实"})
}
fn version_json() -> serde_json::Value {
    json!({"version": 1})
}
fn category_json() -> serde_json::Value {
    json!({"kind": "need", "name": "水电保障", "resolve_days": 3})
}
fn retire_json() -> serde_json::Value {
    json!({"retired": true})
}
fn policy_json() -> serde_json::Value {
    json!({"respond_days": 1, "resolve_days": 4, "warn_percent": 75})
}
fn read_json() -> serde_json::Value {
    json!({})
}
fn dispute_json() -> serde_json::Value {
    json!({"amount_fen": 100, "parties": [{"name": "甲", "role": "申请人"}, {"name": "乙", "role": "被申请人"}]})
}
fn session_json() -> serde_json::Value {
    json!({"held_on": "2026-03-01", "participants": "甲、乙", "outcome": "failed"})
}
fn outcome_json() -> serde_json::Value {
    json!({"outcome": "reached", "text": "协议"})
}

/// Every route of the closed loop × the actors that matter.
pub(crate) fn rows() -> Vec<Row> {
    vec![
        // Items (API).
        row("GET /api/v1/items", "/api/v1/items", "anon", Empty, 401),
        row("GET /api/v1/items", "/api/v1/items", "e1a", Empty, 200),
        row("GET /api/v1/items", "/api/v1/items?queue=triage", "o1", Empty, 200),
        row("GET /api/v1/items", "/api/v1/items?queue=nonsense", "o1", Empty, 422),
        row("GET /api/v1/items", "/api/v1/items", "sys", Empty, 200),
        row("POST /api/v1/items", "/api/v1/items", "anon", Json(item_json), 401),
        row("POST /api/v1/items", "/api/v1/items", "e1a", Json(item_json), 201),
        row("POST /api/v1/items", "/api/v1/items", "o1", Json(staff_item_json), 201),
        row("POST /api/v1/items", "/api/v1/items", "o2", Json(staff_item_json), 404),
        row("POST /api/v1/items", "/api/v1/items", "sys", Json(staff_item_json), 403),
        row("POST /api/v1/items", "/api/v1/items", "o1", Json(item_json), 422),
        row("GET /api/v1/items/similar", "/api/v1/items/similar?text=x", "anon", Empty, 401),
        row("GET /api/v1/items/similar", "/api/v1/items/similar?text=%E6%8B%9B%E8%81%98", "e1a", Empty, 200),
        row("GET /api/v1/items/similar", "/api/v1/items/similar?text=x&enterprise_id={e2}", "o1", Empty, 404),
        row("GET /api/v1/items/similar", "/api/v1/items/similar", "e1a", Empty, 400),
        row("GET /api/v1/items/{id}", "/api/v1/items/{i1}", "anon", Empty, 401),
        row("GET /api/v1/items/{id}", "/api/v1/items/{i1}", "e1a", Empty, 200),
        row("GET /api/v1/items/{id}", "/api/v1/items/{i1}", "e1b", Empty, 200),
        row("GET /api/v1/items/{id}", "/api/v1/items/{i1}", "e2a", Empty, 404),
        row("GET /api/v1/items/{id}", "/api/v1/items/{i1}", "o1", Empty, 200),
        row("GET /api/v1/items/{id}", "/api/v1/items/{i1}", "o2", Empty, 404),
        row("GET /api/v1/items/{id}", "/api/v1/items/{i1}", "sup1", Empty, 200),
        row("GET /api/v1/items/{id}", "/api/v1/items/{i2}", "sup1", Empty, 404),
        row("GET /api/v1/items/{id}", "/api/v1/items/{i2}", "center", Empty, 200),
        row("GET /api/v1/items/{id}", "/api/v1/items/{i1}", "leader", Empty, 200),
        row("GET /api/v1/items/{id}", "/api/v1/items/{i1}", "dept", Empty, 404),
        row("GET /api/v1/items/{id}", "/api/v1/items/{i1}", "sys", Empty, 404),
        row("POST /api/v1/items/{id}/{step}", "/api/v1/items/{i1}/accept", "anon", Json(version_json), 401),
        row("POST /api/v1/items/{id}/{step}", "/api/v1/items/{i1}/accept", "o1", Json(version_json), 200),
        row("POST /api/v1/items/{id}/{step}", "/api/v1/items/{i1}/accept", "sup1", Json(version_json), 200),
        row("POST /api/v1/items/{id}/{step}", "/api/v1/items/{i1}/accept", "e1a", Json(version_json), 403),
        row("POST /api/v1/items/{id}/{step}", "/api/v1/items/{i1}/accept", "leader", Json(version_json), 403),
        row("POST /api/v1/items/{id}/{step}", "/api/v1/items/{i1}/accept", "e2a", Json(version_json), 404),
        row("POST /api/v1/items/{id}/{step}", "/api/v1/items/{i1}/accept", "o2", Json(version_json), 404),
        row("POST /api/v1/items/{id}/{step}", "/api/v1/items/{i1}/accept", "dept", Json(version_json), 404),
        row("POST /api/v1/items/{id}/{step}", "/api/v1/items/{i1}/withdraw", "e1a", Json(version_json), 200),
        row("POST /api/v1/items/{id}/{step}", "/api/v1/items/{i1}/start", "o1", Json(version_json), 409),
        row("POST /api/v1/items/{id}/{step}", "/api/v1/items/{i1}/auto_close", "o1", Json(version_json), 404),
        row("POST /api/v1/items/{id}/{step}", "/api/v1/items/{i1}/frobnicate", "o1", Json(version_json), 404),
        row("POST /api/v1/items/{id}/{step}", "/api/v1/items/{i1}/supervise", "center", Json(version_json), 422),
        row("POST /api/v1/items/{id}/attachments", "/api/v1/items/{i1}/attachments", "anon", Csv(IMPORT_CSV), 401),
        row("POST /api/v1/items/{id}/attachments", "/api/v1/items/{i1}/attachments", "e1a", Csv(IMPORT_CSV), 415),
        row("POST /api/v1/items/{id}/attachments", "/api/v1/items/{i1}/attachments", "e2a", Csv(IMPORT_CSV), 404),
        row(
            "GET /api/v1/items/{id}/attachments/{attachment_id}",
            "/api/v1/items/{i1}/attachments/{a1}",
            "anon",
            Empty,
            401,
        ),
        row(
            "GET /api/v1/items/{id}/attachments/{attachment_id}",
            "/api/v1/items/{i1}/attachments/{a1}",
            "e1a",
            Empty,
            200,
        ),
        row(
            "GET /api/v1/items/{id}/attachments/{attachment_id}",
            "/api/v1/items/{i1}/attachments/{a1}",
            "o1",
            Empty,
            200,
        ),
        row(
            "GET /api/v1/items/{id}/attachments/{attachment_id}",
            "/api/v1/items/{i1}/attachments/{a1}",
            "e2a",
            Empty,
            404,
        ),
        row(
            "GET /api/v1/items/{id}/attachments/{attachment_id}",
            "/api/v1/items/{i2}/attachments/{a1}",
            "center",
            Empty,
            404,
        ),
        row("GET /api/v1/items/{id}/dispute", "/api/v1/items/{i3}/dispute", "anon", Empty, 401),
        row("GET /api/v1/items/{id}/dispute", "/api/v1/items/{i3}/dispute", "o1", Empty, 200),
        row("GET /api/v1/items/{id}/dispute", "/api/v1/items/{i3}/dispute", "e1a", Empty, 200),
        row("GET /api/v1/items/{id}/dispute", "/api/v1/items/{i3}/dispute", "e2a", Empty, 404),
        row("GET /api/v1/items/{id}/dispute", "/api/v1/items/{i1}/dispute", "o1", Empty, 404),
        row("PUT /api/v1/items/{id}/dispute", "/api/v1/items/{i3}/dispute", "anon", Json(dispute_json), 401),
        row("PUT /api/v1/items/{id}/dispute", "/api/v1/items/{i3}/dispute", "o1", Json(dispute_json), 409),
        row("PUT /api/v1/items/{id}/dispute", "/api/v1/items/{i3}/dispute", "e1a", Json(dispute_json), 403),
        row("PUT /api/v1/items/{id}/dispute", "/api/v1/items/{i3}/dispute", "o2", Json(dispute_json), 404),
        row(
            "POST /api/v1/items/{id}/mediation-sessions",
            "/api/v1/items/{i3}/mediation-sessions",
            "anon",
            Json(session_json),
            401,
        ),
        row(
            "POST /api/v1/items/{id}/mediation-sessions",
            "/api/v1/items/{i3}/mediation-sessions",
            "o1",
            Json(session_json),
            409,
        ),
        row(
            "POST /api/v1/items/{id}/mediation-sessions",
            "/api/v1/items/{i3}/mediation-sessions",
            "leader",
            Json(session_json),
            403,
        ),
        row(
            "POST /api/v1/items/{id}/mediation-outcome",
            "/api/v1/items/{i3}/mediation-outcome",
            "anon",
            Json(outcome_json),
            401,
        ),
        row(
            "POST /api/v1/items/{id}/mediation-outcome",
            "/api/v1/items/{i3}/mediation-outcome",
            "o1",
            Json(outcome_json),
            409,
        ),
        row(
            "POST /api/v1/items/{id}/mediation-outcome",
            "/api/v1/items/{i3}/mediation-outcome",
            "e2a",
            Json(outcome_json),
            404,
        ),
        row("GET /api/v1/me/channels", "/api/v1/me/channels", "anon", Empty, 401),
        row("GET /api/v1/me/channels", "/api/v1/me/channels", "o1", Empty, 200),
        row("PUT /api/v1/me/channels", "/api/v1/me/channels", "anon", Json(read_json), 401),
        row("PUT /api/v1/me/channels", "/api/v1/me/channels", "e1a", Json(read_json), 200),
        row("GET /api/v1/deliveries", "/api/v1/deliveries", "anon", Empty, 401),
        row("GET /api/v1/deliveries", "/api/v1/deliveries", "sys", Empty, 200),
        row("GET /api/v1/deliveries", "/api/v1/deliveries?state=bogus", "sys", Empty, 422),
        row("GET /api/v1/deliveries", "/api/v1/deliveries", "o1", Empty, 403),
        row("GET /api/v1/deliveries", "/api/v1/deliveries", "sec", Empty, 403),
        row("GET /api/v1/categories", "/api/v1/categories", "anon", Empty, 401),
        row("GET /api/v1/categories", "/api/v1/categories?kind=dispute", "e1a", Empty, 200),
        row("POST /api/v1/categories", "/api/v1/categories", "anon", Json(category_json), 401),
        row("POST /api/v1/categories", "/api/v1/categories", "sys", Json(category_json), 201),
        row("POST /api/v1/categories", "/api/v1/categories", "center", Json(category_json), 403),
        row("POST /api/v1/categories/{id}/retired", "/api/v1/categories/2/retired", "anon", Json(retire_json), 401),
        row("POST /api/v1/categories/{id}/retired", "/api/v1/categories/2/retired", "sys", Json(retire_json), 204),
        row("POST /api/v1/categories/{id}/retired", "/api/v1/categories/999/retired", "sys", Json(retire_json), 404),
        row("POST /api/v1/categories/{id}/retired", "/api/v1/categories/2/retired", "center", Json(retire_json), 403),
        row(
            "PUT /api/v1/sla-policies/{kind}/{priority}",
            "/api/v1/sla-policies/need/normal",
            "anon",
            Json(policy_json),
            401,
        ),
        row(
            "PUT /api/v1/sla-policies/{kind}/{priority}",
            "/api/v1/sla-policies/need/normal",
            "sys",
            Json(policy_json),
            204,
        ),
        row(
            "PUT /api/v1/sla-policies/{kind}/{priority}",
            "/api/v1/sla-policies/fax/normal",
            "sys",
            Json(policy_json),
            404,
        ),
        row(
            "PUT /api/v1/sla-policies/{kind}/{priority}",
            "/api/v1/sla-policies/need/normal",
            "center",
            Json(policy_json),
            403,
        ),
        row("GET /api/v1/notifications", "/api/v1/notifications", "anon", Empty, 401),
        row("GET /api/v1/notifications", "/api/v1/notifications", "o1", Empty, 200),
        row("POST /api/v1/notifications/read", "/api/v1/notifications/read", "anon", Json(read_json), 401),
        row("POST /api/v1/notifications/read", "/api/v1/notifications/read", "o1", Json(read_json), 200),
        // Items (pages).
        row("GET /items", "/items", "anon", Empty, 303),
        row("GET /items", "/items", "e1a", Empty, 200),
        row("GET /items", "/items?queue=overdue&kind=need&from=2026-01-01&to=2026-12-31", "sup1", Empty, 200),
        row("GET /items", "/items?from=yesterday", "sup1", Empty, 422),
        row("GET /items", "/items", "sys", Empty, 200),
        row("GET /items/new", "/items/new", "anon", Empty, 303),
        row("GET /items/new", "/items/new", "e1a", Empty, 200),
        row("GET /items/new", "/items/new?enterprise_id={e1}", "o1", Empty, 200),
        row("POST /items", "/items", "anon", Multi(ITEM_FORM), 303),
        row("POST /items", "/items", "e1a", Multi(ITEM_FORM), 303),
        row(
            "POST /items",
            "/items",
            "e1a",
            Multi(&[("category_id", "need:1"), ("title", ""), ("description", "")]),
            422,
        ),
        row("POST /items", "/items", "sys", Multi(STAFF_ITEM_FORM), 403),
        row("POST /items", "/items", "o2", Multi(STAFF_ITEM_FORM), 404),
        row("GET /items/similar", "/items/similar?title=x", "anon", Empty, 303),
        row("GET /items/similar", "/items/similar?title=%E6%8B%9B%E8%81%98", "e1a", Empty, 200),
        row("GET /items/{id}", "/items/{i1}", "anon", Empty, 303),
        row("GET /items/{id}", "/items/{i1}", "e1a", Empty, 200),
        row("GET /items/{id}", "/items/{i1}", "e2a", Empty, 404),
        row("GET /items/{id}", "/items/{i1}", "o1", Empty, 200),
        row("GET /items/{id}", "/items/{i1}", "o2", Empty, 404),
        row("GET /items/{id}", "/items/{i1}", "leader", Empty, 200),
        row("GET /items/{id}", "/items/{i1}", "dept", Empty, 404),
        // The audited reveal of numbers in an item's text: the reveal permission (sup1 holds none).
        row("POST /items/{id}/reveal", "/items/{i1}/reveal", "anon", Form("reason=x"), 303),
        row("POST /items/{id}/reveal", "/items/{i1}/reveal", "sup1", Form("reason=x"), 403),
        row("POST /items/{id}/reveal", "/items/{i1}/reveal", "e1a", Form("reason=x"), 403),
        row("POST /items/{id}/reveal", "/items/{i1}/reveal", "o2", Form("reason=x"), 404),
        row("POST /api/v1/items/{id}/reveal", "/api/v1/items/{i1}/reveal", "anon", Json(reason_json), 401),
        row("POST /api/v1/items/{id}/reveal", "/api/v1/items/{i1}/reveal", "sup1", Json(reason_json), 403),
        row("POST /api/v1/items/{id}/reveal", "/api/v1/items/{i2}/reveal", "sup1", Json(reason_json), 404),
        row("POST /api/v1/items/{id}/reveal", "/api/v1/items/{i1}/reveal", "leader", Json(reason_json), 403),
        row("POST /items/{id}/step", "/items/{i1}/step", "anon", Form("step=accept&version=1"), 303),
        row("POST /items/{id}/step", "/items/{i1}/step", "o1", Form("step=accept&version=1"), 303),
        row("POST /items/{id}/step", "/items/{i1}/step", "e1a", Form("step=accept&version=1"), 403),
        row("POST /items/{id}/step", "/items/{i1}/step", "e2a", Form("step=accept&version=1"), 404),
        row("POST /items/{id}/step", "/items/{i1}/step", "o1", Form("step=start&version=1"), 409),
        row("POST /items/{id}/attachments", "/items/{i1}/attachments", "anon", Csv(IMPORT_CSV), 303),
        row("POST /items/{id}/attachments", "/items/{i1}/attachments", "e1a", Csv(IMPORT_CSV), 415),
        row("POST /items/{id}/attachments", "/items/{i1}/attachments", "e2a", Csv(IMPORT_CSV), 404),
        row("POST /items/{id}/attachments", "/items/{i1}/attachments", "leader", Csv(IMPORT_CSV), 403),
        row("GET /items/{id}/attachments/{attachment_id}", "/items/{i1}/attachments/{a1}", "anon", Empty, 303),
        row("GET /items/{id}/attachments/{attachment_id}", "/items/{i1}/attachments/{a1}", "e1a", Empty, 200),
        row("GET /items/{id}/attachments/{attachment_id}", "/items/{i1}/attachments/{a1}", "e2a", Empty, 404),
        row("POST /items/{id}/dispute", "/items/{i3}/dispute", "anon", Form("amount_yuan=1&parties=a,b"), 303),
        row("POST /items/{id}/dispute", "/items/{i3}/dispute", "o1", Form("amount_yuan=1&parties=a,b"), 409),
        row("POST /items/{id}/dispute", "/items/{i3}/dispute", "e1a", Form("amount_yuan=1&parties=a,b"), 403),
        row("POST /items/{id}/dispute", "/items/{i3}/dispute", "o1", Form("amount_yuan=x&parties=a,b"), 422),
        row(
            "POST /items/{id}/mediation-sessions",
            "/items/{i3}/mediation-sessions",
            "anon",
            Form("held_on=2026-03-01&participants=a&outcome=failed"),
            303,
        ),
        row(
            "POST /items/{id}/mediation-sessions",
            "/items/{i3}/mediation-sessions",
            "o1",
            Form("held_on=2026-03-01&participants=a&outcome=failed"),
            409,
        ),
        row(
            "POST /items/{id}/mediation-outcome",
            "/items/{i3}/mediation-outcome",
            "anon",
            Form("outcome=reached&text=x"),
            303,
        ),
        row(
            "POST /items/{id}/mediation-outcome",
            "/items/{i3}/mediation-outcome",
            "o1",
            Form("outcome=reached&text=x"),
            409,
        ),
        row("GET /account/notifications", "/account/notifications", "anon", Empty, 303),
        row("GET /account/notifications", "/account/notifications", "e1a", Empty, 200),
        row("POST /account/notifications", "/account/notifications", "anon", Form("email=a%40b.cn"), 303),
        row("POST /account/notifications", "/account/notifications", "o1", Form("email=a%40b.cn"), 303),
        row("POST /account/notifications", "/account/notifications", "o1", Form("email=nope"), 422),
        row("GET /deliveries", "/deliveries", "anon", Empty, 303),
        row("GET /deliveries", "/deliveries?state=failed", "sys", Empty, 200),
        row("GET /deliveries", "/deliveries", "center", Empty, 403),
        row("GET /catalogue", "/catalogue", "anon", Empty, 303),
        row("GET /catalogue", "/catalogue", "sys", Empty, 200),
        row("GET /catalogue", "/catalogue", "center", Empty, 403),
        row("POST /catalogue/categories", "/catalogue/categories", "anon", Form("kind=need&name=x"), 303),
        row(
            "POST /catalogue/categories",
            "/catalogue/categories",
            "sys",
            Form("kind=need&name=%E6%8B%9B%E8%81%98"),
            303,
        ),
        row("POST /catalogue/categories", "/catalogue/categories", "sys", Form("kind=bogus&name=x"), 422),
        row("POST /catalogue/categories", "/catalogue/categories", "sys", Form("kind=need&name=x&resolve_days=x"), 422),
        row("POST /catalogue/categories", "/catalogue/categories", "center", Form("kind=need&name=x"), 403),
        row("POST /catalogue/categories/{id}", "/catalogue/categories/2", "anon", Form("retired=true"), 303),
        row("POST /catalogue/categories/{id}", "/catalogue/categories/2", "sys", Form("retired=true"), 303),
        row("POST /catalogue/categories/{id}", "/catalogue/categories/999", "sys", Form("retired=true"), 404),
        row("POST /catalogue/categories/{id}", "/catalogue/categories/2", "center", Form("retired=false"), 403),
        row("POST /catalogue/policies/{kind}/{priority}", "/catalogue/policies/need/normal", "anon", Form(POLICY), 303),
        row("POST /catalogue/policies/{kind}/{priority}", "/catalogue/policies/need/normal", "sys", Form(POLICY), 303),
        row("POST /catalogue/policies/{kind}/{priority}", "/catalogue/policies/bogus/normal", "sys", Form(POLICY), 404),
        row(
            "POST /catalogue/policies/{kind}/{priority}",
            "/catalogue/policies/need/normal",
            "sys",
            Form("respond=1&respond_unit=days&resolve_days=0&warn_percent=80"),
            422,
        ),
        row(
            "POST /catalogue/policies/{kind}/{priority}",
            "/catalogue/policies/need/normal",
            "center",
            Form(POLICY),
            403,
        ),
        row("GET /inbox", "/inbox", "anon", Empty, 303),
        row("GET /inbox", "/inbox", "o1", Empty, 200),
        row("GET /inbox/count", "/inbox/count", "anon", Empty, 303),
        row("GET /inbox/count", "/inbox/count", "o1", Empty, 200),
        row("POST /inbox/read", "/inbox/read", "anon", Empty, 303),
        row("POST /inbox/read", "/inbox/read", "o1", Form("id="), 303),
    ]
}
