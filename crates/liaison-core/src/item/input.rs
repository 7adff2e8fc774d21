//! A new item as a client sends it, validated into typed values with every field's error named.

use super::{Channel, Kind, Priority};
use crate::enterprise::check_location;
use crate::validate::{FieldError, FieldErrors, text};

/// Longest title, in characters.
pub const TITLE_MAX: usize = 100;
/// Longest description, in characters.
pub const DESCRIPTION_MAX: usize = 5000;

/// Raw input.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    /// Kind code.
    pub kind: String,
    /// Category id.
    pub category_id: i64,
    /// Priority code (empty: normal).
    pub priority: String,
    /// Channel code (empty: the portal).
    pub channel: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Address (empty: the enterprise's).
    pub address: String,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Latitude.
    pub latitude: Option<f64>,
}

/// Validated input.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemDetails {
    /// Kind.
    pub kind: Kind,
    /// Category id (existence is the store's to check).
    pub category_id: i64,
    /// Priority.
    pub priority: Priority,
    /// Channel.
    pub channel: Channel,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Address, if given.
    pub address: Option<String>,
    /// Coordinates.
    pub location: Option<(f64, f64)>,
}

impl ItemInput {
    /// Checks every field; all errors at once.
    pub fn validate(&self) -> Result<ItemDetails, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = Kind::parse(self.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new(
                "kind",
                "kind.unknown",
                "类型应为 need/dispute/suggestion/consultation/report 之一",
            ));
        }
        let priority = match self.priority.trim() {
            "" => Some(Priority::Normal),
            code => Priority::parse(code),
        };
        if priority.is_none() {
            errors.push(FieldError::new("priority", "priority.unknown", "紧急程度应为 normal 或 urgent"));
        }
        let channel = match self.channel.trim() {
            "" => Some(Channel::Portal),
            code => Channel::parse(code),
        };
        if channel.is_none() {
            errors.push(FieldError::new("channel", "channel.unknown", "来源渠道不正确"));
        }
        let title = errors.check("title", text::name(&self.title, TITLE_MAX));
        let description = errors.check("description", text::free_text(&self.description, DESCRIPTION_MAX));
        let address = errors.check("address", text::optional(Some(&self.address), |a| text::name(a, 200)));
        let location = check_location(self.longitude, self.latitude).map_err(|e| errors.push(e)).ok();
        errors.finish(|| {
            Some(ItemDetails {
                kind: kind?,
                category_id: self.category_id,
                priority: priority?,
                channel: channel?,
                title: title?,
                description: description?,
                address: address?,
                location: location?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ItemInput {
        ItemInput {
            kind: "need".into(),
            category_id: 1,
            title: "招工难".into(),
            description: "需要招聘三十名操作工".into(),
            ..ItemInput::default()
        }
    }

    #[test]
    fn defaults_are_normal_priority_through_the_portal() {
        let details = good().validate().expect("valid");
        assert_eq!((details.priority, details.channel, details.address), (Priority::Normal, Channel::Portal, None));
    }

    #[test]
    fn every_bad_field_is_named_with_its_rule() {
        let input = ItemInput {
            kind: "complaint".into(),
            priority: "high".into(),
            channel: "fax".into(),
            title: " ".into(),
            description: "x".repeat(DESCRIPTION_MAX + 1),
            longitude: Some(200.0),
            ..good()
        };
        let codes: Vec<(String, String)> =
            input.validate().expect_err("invalid").0.into_iter().map(|e| (e.field, e.code)).collect();
        let expected = [
            ("kind", "kind.unknown"),
            ("priority", "priority.unknown"),
            ("channel", "channel.unknown"),
            ("title", "text.required"),
            ("description", "text.too_long"),
            ("longitude", "location.range"),
        ];
        assert_eq!(codes, expected.map(|(f, c)| (f.to_owned(), c.to_owned())));
    }
}
