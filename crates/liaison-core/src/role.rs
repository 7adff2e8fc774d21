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
}
