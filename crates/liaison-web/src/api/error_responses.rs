//! The error answers every API operation may give, added to the OpenAPI document in one place so no
//! operation can forget one: 400 (malformed request), 401 (not signed in), 403 (not allowed), 404 (an
//! id in the path or the query outside the caller's scope), 413 and 415 (a body too large or not JSON), 422
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
            let operations = [
                ("get", &mut item.get),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("delete", &mut item.delete),
            ];
            for (method, operation) in operations {
                if let Some(operation) = operation {
                    // An id named in the query (`enterprise_id=…`) may be outside the caller's scope too.
                    let id_in_query = operation
                        .parameters
                        .iter()
                        .flatten()
                        .any(|p| matches!(p, RefOr::T(parameter) if parameter.name.ends_with("_id")));
                    add_errors(operation, with_id || id_in_query);
                    operation.operation_id = Some(operation_id(method, path));
                }
            }
        }
    }
}

/// A unique operation id from the method and path (`POST /api/v1/items/{id}/attachments` →
/// `post_items_id_attachments`): handler names repeat across resources (`create`, `list`), and a client
/// generated for the mini-program names its functions after these.
fn operation_id(method: &str, path: &str) -> String {
    let rest = path.trim_start_matches("/api/v1/").trim_start_matches('/');
    let words: Vec<String> = rest
        .split('/')
        .map(|segment| segment.trim_matches(|c| c == '{' || c == '}').replace('-', "_"))
        .filter(|word| !word.is_empty())
        .collect();
    format!("{method}_{}", words.join("_"))
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
        let RefOr::T(response) = response else { continue };
        // OpenAPI requires a description on every response; an operation that gives none gets the
        // status's meaning, so no operation can leave the document invalid.
        if response.description.is_empty() {
            response.description = default_description(status).into();
        }
        if status.starts_with('4') && response.content.is_empty() {
            let content = Content::new(Some(Ref::from_schema_name("Error")));
            response.content.insert("application/json".into(), RefOr::T(content));
        }
    }
}

/// What a status means, for responses an operation left undescribed.
fn default_description(status: &str) -> &'static str {
    match status {
        "200" => "成功 / OK",
        "201" => "已创建 / created",
        "204" => "已完成，无内容 / done, no content",
        "303" => "跳转 / see other",
        "409" => "与当前状态冲突 / conflicts with the current state",
        "429" => "过于频繁，请按 Retry-After 稍后再试 / too many requests, retry after the given seconds",
        _ => "见状态码 / see the status code",
    }
}
