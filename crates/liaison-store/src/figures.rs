//! The closed loop's reported figures over a period and an org subtree, each one SQL aggregate whose
//! definition is written down in `docs/METRICS.md` (the same words, the same conditions).

use crate::{Db, StoreResult};
use chrono::{DateTime, Utc};
use liaison_core::org::OrgPath;

/// Counts of items submitted in the period within the subtree.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct LoopFigures {
    /// 需求建议 collected: needs and suggestions, every channel, not withdrawn.
    pub needs_suggestions_collected: i64,
    /// …of which solved: resolved or closed, not rejected, and not answered "unsolved".
    pub needs_suggestions_solved: i64,
    /// 助企直通车 disputes reported (portal channel).
    pub portal_disputes_reported: i64,
    /// 助企直通车 suggestions answered: portal suggestions resolved or closed, not rejected.
    pub portal_suggestions_answered: i64,
    /// 助企直通车 needs solved (解决企业诉求): portal needs counted as solved above.
    pub portal_needs_solved: i64,
    /// Disputes resolved (化解): mediation concluded with an agreement, every channel.
    pub disputes_resolved: i64,
    /// Consultations answered: resolved or closed, not rejected.
    pub consultations_answered: i64,
    /// Items due for a response (all but those still waiting with time left).
    pub due_for_response: i64,
    /// …of which answered within the response allowance (响应率 numerator).
    pub responded_in_time: i64,
    /// Items resolved (按期办结率 denominator).
    pub resolved: i64,
    /// …of which within the resolution allowance.
    pub resolved_in_time: i64,
    /// Items with feedback (满意率 and 解决率 denominator; "no feedback" closures excluded).
    pub with_feedback: i64,
    /// …rated 非常满意, 满意 or 基本满意.
    pub satisfied: i64,
    /// …answered "solved".
    pub solved_by_feedback: i64,
    /// Closed without feedback after seven days (counted separately).
    pub no_feedback: i64,
    /// Reopened at least once (重办).
    pub reopened: i64,
}

impl Db {
    /// The figures of items submitted in `[from, to)` under `root`, as of `now`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn loop_figures(
        &self,
        root: &OrgPath,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<LoopFigures> {
        Ok(read!(self, |c| {
            sqlx::query_as(
            "SELECT
               CAST(COALESCE(SUM(CASE WHEN i.kind IN ('need', 'suggestion') AND i.status <> 'withdrawn' THEN 1 ELSE 0 END), 0) AS BIGINT) AS needs_suggestions_collected,
               CAST(COALESCE(SUM(CASE WHEN i.kind IN ('need', 'suggestion') AND i.status IN ('resolved', 'closed')
                    AND COALESCE(i.close_reason, '') <> 'rejected' AND (i.solved IS NULL OR i.solved) THEN 1 ELSE 0 END), 0) AS BIGINT) AS needs_suggestions_solved,
               CAST(COALESCE(SUM(CASE WHEN i.kind = 'dispute' AND i.channel = 'portal' AND i.status <> 'withdrawn' THEN 1 ELSE 0 END), 0) AS BIGINT) AS portal_disputes_reported,
               CAST(COALESCE(SUM(CASE WHEN i.kind = 'suggestion' AND i.channel = 'portal' AND i.status IN ('resolved', 'closed')
                    AND COALESCE(i.close_reason, '') <> 'rejected' THEN 1 ELSE 0 END), 0) AS BIGINT) AS portal_suggestions_answered,
               CAST(COALESCE(SUM(CASE WHEN i.kind = 'need' AND i.channel = 'portal' AND i.status IN ('resolved', 'closed')
                    AND COALESCE(i.close_reason, '') <> 'rejected' AND (i.solved IS NULL OR i.solved) THEN 1 ELSE 0 END), 0) AS BIGINT) AS portal_needs_solved,
               CAST(COALESCE(SUM(CASE WHEN d.outcome = 'reached' THEN 1 ELSE 0 END), 0) AS BIGINT) AS disputes_resolved,
               CAST(COALESCE(SUM(CASE WHEN i.kind = 'consultation' AND i.status IN ('resolved', 'closed')
                    AND COALESCE(i.close_reason, '') <> 'rejected' THEN 1 ELSE 0 END), 0) AS BIGINT) AS consultations_answered,
               CAST(COALESCE(SUM(CASE WHEN i.status <> 'withdrawn' AND (i.responded_at IS NOT NULL OR i.respond_due_at <= $4) THEN 1 ELSE 0 END), 0) AS BIGINT) AS due_for_response,
               CAST(COALESCE(SUM(CASE WHEN i.respond_margin >= 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS responded_in_time,
               CAST(COALESCE(SUM(CASE WHEN i.resolved_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS resolved,
               CAST(COALESCE(SUM(CASE WHEN i.resolved_at IS NOT NULL AND i.resolve_margin >= 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS resolved_in_time,
               CAST(COALESCE(SUM(CASE WHEN i.rating IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS with_feedback,
               CAST(COALESCE(SUM(CASE WHEN i.rating IN ('very_satisfied', 'satisfied', 'fairly_satisfied') THEN 1 ELSE 0 END), 0) AS BIGINT) AS satisfied,
               CAST(COALESCE(SUM(CASE WHEN i.rating IS NOT NULL AND i.solved THEN 1 ELSE 0 END), 0) AS BIGINT) AS solved_by_feedback,
               CAST(COALESCE(SUM(CASE WHEN i.close_reason = 'no_feedback' THEN 1 ELSE 0 END), 0) AS BIGINT) AS no_feedback,
               CAST(COALESCE(SUM(CASE WHEN i.reopen_count > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS reopened
             FROM item i LEFT JOIN dispute d ON d.item_id = i.id
             WHERE substr(i.path, 1, length($1)) = $1 AND i.submitted_at >= $2 AND i.submitted_at < $3"
        )
        .bind(root.as_str())
        .bind(from)
        .bind(to)
        .bind(now)
        .fetch_one(c)
        })?)
    }
}
