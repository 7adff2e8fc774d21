//! The authorization matrix rows of Open311 and its API keys: reads are public (public services only),
//! a POST needs an `api_key` (a session cookie is not one), keys are a security administrator's.

use crate::matrix::Body::{Form, Json, None as Empty};
use crate::matrix::{Row, row};
use serde_json::json;

fn service_json() -> serde_json::Value {
    json!({"public_service": true, "description": "融资", "keywords": "贷款",
           "attributes": [{"code": "amount", "datatype": "number", "required": true, "description": "金额（万元）"}]})
}
fn bad_service_json() -> serde_json::Value {
    json!({"public_service": true, "attributes": [{"code": "Amount!", "datatype": "number", "description": "金额"}]})
}
fn key_json() -> serde_json::Value {
    json!({"name": "某企业 ERP", "username": "e1a", "per_minute": 60})
}

const REQUEST_FORM: &str = "service_code=1&description=%E6%8B%9B%E5%B7%A5&address_string=x&attribute[headcount]=3";

pub(crate) fn rows() -> Vec<Row> {
    vec![
        row("GET /open311/v2/{file}", "/open311/v2/discovery.json", "anon", Empty, 200),
        row("GET /open311/v2/{file}", "/open311/v2/services.xml", "anon", Empty, 200),
        row("GET /open311/v2/{file}", "/open311/v2/requests.json", "anon", Empty, 200),
        row("GET /open311/v2/{file}", "/open311/v2/requests.json?api_key=nope", "anon", Empty, 403),
        row("GET /open311/v2/{file}", "/open311/v2/nothing.json", "anon", Empty, 404),
        row("POST /open311/v2/{file}", "/open311/v2/requests.json", "anon", Form(REQUEST_FORM), 403),
        row("POST /open311/v2/{file}", "/open311/v2/requests.json", "e1a", Form(REQUEST_FORM), 403),
        row("POST /open311/v2/{file}", "/open311/v2/services.json", "anon", Form(REQUEST_FORM), 404),
        row("GET /open311/v2/services/{file}", "/open311/v2/services/1.json", "anon", Empty, 200),
        row("GET /open311/v2/services/{file}", "/open311/v2/services/6.json", "anon", Empty, 404),
        row("GET /open311/v2/requests/{file}", "/open311/v2/requests/{n1}.json", "anon", Empty, 200),
        row("GET /open311/v2/requests/{file}", "/open311/v2/requests/YZ-1999-000001.xml", "anon", Empty, 404),
        row("GET /open311/v2/tokens/{file}", "/open311/v2/tokens/abc.json", "anon", Empty, 404),
        row("GET /api/v1/api-keys", "/api/v1/api-keys", "anon", Empty, 401),
        row("GET /api/v1/api-keys", "/api/v1/api-keys", "sec", Empty, 200),
        row("GET /api/v1/api-keys", "/api/v1/api-keys", "sys", Empty, 403),
        row("GET /api/v1/api-keys", "/api/v1/api-keys", "e1a", Empty, 403),
        row("POST /api/v1/api-keys", "/api/v1/api-keys", "anon", Json(key_json), 401),
        row("POST /api/v1/api-keys", "/api/v1/api-keys", "sec", Json(key_json), 201),
        row("POST /api/v1/api-keys", "/api/v1/api-keys", "sys", Json(key_json), 403),
        row("POST /api/v1/api-keys", "/api/v1/api-keys", "center", Json(key_json), 403),
        row("POST /api/v1/api-keys/{id}/rotation", "/api/v1/api-keys/{k1}/rotation", "anon", Empty, 401),
        row("POST /api/v1/api-keys/{id}/rotation", "/api/v1/api-keys/{k1}/rotation", "sec", Empty, 200),
        row("POST /api/v1/api-keys/{id}/rotation", "/api/v1/api-keys/999/rotation", "sec", Empty, 404),
        row("POST /api/v1/api-keys/{id}/rotation", "/api/v1/api-keys/{k1}/rotation", "aud", Empty, 403),
        row("DELETE /api/v1/api-keys/{id}", "/api/v1/api-keys/{k1}", "anon", Empty, 401),
        row("DELETE /api/v1/api-keys/{id}", "/api/v1/api-keys/{k1}", "sec", Empty, 204),
        row("DELETE /api/v1/api-keys/{id}", "/api/v1/api-keys/{k1}", "e1a", Empty, 403),
        row("PUT /api/v1/categories/{id}/service", "/api/v1/categories/2/service", "anon", Json(service_json), 401),
        row("PUT /api/v1/categories/{id}/service", "/api/v1/categories/2/service", "sys", Json(service_json), 204),
        row("PUT /api/v1/categories/{id}/service", "/api/v1/categories/2/service", "sys", Json(bad_service_json), 422),
        row("PUT /api/v1/categories/{id}/service", "/api/v1/categories/999/service", "sys", Json(service_json), 404),
        row("PUT /api/v1/categories/{id}/service", "/api/v1/categories/2/service", "center", Json(service_json), 403),
        row("GET /catalogue/categories/{id}/service", "/catalogue/categories/1/service", "anon", Empty, 303),
        row("GET /catalogue/categories/{id}/service", "/catalogue/categories/1/service", "sys", Empty, 200),
        row("GET /catalogue/categories/{id}/service", "/catalogue/categories/999/service", "sys", Empty, 404),
        row("GET /catalogue/categories/{id}/service", "/catalogue/categories/1/service", "sec", Empty, 403),
        row(
            "POST /catalogue/categories/{id}/service",
            "/catalogue/categories/2/service",
            "anon",
            Form("public_service=1"),
            303,
        ),
        row(
            "POST /catalogue/categories/{id}/service",
            "/catalogue/categories/2/service",
            "sys",
            Form("public_service=1&attributes=amount+%7C+number+%7C+required+%7C+%E9%87%91%E9%A2%9D"),
            303,
        ),
        row(
            "POST /catalogue/categories/{id}/service",
            "/catalogue/categories/2/service",
            "sys",
            Form("attributes=amount"),
            422,
        ),
        row(
            "POST /catalogue/categories/{id}/service",
            "/catalogue/categories/2/service",
            "o1",
            Form("public_service=1"),
            403,
        ),
        row("GET /api-keys", "/api-keys", "anon", Empty, 303),
        row("GET /api-keys", "/api-keys", "sec", Empty, 200),
        row("GET /api-keys", "/api-keys", "sys", Empty, 403),
        row("POST /api-keys", "/api-keys", "anon", Form("name=ERP&username=e1a"), 303),
        row("POST /api-keys", "/api-keys", "sec", Form("name=ERP&username=e1a&per_minute=30"), 200),
        row("POST /api-keys", "/api-keys", "sec", Form("name=ERP&username=sys"), 422),
        row("POST /api-keys", "/api-keys", "sec", Form("name=ERP&username=e1a&per_minute=lots"), 422),
        row("POST /api-keys", "/api-keys", "o1", Form("name=ERP&username=e1a"), 403),
        row("POST /api-keys/{id}/rotation", "/api-keys/{k1}/rotation", "anon", Empty, 303),
        row("POST /api-keys/{id}/rotation", "/api-keys/{k1}/rotation", "sec", Empty, 200),
        row("POST /api-keys/{id}/rotation", "/api-keys/{k1}/rotation", "leader", Empty, 403),
        row("POST /api-keys/{id}/revocation", "/api-keys/{k1}/revocation", "anon", Empty, 303),
        row("POST /api-keys/{id}/revocation", "/api-keys/{k1}/revocation", "sec", Empty, 303),
        row("POST /api-keys/{id}/revocation", "/api-keys/999/revocation", "sec", Empty, 404),
        row("POST /api-keys/{id}/revocation", "/api-keys/{k1}/revocation", "e1a", Empty, 403),
        // The holder's consent: only the account a key acts as (k1 acts as e1a).
        row("GET /api/v1/me/api-keys", "/api/v1/me/api-keys", "anon", Empty, 401),
        row("GET /api/v1/me/api-keys", "/api/v1/me/api-keys", "e1a", Empty, 200),
        row("POST /api/v1/me/api-keys/{id}/consent", "/api/v1/me/api-keys/{k1}/consent", "anon", Empty, 401),
        row("POST /api/v1/me/api-keys/{id}/consent", "/api/v1/me/api-keys/{k1}/consent", "e1a", Empty, 204),
        row("POST /api/v1/me/api-keys/{id}/consent", "/api/v1/me/api-keys/{k1}/consent", "e1b", Empty, 404),
        row("POST /api/v1/me/api-keys/{id}/consent", "/api/v1/me/api-keys/{k1}/consent", "sec", Empty, 404),
        row("POST /account/api-keys/{id}/consent", "/account/api-keys/{k1}/consent", "anon", Empty, 303),
        row("POST /account/api-keys/{id}/consent", "/account/api-keys/{k1}/consent", "e1a", Empty, 200),
        row("POST /account/api-keys/{id}/consent", "/account/api-keys/{k1}/consent", "sec", Empty, 404),
    ]
}
