//! Bulk import of enterprises (upload with a preview of every rejected row; all or nothing) and the
//! XLSX export of any enterprise list.

use super::{Chrome, render, render_status};
use crate::AppState;
use crate::actions::{self, ImportReport};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::export;
use crate::extract::AppMultipart;
use crate::extract::AppQuery;
use crate::i18n::Lang;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liaison_core::permission::Action;
use liaison_core::validate::FieldError;
use liaison_store::Paging;
use liaison_store::enterprises::EnterpriseFilter;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "enterprises/import.html")]
struct ImportPage {
    chrome: Chrome,
    columns: Vec<&'static str>,
    report: Option<ImportReport>,
    errors: Vec<FieldError>,
}

pub async fn form(State(state): State<AppState>, lang: Lang, CurrentUser(authed): CurrentUser) -> AppResult<Response> {
    authed.require(Action::ImportEnterprises)?;
    let columns = liaison_core::import::COLUMNS.iter().map(|(_, names)| names[0]).collect();
    Ok(render(&ImportPage {
        chrome: Chrome::new(&state, lang, &authed, "import.title", "/enterprises"),
        columns,
        report: None,
        errors: Vec::new(),
    }))
}

/// Reads the multipart upload: the file and whether to commit.
pub async fn upload(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppMultipart(mut multipart): AppMultipart,
) -> AppResult<Response> {
    authed.require(Action::ImportEnterprises)?;
    let malformed = |_| AppError::BadRequest("malformed_body", "上传内容格式错误 / malformed upload".into());
    let (mut file, mut filename, mut commit) = (Vec::new(), String::new(), false);
    while let Some(part) = multipart.next_field().await.map_err(malformed)? {
        match part.name() {
            Some("file") => {
                filename = part.file_name().unwrap_or_default().to_owned();
                file = part.bytes().await.map_err(malformed)?.to_vec();
            }
            Some("mode") => commit = part.text().await.map_err(malformed)? == "commit",
            _ => {}
        }
    }
    let columns = liaison_core::import::COLUMNS.iter().map(|(_, names)| names[0]).collect();
    let chrome = Chrome::new(&state, lang, &authed, "import.title", "/enterprises");
    match actions::import_enterprises(&state, &authed, &file, &filename, commit).await {
        Ok(report) => {
            let status = if report.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok(render_status(status, &ImportPage { chrome, columns, report: Some(report), errors: Vec::new() }))
        }
        Err(AppError::Validation(errors)) => {
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &ImportPage { chrome, columns, report: None, errors }))
        }
        Err(other) => Err(other),
    }
}

/// Filters of the export (the list page's).
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    q: Option<String>,
    key_only: Option<String>,
    retired: Option<String>,
    officer: Option<i64>,
}

/// Every enterprise of the filtered list as XLSX (contacts masked unless the viewer may reveal); audited.
pub async fn export(
    State(state): State<AppState>,
    lang: Lang,
    CurrentUser(authed): CurrentUser,
    AppQuery(q): AppQuery<ExportQuery>,
) -> AppResult<Response> {
    authed.require(Action::ExportEnterprises)?;
    let filter = EnterpriseFilter {
        query: q.q.unwrap_or_default(),
        key_only: q.key_only.is_some_and(|v| !v.is_empty()),
        retired: q.retired.is_some_and(|v| !v.is_empty()),
        officer_id: q.officer,
    };
    let mut rows = Vec::new();
    for page in 1.. {
        let batch = actions::list_enterprises(&state, &authed, &filter, Paging::new(Some(page), Some(200))).await?;
        let done = batch.items.len() < 200;
        rows.extend(batch.items.into_iter().map(|e| {
            vec![
                e.name,
                e.credit_code,
                e.address,
                format!("{} {}", e.industry, e.industry_name),
                e.scale_label,
                if e.key_enterprise { "是".into() } else { "否".into() },
                e.community_name,
                e.officer_name.unwrap_or_default(),
                e.contact_name,
                e.contact_mobile,
            ]
        }));
        if done {
            break;
        }
    }
    let headers: Vec<String> = [
        "enterprise.name",
        "enterprise.credit_code",
        "enterprise.address",
        "enterprise.industry",
        "enterprise.scale",
        "enterprise.key",
        "enterprise.community",
        "enterprise.officer",
        "enterprise.contact_name",
        "enterprise.contact_mobile",
    ]
    .iter()
    .map(|key| lang.t(key))
    .collect();
    let ctx = authed.ctx(state.clock.now());
    state.db.audit(&ctx, ctx.event("enterprise.export", "enterprise", None, format!("{} rows", rows.len()))).await?;
    let bytes = export::xlsx("enterprises", &headers, &rows)?;
    Ok(export::attachment(bytes, "企业名单.xlsx", "enterprises.xlsx", export::XLSX))
}
