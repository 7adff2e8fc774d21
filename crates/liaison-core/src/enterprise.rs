//! Enterprises (DESIGN §3): industry sections, scale, and validation of an enterprise's details.

use crate::validate::{CreditCode, FieldError, FieldErrors, Mobile, text};
use serde::{Deserialize, Serialize};

/// GB/T 4754-2017 sections (门类) A–T, with their Chinese names.
pub const INDUSTRIES: [(&str, &str); 20] = [
    ("A", "农、林、牧、渔业"),
    ("B", "采矿业"),
    ("C", "制造业"),
    ("D", "电力、热力、燃气及水生产和供应业"),
    ("E", "建筑业"),
    ("F", "批发和零售业"),
    ("G", "交通运输、仓储和邮政业"),
    ("H", "住宿和餐饮业"),
    ("I", "信息传输、软件和信息技术服务业"),
    ("J", "金融业"),
    ("K", "房地产业"),
    ("L", "租赁和商务服务业"),
    ("M", "科学研究和技术服务业"),
    ("N", "水利、环境和公共设施管理业"),
    ("O", "居民服务、修理和其他服务业"),
    ("P", "教育"),
    ("Q", "卫生和社会工作"),
    ("R", "文化、体育和娱乐业"),
    ("S", "公共管理、社会保障和社会组织"),
    ("T", "国际组织"),
];

/// The Chinese name of an industry section code.
pub fn industry_name(code: &str) -> Option<&'static str> {
    INDUSTRIES.iter().find(|(c, _)| *c == code).map(|(_, name)| *name)
}

/// Enterprise scale (大型/中型/小型/微型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// 大型
    Large,
    /// 中型
    Medium,
    /// 小型
    Small,
    /// 微型
    Micro,
}

impl Scale {
    /// Every scale.
    pub const ALL: [Scale; 4] = [Scale::Large, Scale::Medium, Scale::Small, Scale::Micro];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Scale::Large => "large",
            Scale::Medium => "medium",
            Scale::Small => "small",
            Scale::Micro => "micro",
        }
    }

    /// Parses a stable code, or its Chinese name (大型/中型/小型/微型) as found in spreadsheets.
    pub fn parse(code: &str) -> Option<Scale> {
        let code = code.trim();
        Scale::ALL.into_iter().find(|s| s.code() == code || s.label_zh() == code)
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Scale::Large => "大型",
            Scale::Medium => "中型",
            Scale::Small => "小型",
            Scale::Micro => "微型",
        }
    }
}

/// Enterprise details as typed by a person or read from a spreadsheet row, before validation.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct EnterpriseInput {
    /// 企业名称
    pub name: String,
    /// 统一社会信用代码
    pub credit_code: String,
    /// 地址
    pub address: String,
    /// 行业门类 (A–T)
    pub industry: String,
    /// 规模
    pub scale: String,
    /// 重点企业
    pub key_enterprise: bool,
    /// 经度 (optional)
    pub longitude: Option<f64>,
    /// 纬度 (optional)
    pub latitude: Option<f64>,
    /// 联系人
    pub contact_name: String,
    /// 联系电话
    pub contact_mobile: String,
}

/// Validated enterprise details, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct EnterpriseDetails {
    /// Name, cleaned.
    pub name: String,
    /// Valid credit code.
    pub credit_code: CreditCode,
    /// Address, cleaned.
    pub address: String,
    /// Industry section code.
    pub industry: String,
    /// Scale.
    pub scale: Scale,
    /// Key-enterprise flag.
    pub key_enterprise: bool,
    /// Coordinates, both or neither, within China's bounds.
    pub location: Option<(f64, f64)>,
    /// Contact person.
    pub contact_name: String,
    /// Contact mobile.
    pub contact_mobile: Mobile,
}

impl EnterpriseInput {
    /// Validates every field and reports all problems at once.
    pub fn validate(&self) -> Result<EnterpriseDetails, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", text::name(&self.name, 100));
        let credit_code = errors.check("credit_code", CreditCode::parse(&self.credit_code));
        let address = errors.check("address", text::name(&self.address, 200));
        let industry = self.industry.trim().to_uppercase();
        if industry_name(&industry).is_none() {
            errors.push(FieldError::new("industry", "industry.unknown", "行业门类应为 GB/T 4754 的 A–T"));
        }
        let scale = Scale::parse(&self.scale);
        if scale.is_none() {
            errors.push(FieldError::new("scale", "scale.unknown", "规模应为 大型/中型/小型/微型"));
        }
        let location = check_location(self.longitude, self.latitude).map_err(|e| errors.push(e)).ok();
        let contact_name = errors.check("contact_name", text::name(&self.contact_name, 50));
        let contact_mobile = errors.check("contact_mobile", Mobile::parse(&self.contact_mobile));
        errors.finish(|| {
            Some(EnterpriseDetails {
                name: name?,
                credit_code: credit_code?,
                address: address?,
                industry,
                scale: scale?,
                key_enterprise: self.key_enterprise,
                location: location?,
                contact_name: contact_name?,
                contact_mobile: contact_mobile?,
            })
        })
    }
}

/// Optional coordinates: both or neither, and inside China's bounding box.
pub fn check_location(longitude: Option<f64>, latitude: Option<f64>) -> Result<Option<(f64, f64)>, FieldError> {
    match (longitude, latitude) {
        (None, None) => Ok(None),
        (Some(lng), Some(lat)) if (73.0..=136.0).contains(&lng) && (3.0..=54.0).contains(&lat) => Ok(Some((lng, lat))),
        _ => Err(FieldError::new("longitude", "location.range", "经纬度应同时填写且位于中国境内")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EnterpriseInput {
        EnterpriseInput {
            name: "重庆渝中示例科技有限公司".into(),
            credit_code: "91350100m000100y43".into(),
            address: "渝中区解放碑街道1号".into(),
            industry: "i".into(),
            scale: "小型".into(),
            key_enterprise: true,
            longitude: Some(106.57),
            latitude: Some(29.55),
            contact_name: "张三".into(),
            contact_mobile: "+86 138 0013 8000".into(),
        }
    }

    #[test]
    fn a_valid_enterprise_is_normalised() {
        let details = input().validate().expect("valid");
        assert_eq!(details.credit_code.as_str(), "91350100M000100Y43");
        assert_eq!(details.industry, "I");
        assert_eq!(details.scale, Scale::Small);
        assert_eq!(details.contact_mobile.as_str(), "13800138000");
    }

    #[test]
    fn every_bad_field_is_reported_with_its_rule() {
        let bad = EnterpriseInput {
            name: " ".into(),
            credit_code: "91350100M000100Y42".into(),
            industry: "Z".into(),
            scale: "huge".into(),
            longitude: Some(10.0),
            latitude: None,
            contact_mobile: "12345".into(),
            ..input()
        };
        let errors = bad.validate().expect_err("invalid");
        let codes: Vec<(&str, &str)> = errors.0.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(
            codes,
            vec![
                ("name", "text.required"),
                ("credit_code", "credit_code.check_character"),
                ("industry", "industry.unknown"),
                ("scale", "scale.unknown"),
                ("longitude", "location.range"),
                ("contact_mobile", "mobile.format"),
            ]
        );
    }
}
