//! The org tree (DESIGN §2): unit kinds, which kind may sit under which, and materialized paths.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of an org unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 市公安局 — the root of a deployment.
    City,
    /// 分局 — a district bureau.
    District,
    /// 中心 — one of the district's centers.
    Center,
    /// 助企警务联络站 — one per 派出所.
    Station,
    /// 社区 — one liaison officer each.
    Community,
    /// 协同部门 — a partner department (街道、司法所、市场监管…).
    Department,
}

impl OrgKind {
    /// Every kind, root first.
    pub const ALL: [OrgKind; 6] =
        [OrgKind::City, OrgKind::District, OrgKind::Center, OrgKind::Station, OrgKind::Community, OrgKind::Department];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            OrgKind::City => "city",
            OrgKind::District => "district",
            OrgKind::Center => "center",
            OrgKind::Station => "station",
            OrgKind::Community => "community",
            OrgKind::Department => "department",
        }
    }

    /// Parses a stable code.
    pub fn parse(code: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether a unit of this kind may be placed under a unit of kind `parent` (`None` = the root).
    pub fn may_sit_under(self, parent: Option<OrgKind>) -> bool {
        use OrgKind::*;
        matches!(
            (self, parent),
            (City, None)
                | (District, Some(City))
                | (Center | Station, Some(District))
                | (Department, Some(City | District))
                | (Community, Some(Station))
        )
    }
}

/// A materialized path such as `/1/4/17/`: the ids from the root to the unit, each followed by `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrgPath(String);

impl OrgPath {
    /// The path of a root unit.
    pub fn root(id: i64) -> Self {
        Self(format!("/{id}/"))
    }

    /// Parses a stored path; `None` when it is not `/` followed by `id/` segments.
    pub fn parse(path: &str) -> Option<Self> {
        let inner = path.strip_prefix('/')?.strip_suffix('/')?;
        inner
            .split('/')
            .all(|seg| !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Self(path.to_owned()))
    }

    /// The path of a child unit with `id`.
    pub fn child(&self, id: i64) -> Self {
        Self(format!("{}{id}/", self.0))
    }

    /// True when `self` is `ancestor` or lies below it.
    pub fn is_within(&self, ancestor: &OrgPath) -> bool {
        self.0.starts_with(&ancestor.0)
    }

    /// The exclusive upper bound of every path within `self`, for an indexed range scan
    /// (`path >= self AND path < upper`): the trailing `/` becomes `0`, the next byte.
    pub fn range_end(&self) -> String {
        let mut end = self.0.clone();
        end.pop();
        end.push('0');
        end
    }

    /// The parent's path (`None` for a root).
    pub fn parent(&self) -> Option<OrgPath> {
        let trimmed = self.0.strip_suffix('/')?;
        let cut = trimmed.rfind('/')?;
        (cut > 0).then(|| Self(self.0[..=cut].to_owned()))
    }

    /// The ids from the root down to this unit.
    pub fn ids(&self) -> Vec<i64> {
        self.0.split('/').filter_map(|s| s.parse().ok()).collect()
    }

    /// Number of levels (a root has depth 1).
    pub fn depth(&self) -> usize {
        self.ids().len()
    }

    /// The stored text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_nest_and_bound_their_subtree() {
        let district = OrgPath::root(1).child(4);
        let station = district.child(17);
        assert_eq!(station.as_str(), "/1/4/17/");
        assert!(station.is_within(&district));
        assert!(!district.is_within(&station));
        let sibling = OrgPath::root(1).child(40);
        assert!(!sibling.is_within(&district), "/1/40/ is not under /1/4/");
        let end = district.range_end();
        assert!(station.as_str() >= district.as_str() && station.as_str() < end.as_str());
        assert!(sibling.as_str() >= end.as_str());
        assert_eq!(station.ids(), vec![1, 4, 17]);
        assert_eq!(station.parent(), Some(district.clone()));
        assert_eq!(OrgPath::root(1).parent(), None);
        assert_eq!(station.depth(), 3);
    }

    #[test]
    fn parse_rejects_malformed_paths() {
        assert!(OrgPath::parse("/1/2/").is_some());
        for bad in ["", "/", "1/2/", "/1/2", "/1//2/", "/a/"] {
            assert!(OrgPath::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn kinds_nest_as_the_tree_of_design_section_2() {
        use OrgKind::*;
        assert!(City.may_sit_under(None));
        assert!(District.may_sit_under(Some(City)));
        assert!(Station.may_sit_under(Some(District)));
        assert!(Community.may_sit_under(Some(Station)));
        assert!(Department.may_sit_under(Some(District)));
        assert!(!Community.may_sit_under(Some(District)));
        assert!(!District.may_sit_under(None));
        assert!(!Station.may_sit_under(Some(Community)));
    }
}
