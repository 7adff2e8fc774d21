//! Who may submit an item for which enterprise, and through which channel: an enterprise user for
//! their own enterprise through the portal (or Open311), police staff on an enterprise's behalf with
//! the channel it came by. Read-only roles (leader), departments and administrators submit nothing.

use super::Channel;
use crate::permission::{Action, Viewer};

/// Whose item it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intake {
    /// The enterprise user's own enterprise.
    Own(i64),
    /// Recorded by staff for this enterprise (the caller still checks that the staff member sees it).
    OnBehalf(i64),
}

/// Why an intake is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntakeRefusal {
    /// The viewer may not submit for that enterprise at all (403).
    Forbidden,
    /// Staff must name the enterprise.
    EnterpriseRequired,
    /// Staff recording on behalf must say how it came (not the portal).
    StaffChannel,
    /// Enterprises submit through the portal (or an Open311 client).
    EnterpriseChannel,
}

/// Whether `viewer` may submit items at all (checked before the input is read).
pub fn may_submit(viewer: &Viewer) -> bool {
    viewer.can(Action::SubmitItem) || viewer.can(Action::RecordItemOnBehalf)
}

/// Decides an intake by `viewer` for the enterprise `asked` (if named) through `channel`.
pub fn authorize(viewer: &Viewer, asked: Option<i64>, channel: Channel) -> Result<Intake, IntakeRefusal> {
    if let (true, Some(own)) = (viewer.can(Action::SubmitItem), viewer.enterprise_id) {
        if asked.is_some_and(|asked| asked != own) {
            return Err(IntakeRefusal::Forbidden);
        }
        return match channel {
            Channel::Portal | Channel::Open311 => Ok(Intake::Own(own)),
            _ => Err(IntakeRefusal::EnterpriseChannel),
        };
    }
    if !viewer.can(Action::RecordItemOnBehalf) {
        return Err(IntakeRefusal::Forbidden);
    }
    match (asked, channel) {
        (None, _) => Err(IntakeRefusal::EnterpriseRequired),
        (Some(_), Channel::Portal) => Err(IntakeRefusal::StaffChannel),
        (Some(id), _) => Ok(Intake::OnBehalf(id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::OrgPath;
    use crate::role::Role;

    fn viewer(role: Role, enterprise_id: Option<i64>) -> Viewer {
        Viewer {
            user_id: 1,
            roles: vec![role],
            unit_path: OrgPath::parse("/1/2/").expect("path"),
            enterprise_id,
            pi_reveal: false,
        }
    }

    /// Every role × asked enterprise × channel.
    #[test]
    fn intake_by_role_enterprise_and_channel() {
        for role in Role::ALL {
            let own = (role == Role::EnterpriseUser).then_some(7);
            for asked in [None, Some(7), Some(8)] {
                for &channel in Channel::ALL {
                    let expected = match role {
                        Role::EnterpriseUser if asked == Some(8) => Err(IntakeRefusal::Forbidden),
                        Role::EnterpriseUser if matches!(channel, Channel::Portal | Channel::Open311) => {
                            Ok(Intake::Own(7))
                        }
                        Role::EnterpriseUser => Err(IntakeRefusal::EnterpriseChannel),
                        Role::Officer | Role::StationHead | Role::CenterStaff => match (asked, channel) {
                            (None, _) => Err(IntakeRefusal::EnterpriseRequired),
                            (Some(_), Channel::Portal) => Err(IntakeRefusal::StaffChannel),
                            (Some(id), _) => Ok(Intake::OnBehalf(id)),
                        },
                        _ => Err(IntakeRefusal::Forbidden),
                    };
                    assert_eq!(
                        authorize(&viewer(role, own), asked, channel),
                        expected,
                        "{role:?} {asked:?} {channel:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_leader_records_nothing_even_with_a_channel() {
        let leader = viewer(Role::Leader, None);
        assert_eq!(authorize(&leader, Some(7), Channel::Phone), Err(IntakeRefusal::Forbidden));
        assert_eq!(authorize(&leader, Some(7), Channel::Open311), Err(IntakeRefusal::Forbidden));
        assert!(!may_submit(&leader));
        assert!(may_submit(&viewer(Role::Officer, None)));
        let unconfirmed = viewer(Role::EnterpriseUser, None);
        assert_eq!(authorize(&unconfirmed, None, Channel::Portal), Err(IntakeRefusal::Forbidden));
    }
}
