//! Self-reported basic information (自主申报): versioned submissions an officer reviews.

use crate::audit::append;
use crate::{Ctx, Db, StoreError, StoreResult};
use chrono::{DateTime, Utc};

/// One version of an enterprise's self-reported information.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct SelfReport {
    /// Id.
    pub id: i64,
    /// Enterprise.
    pub enterprise_id: i64,
    /// 1, 2, 3… per enterprise.
    pub version: i64,
    /// 从业人员
    pub employees: i64,
    /// 保安人员
    pub security_staff: i64,
    /// 监控摄像头
    pub cameras: i64,
    /// 消防设施
    pub fire_equipment: String,
    /// 重点部位
    pub key_positions: String,
    /// 风险隐患
    pub risks: String,
    /// `pending`, `approved` or `returned`.
    pub status: String,
    /// Submitted.
    pub submitted_at: DateTime<Utc>,
    /// Reviewed.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Reviewer's comment.
    pub review_comment: Option<String>,
}

/// A new self-report.
#[derive(Debug, Clone)]
pub struct NewSelfReport {
    /// 从业人员
    pub employees: i64,
    /// 保安人员
    pub security_staff: i64,
    /// 监控摄像头
    pub cameras: i64,
    /// 消防设施
    pub fire_equipment: String,
    /// 重点部位
    pub key_positions: String,
    /// 风险隐患
    pub risks: String,
}

impl Db {
    /// Submits the next version for an enterprise.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn submit_self_report(&self, ctx: &Ctx, enterprise_id: i64, r: &NewSelfReport) -> StoreResult<i64> {
        let submitter = ctx.actor_id.ok_or(StoreError::Invariant("a self-report needs a submitter"))?;
        let mut tx = self.begin().await?;
        let id: i64 = fetch!(&mut tx, |c| {
            sqlx::query_scalar(
            "INSERT INTO self_report (enterprise_id, version, employees, security_staff, cameras, fire_equipment, key_positions, risks, submitted_by, submitted_at)
             VALUES ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM self_report WHERE enterprise_id = $1), $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        )
        .bind(enterprise_id)
        .bind(r.employees)
        .bind(r.security_staff)
        .bind(r.cameras)
        .bind(&r.fire_equipment)
        .bind(&r.key_positions)
        .bind(&r.risks)
        .bind(submitter)
        .bind(ctx.at)
        .fetch_one(c)
        })?;
        append(
            &mut tx,
            ctx.at,
            &ctx.event("self_report.submit", "enterprise", Some(enterprise_id), format!("report {id}")),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every version, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn self_reports(&self, enterprise_id: i64) -> StoreResult<Vec<SelfReport>> {
        Ok(read!(self, |c| {
            sqlx::query_as(
            "SELECT id, enterprise_id, version, employees, security_staff, cameras, fire_equipment, key_positions, risks,
                    status, submitted_at, reviewed_at, review_comment
             FROM self_report WHERE enterprise_id = $1 ORDER BY version DESC"
        )
        .bind(enterprise_id)
        .fetch_all(c)
        })?)
    }

    /// Approves or returns a pending version of `enterprise_id`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn review_self_report(
        &self,
        ctx: &Ctx,
        enterprise_id: i64,
        report_id: i64,
        approve: bool,
        comment: &str,
    ) -> StoreResult<()> {
        let status = if approve { "approved" } else { "returned" };
        let mut tx = self.begin().await?;
        let done = exec!(&mut tx, |c| {
            sqlx::query(
                "UPDATE self_report SET status = $1, reviewed_by = $2, reviewed_at = $3, review_comment = $4
             WHERE id = $5 AND enterprise_id = $6 AND status = 'pending'",
            )
            .bind(status)
            .bind(ctx.actor_id)
            .bind(ctx.at)
            .bind(comment)
            .bind(report_id)
            .bind(enterprise_id)
            .execute(c)
        })?;
        if done == 0 {
            return Err(StoreError::Conflict("this version is not waiting for review".into()));
        }
        append(&mut tx, ctx.at, &ctx.event("self_report.review", "enterprise", Some(enterprise_id), status)).await?;
        tx.commit().await
    }
}
