//! Permissions as pure predicates: which roles may take which action, and what a viewer may see.

use crate::org::OrgPath;
use crate::role::Role;

/// An action guarded by a role check. Scope (which objects) is decided separately by [`Visibility`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// List and open enterprises in scope.
    ViewEnterprises,
    /// Create an enterprise.
    CreateEnterprise,
    /// Edit an enterprise's details.
    EditEnterprise,
    /// Retire (or reinstate) an enterprise.
    RetireEnterprise,
    /// Change an enterprise's responsible officer.
    AssignOfficer,
    /// Bulk import enterprises.
    ImportEnterprises,
    /// Export enterprise lists.
    ExportEnterprises,
    /// Confirm or refuse an enterprise user's registration.
    ConfirmEnterpriseUser,
    /// Review self-reported basic information.
    ReviewSelfReport,
    /// Submit self-reported basic information for one's own enterprise.
    SubmitSelfReport,
    /// See the org tree.
    ViewOrgUnits,
    /// Create, rename, move, retire org units.
    ManageOrgUnits,
    /// List user accounts.
    ViewUsers,
    /// Create, disable and reset user accounts.
    ManageUsers,
    /// Grant and revoke roles and the reveal permission.
    GrantRoles,
    /// Kill other users' sessions, change security settings.
    ManageSecurity,
    /// Read and verify the audit log.
    ReadAudit,
    /// Coverage and load figures.
    ViewStatistics,
    /// Item categories and SLA policies (the closed loop's catalogue).
    ManageCatalogue,
    /// The delivery state of notifications (email, webhook, SMS).
    ViewDeliveries,
    /// Issue, rotate and revoke the API keys of Open311 clients (credentials: a security duty).
    ManageApiKeys,
    /// Submit an item for one's own enterprise (the portal, the API, Open311).
    SubmitItem,
    /// Record an item on an enterprise's behalf, with the channel it came by (代录).
    RecordItemOnBehalf,
}

/// True when any of `roles` may take `action`.
pub fn can(roles: &[Role], action: Action) -> bool {
    roles.iter().any(|&role| role_can(role, action))
}

fn role_can(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ViewEnterprises => matches!(role, Officer | StationHead | CenterStaff | Leader | EnterpriseUser),
        EditEnterprise => matches!(role, Officer | StationHead | CenterStaff),
        CreateEnterprise | RetireEnterprise | AssignOfficer | ExportEnterprises => {
            matches!(role, StationHead | CenterStaff) || (action == ExportEnterprises && role == Leader)
        }
        ImportEnterprises => role == CenterStaff,
        ConfirmEnterpriseUser | ReviewSelfReport => {
            matches!(role, Officer | StationHead | CenterStaff)
        }
        SubmitSelfReport => role == EnterpriseUser,
        ViewOrgUnits => role.is_staff() && role != DepartmentUser,
        ManageOrgUnits | ManageUsers | ManageCatalogue | ViewDeliveries => role == SysAdmin,
        ViewUsers => role.is_admin(),
        GrantRoles | ManageSecurity | ManageApiKeys => role == SecAdmin,
        ReadAudit => role == AuditAdmin,
        ViewStatistics => matches!(role, StationHead | CenterStaff | Leader),
        SubmitItem => role == EnterpriseUser,
        RecordItemOnBehalf => matches!(role, Officer | StationHead | CenterStaff),
    }
}

/// What an administrator does to someone else's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountChange {
    /// Disable (ends its sessions) or re-enable it.
    SetActive,
    /// Replace its password with a one-time one shown to the administrator.
    ResetPassword,
    /// End its sessions.
    EndSessions,
    /// Lift a sign-in lock.
    Unlock,
}

