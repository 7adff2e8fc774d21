//! Resolving a parsed enterprise import against the database: communities by name (or id) within the
//! importer's subtree, and credit codes already registered. Committing is `Db::import_enterprises`.

use crate::{Db, StoreResult};
use liaison_core::enterprise::EnterpriseDetails;
use liaison_core::import::{ParsedRow, RowError};
use liaison_core::org::{OrgKind, OrgPath};
use std::collections::HashMap;

/// Rows ready to commit, and every row that cannot be.
#[derive(Debug, Default)]
pub struct ImportPlan {
    /// Valid rows with their community id.
    pub rows: Vec<(EnterpriseDetails, i64)>,
    /// Rejected rows.
    pub errors: Vec<RowError>,
}

impl Db {
    /// Resolves each row's community within `root` and refuses codes already registered.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn plan_enterprise_import(
        &self,
        root: &OrgPath,
        parsed: Vec<ParsedRow>,
        mut errors: Vec<RowError>,
    ) -> StoreResult<ImportPlan> {
        let communities = self.units_of_kind(root, OrgKind::Community).await?;
        let mut by_name: HashMap<String, Vec<i64>> = HashMap::new();
        for unit in &communities {
            by_name.entry(unit.name.clone()).or_default().push(unit.id);
            by_name.entry(unit.id.to_string()).or_default().push(unit.id);
        }
        let mut rows = Vec::with_capacity(parsed.len());
        for row in parsed {
            let community = match by_name.get(&row.community).map(Vec::as_slice) {
                Some([id]) => Some(*id),
                Some(_) => {
                    errors.push(RowError {
                        row: row.row,
                        column: "community".into(),
                        reason: "社区名称不唯一，请填写社区编号".into(),
                    });
                    None
                }
                None => {
                    errors.push(RowError {
                        row: row.row,
                        column: "community".into(),
                        reason: format!("辖区内没有社区“{}”", row.community),
                    });
                    None
                }
            };
            if self.enterprise_by_code(row.details.credit_code.as_str()).await?.is_some() {
                errors.push(RowError {
                    row: row.row,
                    column: "credit_code".into(),
                    reason: "该统一社会信用代码已建档".into(),
                });
            } else if let Some(community) = community {
                rows.push((row.details, community));
            }
        }
        errors.sort_by_key(|e| e.row);
        Ok(ImportPlan { rows, errors })
    }
}
