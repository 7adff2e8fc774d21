//! What a viewer is shown of stored rows: the same view serves the JSON API and the pages, with
//! personal data masked before serialisation unless the viewer holds the reveal permission.

use liaison_core::enterprise::{Scale, industry_name};
use liaison_core::mask;
use liaison_core::permission::Viewer;
use liaison_store::enterprises::EnterpriseRow;
use liaison_store::users::User;
use serde::Serialize;
use utoipa::ToSchema;

/// An enterprise as shown to a viewer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseView {
    /// Id.
    pub id: i64,
    /// 企业名称.
    pub name: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// Address.
    pub address: String,
    /// Industry section (A–T).
    pub industry: String,
    /// Industry name (Chinese).
    pub industry_name: String,
    /// `large`, `medium`, `small`, `micro`.
    pub scale: String,
    /// Scale label (Chinese).
    pub scale_label: String,
    /// 重点企业.
    pub key_enterprise: bool,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Community id.
    pub community_id: i64,
    /// Community name.
    pub community_name: String,
    /// Responsible officer.
    pub officer_id: Option<i64>,
    /// Officer name.
    pub officer_name: Option<String>,
    /// Contact person (masked unless revealed).
    pub contact_name: String,
    /// Contact mobile (masked unless revealed).
    #[schema(example = "138****8000")]
    pub contact_mobile: String,
    /// `active` or `retired`.
    pub status: String,
}

impl EnterpriseView {
    /// Shapes a row for `viewer`, masking personal data unless they may see it.
    pub fn new(row: EnterpriseRow, viewer: &Viewer) -> Self {
        let reveal = viewer.reveals_pi();
        Self {
            id: row.id,
            industry_name: industry_name(&row.industry).unwrap_or_default().to_owned(),
            scale_label: Scale::parse(&row.scale).map(Scale::label_zh).unwrap_or_default().to_owned(),
            contact_name: if reveal { row.contact_name } else { mask::person_name(&row.contact_name) },
            contact_mobile: if reveal { row.contact_mobile } else { mask::mobile(&row.contact_mobile) },
            name: row.name,
            credit_code: row.credit_code,
            address: row.address,
            industry: row.industry,
            scale: row.scale,
            key_enterprise: row.key_enterprise,
            longitude: row.longitude,
            latitude: row.latitude,
            community_id: row.community_id,
            community_name: row.community_name,
            officer_id: row.officer_id,
            officer_name: row.officer_name,
            status: row.status,
        }
    }
}

/// The signed-in user as shown to themselves.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeView {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role codes.
    pub roles: Vec<String>,
    /// Org unit id.
    pub unit_id: i64,
    /// Org unit name.
    pub unit_name: String,
    /// Confirmed enterprise of an enterprise user.
    pub enterprise_id: Option<i64>,
    /// `active`, `pending` or `disabled`.
    pub status: String,
    /// May reveal personal data.
    pub pi_reveal: bool,
    /// TOTP is enabled.
    pub mfa_enabled: bool,
    /// Must change the password now.
    pub must_change_password: bool,
}

impl From<&User> for MeView {
    fn from(user: &User) -> Self {
        Self {
            id: user.row.id,
            username: user.row.username.clone(),
            display_name: user.row.display_name.clone(),
            roles: user.roles.iter().map(|r| r.code().to_owned()).collect(),
            unit_id: user.row.unit_id,
            unit_name: user.row.unit_name.clone(),
            enterprise_id: user.row.enterprise_id,
            status: user.row.status.clone(),
            pi_reveal: user.row.pi_reveal,
            mfa_enabled: user.row.totp_enabled,
            must_change_password: user.row.must_change_password,
        }
    }
}

/// A page of a list, as every list endpoint answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListView<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Rows matching the filter in all pages.
    pub total: i64,
    /// 1-based page number.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
}
