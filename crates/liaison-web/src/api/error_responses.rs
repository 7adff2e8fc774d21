//! The error answers every API operation may give, added to the OpenAPI document in one place so no
//! operation can forget one: 400 (malformed request), 401 (not signed in), 403 (not allowed), 404 (an
//! id in the path outside the caller's scope), 413 and 415 (a body too large or not JSON), 422
//! (invalid fields), each with the `Error` schema — the shape `AppError` answers with.

use serde::Serialize;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};
use utoipa::{Modify, ToSchema};

/// An error answer: `{"error": {...}}`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"error": {"code": "validation", "message": "输入有误 / invalid input",
    "fields": [{"field": "title", "code": "text.required", "message": "不能为空 / required"}]}}))]
pub struct Error {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The detail of an error.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code, e.g. `validation`, `not_found`, `stale_version`.
    pub code: String,
    /// Chinese / English message.
    pub message: String,
    /// For `validation`: every field in error.
    pub fields: Vec<FieldProblem>,
    /// For a refused step: the item's status now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_status: Option<String>,
    /// For a refused step: the item's version now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// For a refused step: the steps the caller may take now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_steps: Option<Vec<String>>,
}

/// One field in error.
#[derive(Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field.
    pub field: String,
    /// Stable rule code.
    pub code: String,
    /// Chinese / English message.
    pub message: String,
}

/// Adds the common error answers to every operation of the document.
pub struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, doc: &mut OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let with_id = path.contains('{');
            for operation in [&mut item.get, &mut item.post, &mut item.put, &mut item.delete].into_iter().flatten() {
                add_errors(operation, with_id);
            }
        }
    }
}

fn add_errors(operation: &mut Operation, with_id: bool) {
    let with_body = operation.request_body.is_some();
    let statuses: [(&str, &str, bool); 7] = [
        ("400", "请求格式有误 / malformed request", true),
        ("401", "未登录 / not signed in", true),
        ("403", "无权操作 / not allowed", true),
        ("404", "不存在或不在可见范围内 / not found or outside the caller's scope", with_id),
        ("413", "请求体过大 / body too large", with_body),
        ("415", "须为 JSON / the body must be JSON", with_body),
        ("422", "输入有误 / invalid fields", true),
    ];
    for (status, description, applies) in statuses {
        if applies {
            operation.responses.responses.entry(status.into()).or_insert_with(|| RefOr::T(Response::new(description)));
        }
    }
    for (status, response) in operation.responses.responses.iter_mut() {
        if let (true, RefOr::T(response)) = (status.starts_with('4'), response)
            && response.content.is_empty()
        {
            let content = Content::new(Some(Ref::from_schema_name("Error")));
            response.content.insert("application/json".into(), RefOr::T(content));
        }
    }
}
