//! The roles of DESIGN §1, with their stable codes and labels.

use serde::{Deserialize, Serialize};

/// A role a user holds. A user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 企业用户 — sees only their own enterprise.
    EnterpriseUser,
    /// 助企警务联络官 — their assigned enterprises.
    Officer,
    /// 联络站站长 — the station's subtree.
    StationHead,
    /// 中心工作人员 — the whole district.
    CenterStaff,
    /// 协同部门 — only what was referred to their department.
    DepartmentUser,
    /// 分局领导 — read-only over their subtree.
    Leader,
    /// 系统管理员 — units, users, settings; no business data, no audit log.
    SysAdmin,
    /// 安全管理员 — roles and security settings.
    SecAdmin,
    /// 审计管理员 — reads the audit log.
    AuditAdmin,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 9] = [
        Role::EnterpriseUser,
        Role::Officer,
        Role::StationHead,
        Role::CenterStaff,
        Role::DepartmentUser,
        Role::Leader,
        Role::SysAdmin,
        Role::SecAdmin,
        Role::AuditAdmin,
    ];

    /// The stable code stored in the database and used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Role::EnterpriseUser => "enterprise_user",
            Role::Officer => "officer",
            Role::StationHead => "station_head",
            Role::CenterStaff => "center_staff",
            Role::DepartmentUser => "department_user",
            Role::Leader => "leader",
            Role::SysAdmin => "sys_admin",
            Role::SecAdmin => "sec_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }

    /// Parses a stable code.
    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Police and administrative staff use the console; enterprise users use the portal.
    pub fn is_staff(self) -> bool {
        self != Role::EnterpriseUser
    }

    /// One of the three administrator duties (系统 / 安全 / 审计, 三权分立).
    pub fn is_admin(self) -> bool {
        matches!(self, Role::SysAdmin | Role::SecAdmin | Role::AuditAdmin)
    }
}

/// Why a set of roles may not be held by one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoleConflict {
    /// Two administrator duties, or an administrator duty with casework: an administrator's account
    /// holds that one role alone (等保 三权分立: no person holds two duties, administrators do no casework).
    #[error("管理员账号只能担任一种管理职责，且不能兼任业务角色")]
    AdminNotAlone,
}

/// Checks that one account may hold all of `roles`: an administrator duty is held alone.
pub fn check_role_set(roles: &[Role]) -> Result<(), RoleConflict> {
    let mut distinct: Vec<Role> = roles.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.iter().any(|r| r.is_admin()) && distinct.len() > 1 { Err(RoleConflict::AdminNotAlone) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every one of the 512 sets of roles: allowed exactly when it holds no administrator duty, or one
    /// administrator duty and nothing else.
    #[test]
    fn an_administrator_duty_is_held_alone_in_every_role_set() {
        for mask in 0u32..(1 << Role::ALL.len()) {
            let set: Vec<Role> =
                Role::ALL.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, r)| *r).collect();
            let admins = set.iter().filter(|r| r.is_admin()).count();
            let allowed = admins == 0 || set.len() == 1;
            assert_eq!(check_role_set(&set).is_ok(), allowed, "{set:?}");
        }
        assert_eq!(check_role_set(&[Role::SecAdmin, Role::SecAdmin]), Ok(()), "a repeated role is one role");
        assert_eq!(check_role_set(&[Role::SysAdmin, Role::AuditAdmin]), Err(RoleConflict::AdminNotAlone));
    }
}