/// Whether the account `actor_id` (holding `actor_roles`) may make `change` to the account `target_id`
/// (holding `target_roles`). Never to oneself (one's own account has its own pages). Disabling and
/// resetting an administrator's account needs an administrator of **that** duty — the system
/// administrator cannot take over the security or audit duty by resetting its password (三权分立; the
/// CLI on the server remains for a duty with no one left); other accounts are the system
/// administrator's. Ending sessions and lifting locks are the security administrator's.
pub fn may_change_account(
    actor_roles: &[Role],
    actor_id: i64,
    target_roles: &[Role],
    target_id: i64,
    change: AccountChange,
) -> bool {
    if actor_id == target_id {
        return false;
    }
    match change {
        AccountChange::EndSessions | AccountChange::Unlock => can(actor_roles, Action::ManageSecurity),
        AccountChange::SetActive | AccountChange::ResetPassword => {
            let duties: Vec<Role> = target_roles.iter().copied().filter(|r| r.is_admin()).collect();
            if duties.is_empty() {
                can(actor_roles, Action::ManageUsers)
            } else {
                duties.iter().all(|duty| actor_roles.contains(duty))
            }
        }
    }
}

/// Whether an account may be the one an Open311 API key acts as: it must do casework or submit (hold
/// some role) and be no administrator's — a client key must never carry an administrator's powers.
pub fn may_hold_api_key(roles: &[Role]) -> bool {
    !roles.is_empty() && !roles.iter().any(|r| matches!(r, Role::SysAdmin | Role::SecAdmin | Role::AuditAdmin))
}

/// Whether a role grant is allowed: only security admins grant, and never to themselves.
pub fn can_grant(granter_roles: &[Role], granter_id: i64, grantee_id: i64) -> bool {
    can(granter_roles, Action::GrantRoles) && granter_id != grantee_id
}

/// Which enterprises (and later items) a viewer sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Nothing (administrators, department users for enterprises).
    Nothing,
    /// One enterprise: the enterprise user's own.
    Enterprise(i64),
    /// The enterprises whose responsible officer is this user.
    Officer(i64),
    /// Everything under an org path.
    Subtree(OrgPath),
}

/// The org path a user's visibility starts from: their unit, except that staff of a center work for
/// the whole district the center belongs to (DESIGN §1).
pub fn scope_root(unit_path: &OrgPath, unit_kind: Option<crate::org::OrgKind>) -> OrgPath {
    match unit_kind {
        Some(crate::org::OrgKind::Center) => unit_path.parent().unwrap_or_else(|| unit_path.clone()),
        _ => unit_path.clone(),
    }
}

/// The people-facing facts a permission decision needs about the viewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The user's id.
    pub user_id: i64,
    /// Roles held.
    pub roles: Vec<Role>,
    /// Where the viewer's visibility starts ([`scope_root`] of their unit).
    pub unit_path: OrgPath,
    /// For enterprise users: the confirmed enterprise.
    pub enterprise_id: Option<i64>,
    /// Holds the `pi.reveal` permission.
    pub pi_reveal: bool,
}

impl Viewer {
    /// True when the viewer may take `action`.
    pub fn can(&self, action: Action) -> bool {
        can(&self.roles, action)
    }

    /// True when the viewer works in the staff console.
    pub fn is_staff(&self) -> bool {
        self.roles.iter().any(|r| r.is_staff())
    }

    /// The widest enterprise visibility among the viewer's roles.
    pub fn enterprise_visibility(&self) -> Visibility {
        if self.roles.iter().any(|r| matches!(r, Role::StationHead | Role::CenterStaff | Role::Leader)) {
            Visibility::Subtree(self.unit_path.clone())
        } else if self.roles.contains(&Role::Officer) {
            Visibility::Officer(self.user_id)
        } else if let (true, Some(id)) = (self.roles.contains(&Role::EnterpriseUser), self.enterprise_id) {
            Visibility::Enterprise(id)
        } else {
            Visibility::Nothing
        }
    }

    /// True when the viewer may see the enterprise with this id, path and officer.
    pub fn sees_enterprise(&self, id: i64, path: &OrgPath, officer_id: Option<i64>) -> bool {
        match self.enterprise_visibility() {
            Visibility::Nothing => false,
            Visibility::Enterprise(own) => own == id,
            Visibility::Officer(me) => officer_id == Some(me),
            Visibility::Subtree(root) => path.is_within(&root),
        }
    }

    /// True when the viewer may see unmasked mobile and ID numbers.
    pub fn reveals_pi(&self) -> bool {
        self.pi_reveal && self.is_staff()
    }

