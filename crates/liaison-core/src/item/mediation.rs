//! Tiered dispute mediation (矛盾纠纷分级调解, DESIGN §4): level 1 officer / community, level 2 liaison
//! station, level 3 center with partner departments. The starting level follows the amount involved and
//! the number of parties; a failed session moves the dispute one level up; the outcome is an agreement
//! (调解协议) or guidance to arbitration or litigation.

use crate::role::Role;
use crate::validate::{FieldError, FieldErrors, Mobile, text};
use serde::{Deserialize, Serialize};

/// Amount (fen) from which a dispute starts at the station: ¥100,000.
pub const STATION_AMOUNT_FEN: i64 = 10_000_000;
/// Amount (fen) from which a dispute starts at the center: ¥1,000,000.
pub const CENTER_AMOUNT_FEN: i64 = 100_000_000;
/// Parties from which a dispute starts at the station.
pub const STATION_PARTIES: usize = 5;
/// Parties from which a dispute starts at the center (群体性纠纷).
pub const CENTER_PARTIES: usize = 10;
/// The top level.
pub const TOP_LEVEL: i64 = 3;

/// The level a dispute starts at (1–3) by its amount and number of parties.
pub fn starting_level(amount_fen: i64, parties: usize) -> i64 {
    if amount_fen >= CENTER_AMOUNT_FEN || parties >= CENTER_PARTIES {
        3
    } else if amount_fen >= STATION_AMOUNT_FEN || parties >= STATION_PARTIES {
        2
    } else {
        1
    }
}

/// The level after a session with `outcome`: a failed session escalates one level (to at most 3).
pub fn level_after(level: i64, outcome: SessionOutcome) -> i64 {
    match outcome {
        SessionOutcome::Failed => (level + 1).min(TOP_LEVEL),
        SessionOutcome::Reached | SessionOutcome::Adjourned => level,
    }
}

/// Whether someone holding `roles` may mediate at `level`: officers level 1, station heads up to 2,
/// center staff at every level.
pub fn may_mediate(roles: &[Role], level: i64) -> bool {
    roles.iter().any(|role| match role {
        Role::Officer => level <= 1,
        Role::StationHead => level <= 2,
        Role::CenterStaff => true,
        _ => false,
    })
}

/// How a mediation session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionOutcome {
    /// 达成协议.
    Reached,
    /// 调解不成 — escalates.
    Failed,
    /// 择期再调.
    Adjourned,
}

impl SessionOutcome {
    /// Parses a stable code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "reached" => Some(Self::Reached),
            "failed" => Some(Self::Failed),
            "adjourned" => Some(Self::Adjourned),
            _ => None,
        }
    }

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Reached => "reached",
            Self::Failed => "failed",
            Self::Adjourned => "adjourned",
        }
    }
}

/// A party to a dispute as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PartyInput {
    /// Name.
    pub name: String,
    /// 申请人 / 被申请人 / 第三人 …
    pub role: String,
    /// Mobile (optional).
    #[serde(default)]
    pub mobile: String,
}

/// A validated party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Party {
    /// Name.
    pub name: String,
    /// Role in the dispute.
    pub role: String,
    /// Normalised mobile.
    pub mobile: Option<String>,
}

/// Checks the amount (fen, ≥ 0) and the parties (2–200, each named).
pub fn validate_dispute(amount_fen: i64, parties: &[PartyInput]) -> Result<Vec<Party>, FieldErrors> {
    let mut errors = FieldErrors::default();
    if !(0..=1_000_000_000_000).contains(&amount_fen) {
        errors.push(FieldError::new("amount_fen", "amount.range", "涉及金额应为 0 至 100 亿元（以分计）"));
    }
    if !(2..=200).contains(&parties.len()) {
        errors.push(FieldError::new("parties", "parties.count", "当事人应为 2 至 200 人"));
    }
    let mut valid = Vec::new();
    for (index, party) in parties.iter().enumerate() {
        let name = errors.check(&format!("parties[{index}].name"), text::name(&party.name, 50));
        let role = errors.check(&format!("parties[{index}].role"), text::name(&party.role, 20));
        let mobile = match party.mobile.trim() {
            "" => Some(None),
            raw => errors.check(&format!("parties[{index}].mobile"), Mobile::parse(raw)).map(|m| Some(m.to_string())),
        };
        if let (Some(name), Some(role), Some(mobile)) = (name, role, mobile) {
            valid.push(Party { name, role, mobile });
        }
    }
    errors.finish(|| Some(valid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starting_level_follows_amount_and_parties() {
        assert_eq!(starting_level(0, 2), 1);
        assert_eq!(starting_level(STATION_AMOUNT_FEN - 1, 4), 1);
        assert_eq!(starting_level(STATION_AMOUNT_FEN, 2), 2);
        assert_eq!(starting_level(0, STATION_PARTIES), 2);
        assert_eq!(starting_level(CENTER_AMOUNT_FEN, 2), 3);
        assert_eq!(starting_level(0, CENTER_PARTIES), 3);
    }

    #[test]
    fn a_failed_session_escalates_up_to_the_center() {
        assert_eq!(level_after(1, SessionOutcome::Failed), 2);
        assert_eq!(level_after(2, SessionOutcome::Failed), 3);
        assert_eq!(level_after(3, SessionOutcome::Failed), 3);
        assert_eq!(level_after(2, SessionOutcome::Adjourned), 2);
        assert_eq!(level_after(1, SessionOutcome::Reached), 1);
    }

    #[test]
    fn each_tier_mediates_at_its_level() {
        assert!(may_mediate(&[Role::Officer], 1) && !may_mediate(&[Role::Officer], 2));
        assert!(may_mediate(&[Role::StationHead], 2) && !may_mediate(&[Role::StationHead], 3));
        assert!(may_mediate(&[Role::CenterStaff], 3));
        assert!(!may_mediate(&[Role::Leader, Role::EnterpriseUser], 1));
    }

    #[test]
    fn parties_are_checked_one_by_one() {
        let good = [
            PartyInput { name: "张三".into(), role: "申请人".into(), mobile: "138 0013 8000".into() },
            PartyInput { name: "某建筑公司".into(), role: "被申请人".into(), mobile: String::new() },
        ];
        let parties = validate_dispute(1_250_000, &good).expect("valid");
        assert_eq!(parties[0].mobile.as_deref(), Some("13800138000"));
        let bad = [PartyInput { name: " ".into(), role: "申请人".into(), mobile: "12345".into() }];
        let fields: Vec<String> =
            validate_dispute(-1, &bad).expect_err("invalid").0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["amount_fen", "parties", "parties[0].name", "parties[0].mobile"]);
    }
}
