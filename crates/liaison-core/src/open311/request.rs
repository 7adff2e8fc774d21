//! The rules of an Open311 `POST requests` beyond the service's attributes: the description, the
//! location (`lat`+`long`, `address_string` or `address_id`) and the reporter's own details.

use super::{AttributeValue, DESCRIPTION_MAX};
use crate::validate::mobile::Mobile;

/// The reporter's details a request may carry, stored as `reporter.<name>` attributes.
pub const REPORTER_FIELDS: [&str; 6] = ["first_name", "last_name", "email", "phone", "device_id", "media_url"];

/// The description: required, at most [`DESCRIPTION_MAX`] characters.
pub fn check_description(description: Option<&str>) -> Result<&str, String> {
    let description = description.ok_or("description is required")?;
    if description.chars().count() > DESCRIPTION_MAX {
        return Err(format!("description is longer than {DESCRIPTION_MAX} characters"));
    }
    Ok(description)
}

/// A coordinate argument (`lat` or `long`), if given: a finite number.
pub fn coordinate(name: &str, text: Option<&str>) -> Result<Option<f64>, String> {
    text.map(|text| text.parse::<f64>().ok().filter(|n| n.is_finite()).ok_or(format!("{name} must be a number")))
        .transpose()
}

/// The location: `lat` and `long` together, and at least one of them, `address_string` or `address_id`.
pub fn check_location(
    latitude: Option<f64>,
    longitude: Option<f64>,
    address: Option<&str>,
    address_id: Option<&str>,
) -> Result<(), String> {
    if latitude.is_some() != longitude.is_some() {
        return Err("lat and long go together".into());
    }
    if latitude.is_none() && address.is_none() && address_id.is_none() {
        return Err("a location is required: lat and long, address_string or address_id".into());
    }
    Ok(())
}

/// An `address_id` names the enterprise register's entry of the enterprise the request is for (its
/// registered address).
pub fn check_address_id(address_id: &str, enterprise_id: Option<i64>) -> Result<(), String> {
    if address_id.parse::<i64>().is_ok_and(|id| Some(id) == enterprise_id) {
        Ok(())
    } else {
        Err("address_id must be the enterprise register's id of the enterprise the request is for".into())
    }
}

/// The reporter's details, given as `(name, value)` for the [`REPORTER_FIELDS`] present: one line of at
/// most 200 characters each, an email with an `@`, the phone a mainland mobile (normalised).
pub fn reporter(given: &[(&str, &str)]) -> Result<Vec<AttributeValue>, String> {
    let mut values = Vec::new();
    for &(name, value) in given {
        let value = match name {
            "phone" => Mobile::parse(value).map_err(|_| "phone must be a mainland mobile number")?.as_str().to_owned(),
            _ if value.chars().count() > 200 || value.chars().any(char::is_control) => {
                return Err(format!("{name} must be one line of at most 200 characters"));
            }
            "email" if !value.contains('@') => return Err("email is not an email address".into()),
            _ => value.to_owned(),
        };
        values.push((format!("reporter.{name}"), 0, value));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_required_and_bounded() {
        assert_eq!(check_description(Some("路灯坏了")), Ok("路灯坏了"));
        assert!(check_description(None).is_err_and(|e| e.contains("required")));
        assert!(check_description(Some(&"x".repeat(4001))).is_err_and(|e| e.contains("4000")));
    }

    #[test]
    fn locations_need_a_pair_of_coordinates_or_an_address() {
        assert_eq!(coordinate("lat", Some("29.55")), Ok(Some(29.55)));
        assert_eq!(coordinate("lat", None), Ok(None));
        assert!(coordinate("lat", Some("north")).is_err_and(|e| e == "lat must be a number"));
        assert!(coordinate("long", Some("inf")).is_err());
        assert!(check_location(Some(1.0), Some(2.0), None, None).is_ok());
        assert!(check_location(None, None, Some("解放碑"), None).is_ok());
        assert!(check_location(None, None, None, Some("7")).is_ok());
        assert!(check_location(Some(1.0), None, Some("x"), None).is_err_and(|e| e.contains("together")));
        assert!(check_location(None, None, None, None).is_err_and(|e| e.contains("required")));
        assert!(check_address_id("7", Some(7)).is_ok());
        assert!(check_address_id("8", Some(7)).is_err());
        assert!(check_address_id("x", None).is_err());
    }

    #[test]
    fn reporter_details_are_checked_and_the_phone_normalised() {
        let values = reporter(&[("first_name", "张"), ("phone", "+86 139 1234 5678")]).expect("valid");
        assert_eq!(
            values,
            [("reporter.first_name".into(), 0, "张".into()), ("reporter.phone".into(), 0, "13912345678".into())]
        );
        assert!(reporter(&[("phone", "12345")]).is_err_and(|e| e.contains("phone")));
        assert!(reporter(&[("email", "nobody")]).is_err_and(|e| e.contains("email")));
        assert!(reporter(&[("last_name", "a\u{7}")]).is_err_and(|e| e.contains("one line")));
    }
}