    /// True when the viewer reads mobile and ID numbers written inside the free text of an item of
    /// enterprise `item_enterprise` as written: only that enterprise's own users, whose matter it is
    /// (they wrote it, or it was written to them). Every other viewer — officers, departments, the
    /// leader — reads them masked; staff holding the reveal permission unmask them through the audited
    /// reveal, each time with a reason.
    pub fn reads_item_text_as_written(&self, item_enterprise: i64) -> bool {
        self.roles.contains(&Role::EnterpriseUser) && self.enterprise_id == Some(item_enterprise)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Role::*;

    const ACTIONS: [Action; 23] = [
        ViewEnterprises,
        CreateEnterprise,
        EditEnterprise,
        RetireEnterprise,
        AssignOfficer,
        ImportEnterprises,
        ExportEnterprises,
        ConfirmEnterpriseUser,
        ReviewSelfReport,
        SubmitSelfReport,
        ViewOrgUnits,
        ManageOrgUnits,
        ViewUsers,
        ManageUsers,
        GrantRoles,
        ManageSecurity,
        ReadAudit,
        ViewStatistics,
        ManageCatalogue,
        ViewDeliveries,
        ManageApiKeys,
        SubmitItem,
        RecordItemOnBehalf,
    ];

    /// The whole role × action table: one row per role, listing exactly the actions it may take.
    #[test]
    fn role_action_table() {
        let allowed: [(Role, &[Action]); 9] = [
            (EnterpriseUser, &[ViewEnterprises, SubmitSelfReport, SubmitItem]),
            (
                Officer,
                &[
                    ViewEnterprises,
                    EditEnterprise,
                    ConfirmEnterpriseUser,
                    ReviewSelfReport,
                    ViewOrgUnits,
                    RecordItemOnBehalf,
                ],
            ),
            (
                StationHead,
                &[
                    ViewEnterprises,
                    CreateEnterprise,
                    EditEnterprise,
                    RetireEnterprise,
                    AssignOfficer,
                    ExportEnterprises,
                    ConfirmEnterpriseUser,
                    ReviewSelfReport,
                    ViewOrgUnits,
                    ViewStatistics,
                    RecordItemOnBehalf,
                ],
            ),
            (
                CenterStaff,
                &[
                    ViewEnterprises,
                    CreateEnterprise,
                    EditEnterprise,
                    RetireEnterprise,
                    AssignOfficer,
                    ImportEnterprises,
                    ExportEnterprises,
                    ConfirmEnterpriseUser,
                    ReviewSelfReport,
                    ViewOrgUnits,
                    ViewStatistics,
                    RecordItemOnBehalf,
                ],
            ),
            (DepartmentUser, &[]),
            (Leader, &[ViewEnterprises, ExportEnterprises, ViewOrgUnits, ViewStatistics]),
            (SysAdmin, &[ViewOrgUnits, ManageOrgUnits, ViewUsers, ManageUsers, ManageCatalogue, ViewDeliveries]),
            (SecAdmin, &[ViewOrgUnits, ViewUsers, GrantRoles, ManageSecurity, ManageApiKeys]),
            (AuditAdmin, &[ViewOrgUnits, ViewUsers, ReadAudit]),
        ];
        for (role, actions) in allowed {
            for action in ACTIONS {
                assert_eq!(can(&[role], action), actions.contains(&action), "{role:?} × {action:?}");
            }
        }
    }

    #[test]
    fn api_keys_act_for_casework_and_enterprise_accounts_never_for_administrators() {
        for role in [EnterpriseUser, Officer, StationHead, CenterStaff, DepartmentUser, Leader] {
            assert!(may_hold_api_key(&[role]), "{role:?}");
        }
        for role in [SysAdmin, SecAdmin, AuditAdmin] {
            assert!(!may_hold_api_key(&[role]), "{role:?}");
            assert!(!may_hold_api_key(&[CenterStaff, role]), "{role:?} with casework");
        }
        assert!(!may_hold_api_key(&[]), "an account without roles");
    }

    /// Every change × every actor role × every target role: administrators of a duty are managed only
    /// by that duty, everyone else by the system (or, for sessions and locks, the security) administrator,
    /// and nobody changes their own account this way.
    #[test]
    fn account_changes_respect_the_three_duties() {
        use AccountChange::*;
        for change in [SetActive, ResetPassword, EndSessions, Unlock] {
            for actor in Role::ALL {
                for target in Role::ALL {
                    let expected = match change {
                        EndSessions | Unlock => actor == SecAdmin,
                        SetActive | ResetPassword if target.is_admin() => actor == target,
                        SetActive | ResetPassword => actor == SysAdmin,
                    };
                    assert_eq!(
                        may_change_account(&[actor], 1, &[target], 2, change),
                        expected,
                        "{actor:?} {change:?} {target:?}"
                    );
                    assert!(!may_change_account(&[actor], 2, &[target], 2, change), "never oneself");
                }
            }
        }
        assert!(!may_change_account(&[SysAdmin], 1, &[AuditAdmin], 2, ResetPassword), "the finding: admin → audit");
        assert!(!may_change_account(&[SysAdmin], 1, &[SecAdmin], 2, SetActive), "the finding: admin → sec");
    }

    #[test]
    fn nobody_grants_to_themselves() {
        assert!(can_grant(&[SecAdmin], 1, 2));
        assert!(!can_grant(&[SecAdmin], 2, 2));
        assert!(!can_grant(&[SysAdmin], 1, 2));
    }

    fn viewer(roles: &[Role], path: &str, enterprise_id: Option<i64>) -> Viewer {
        Viewer {
            user_id: 7,
            roles: roles.to_vec(),
            unit_path: OrgPath::parse(path).expect("path"),
            enterprise_id,
            pi_reveal: false,
        }
    }

    #[test]
    fn visibility_by_role_and_scope() {
        let inside = OrgPath::parse("/1/2/5/9/").expect("path");
        let outside = OrgPath::parse("/1/2/6/10/").expect("path");
        let head = viewer(&[StationHead], "/1/2/5/", None);
        assert!(head.sees_enterprise(1, &inside, Some(3)));
        assert!(!head.sees_enterprise(1, &outside, Some(3)));
        let officer = viewer(&[Officer], "/1/2/5/9/", None);
        assert!(officer.sees_enterprise(1, &outside, Some(7)));
        assert!(!officer.sees_enterprise(1, &inside, Some(8)));
        let company = viewer(&[EnterpriseUser], "/1/2/5/9/", Some(42));
        assert!(company.sees_enterprise(42, &inside, None));
        assert!(!company.sees_enterprise(43, &inside, None));
        let unconfirmed = viewer(&[EnterpriseUser], "/1/", None);
        assert_eq!(unconfirmed.enterprise_visibility(), Visibility::Nothing);
        assert!(!viewer(&[SysAdmin], "/1/", None).sees_enterprise(1, &inside, None));
        assert!(!viewer(&[DepartmentUser], "/1/", None).sees_enterprise(1, &inside, None));
    }

    #[test]
    fn center_staff_see_their_whole_district() {
        let center = OrgPath::parse("/1/2/3/").expect("path");
        let district = OrgPath::parse("/1/2/").expect("path");
        assert_eq!(scope_root(&center, Some(crate::org::OrgKind::Center)), district);
        assert_eq!(scope_root(&center, Some(crate::org::OrgKind::Station)), center);
    }

    #[test]
    fn only_the_items_own_enterprise_reads_its_text_as_written() {
        for role in Role::ALL {
            let mut v = viewer(&[role], "/1/", (role == EnterpriseUser).then_some(42));
            v.pi_reveal = true;
            assert_eq!(v.reads_item_text_as_written(42), role == EnterpriseUser, "{role:?}");
            assert!(!v.reads_item_text_as_written(43), "{role:?} on another enterprise's item");
        }
    }

    #[test]
    fn reveal_needs_the_permission_and_a_staff_role() {
        let mut officer = viewer(&[Officer], "/1/", None);
        assert!(!officer.reveals_pi());
        officer.pi_reveal = true;
        assert!(officer.reveals_pi());
        let mut company = viewer(&[EnterpriseUser], "/1/", Some(1));
        company.pi_reveal = true;
        assert!(!company.reveals_pi());
    }
}
