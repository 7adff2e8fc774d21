//! Self-reported basic information (自主申报, "一标三实" 实有单位): an enterprise user submits a new
//! version for their own enterprise; staff who see the enterprise list its versions. Shared by the
//! portal page and `/api/v1/self-reports`; the review is `actions::review_self_report`.

use crate::AppState;
use crate::auth::Authed;
use crate::error::{AppError, AppResult};
use liaison_core::permission::Action;
use liaison_core::validate::{FieldError, FieldErrors, text};
use liaison_store::self_reports::{NewSelfReport, SelfReport};
use serde::Deserialize;
use utoipa::ToSchema;

/// A self-report as entered (also the body of `POST /api/v1/self-reports`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"employees": 120, "security_staff": 4, "cameras": 36, "fire_equipment": "灭火器 40 具",
    "key_positions": "财务室、仓库", "risks": "夜间仓库无人值守"}))]
pub struct SelfReportFields {
    /// Employees (0–1,000,000).
    pub employees: i64,
    /// Security staff (0–1,000,000).
    pub security_staff: i64,
    /// Cameras (0–1,000,000).
    pub cameras: i64,
    /// Fire equipment.
    #[serde(default)]
    pub fire_equipment: String,
    /// Key positions (要害部位).
    #[serde(default)]
    pub key_positions: String,
    /// Risks the enterprise sees.
    #[serde(default)]
    pub risks: String,
}

/// The largest count a self-report takes.
const MAX_COUNT: i64 = 1_000_000;

/// Checks the fields: every error at once, each naming its field.
pub fn check(fields: &SelfReportFields, number_message: &str) -> Result<NewSelfReport, FieldErrors> {
    let mut errors = FieldErrors::default();
    for (field, value) in
        [("employees", fields.employees), ("security_staff", fields.security_staff), ("cameras", fields.cameras)]
    {
        if !(0..=MAX_COUNT).contains(&value) {
            errors.push(FieldError::new(field, "number.range", number_message));
        }
    }
    let optional =
        |value: &str| text::optional(Some(value), |t| text::free_text(t, 1000)).map(Option::unwrap_or_default);
    let fire_equipment = errors.check("fire_equipment", optional(&fields.fire_equipment));
    let key_positions = errors.check("key_positions", optional(&fields.key_positions));
    let risks = errors.check("risks", optional(&fields.risks));
    errors.finish(|| {
        Some(NewSelfReport {
            employees: fields.employees,
            security_staff: fields.security_staff,
            cameras: fields.cameras,
            fire_equipment: fire_equipment?,
            key_positions: key_positions?,
            risks: risks?,
        })
    })
}

/// Submits a new version for the signed-in enterprise user's own enterprise; returns its id.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn submit(
    state: &AppState,
    authed: &Authed,
    fields: &SelfReportFields,
    number_message: &str,
) -> AppResult<i64> {
    authed.require(Action::SubmitSelfReport)?;
    let enterprise_id = authed.viewer().enterprise_id.ok_or(AppError::Forbidden)?;
    let report = check(fields, number_message)?;
    Ok(state.db.submit_self_report(&authed.ctx(state.clock.now()), enterprise_id, &report).await?)
}

/// Every version of an enterprise's self-report the viewer may see, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn of_enterprise(state: &AppState, authed: &Authed, enterprise_id: i64) -> AppResult<Vec<SelfReport>> {
    let row = crate::actions::visible_enterprise(state, authed, enterprise_id).await?;
    Ok(state.db.self_reports(row.id).await?)
}
