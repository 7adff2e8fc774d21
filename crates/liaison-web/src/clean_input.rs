//! Text input is clean before any handler reads it (VAL-06): the path, every query argument, every
//! field of a form or JSON body must be valid UTF-8 after percent-decoding and hold no control
//! character but tab and line breaks. One check for every route — known argument or not — so a new
//! route cannot forget it; the refusal names the field (`q`, `title`, `parties[1].name`) and nothing is
//! read further. Multipart text fields are checked where they are read (`uploads::read_form`), and
//! Open311 by its own argument decoder (its errors have GeoReport's shape).

use crate::error::AppError;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use liaison_core::validate::FieldError;
use liaison_core::validate::text::first_refused_control;
use percent_encoding::percent_decode;

/// Middleware: refuses a request whose text input is not clean.
pub async fn refuse_unclean(req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/open311/") {
        return next.run(req).await;
    }
    let mut checked = check_component("path", req.uri().path().as_bytes(), false);
    if let (Ok(()), Some(query)) = (&checked, req.uri().query()) {
        checked = check_urlencoded(query.as_bytes());
    }
    if let Err(error) = checked {
        return error.into_response();
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let kind = if content_type.starts_with("application/x-www-form-urlencoded") {
        Body::Form
    } else if content_type.starts_with("application/json") {
        Body::Json
    } else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    // The body was read whole by `body_limit` already; this takes the same bytes.
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return AppError::BadRequest("malformed_body", "请求体读取失败 / the body could not be read".into())
                .into_response();
        }
    };
    let checked = match kind {
        Body::Form => check_urlencoded(&bytes),
        // A body that is not JSON at all is left to the handler's extractor, which says so.
        Body::Json => serde_json::from_slice(&bytes).map_or(Ok(()), |value| check_json(&value, &mut String::new())),
    };
    match checked {
        Ok(()) => next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        Err(error) => error.into_response(),
    }
}

enum Body {
    Form,
    Json,
}

/// Checks every name and value of `a=1&b=2` (`+` is a space).
pub fn check_urlencoded(raw: &[u8]) -> Result<(), AppError> {
    for part in raw.split(|&b| b == b'&').filter(|part| !part.is_empty()) {
        let (name, value) = match part.iter().position(|&b| b == b'=') {
            Some(at) => (&part[..at], &part[at + 1..]),
            None => (part, &[][..]),
        };
        let name_text = decoded(name, true).unwrap_or_else(|_| String::from_utf8_lossy(name).into_owned());
        check_component(&name_text, name, true)?;
        check_component(&name_text, value, true)?;
    }
    Ok(())
}

/// Percent-decodes `raw` (`+` as a space when `plus_is_space`); `Err` when the result is not UTF-8.
pub(crate) fn decoded(raw: &[u8], plus_is_space: bool) -> Result<String, ()> {
    let spaced: Vec<u8> = raw.iter().map(|&b| if plus_is_space && b == b'+' { b' ' } else { b }).collect();
    percent_decode(&spaced).decode_utf8().map(|text| text.into_owned()).map_err(|_| ())
}

/// One percent-encoded component of field `field`.
fn check_component(field: &str, raw: &[u8], plus_is_space: bool) -> Result<(), AppError> {
    let text = decoded(raw, plus_is_space).map_err(|()| {
        AppError::Unclean(FieldError::new(
            field,
            "invalid_utf8",
            format!("{field}：不是有效的 UTF-8 文本 / not valid UTF-8"),
        ))
    })?;
    check_text(field, &text)
}

/// `text` of field `field` holds no refused control character.
pub fn check_text(field: &str, text: &str) -> Result<(), AppError> {
    match first_refused_control(text) {
        None => Ok(()),
        Some(_) => Err(AppError::Unclean(FieldError::new(
            field,
            "control_characters",
            format!("{field}：不能包含控制字符（制表符和换行除外）/ control characters are not allowed"),
        ))),
    }
}

/// Every string (and key) of a JSON value, named by its path (`parties[1].name`).
fn check_json(value: &serde_json::Value, path: &mut String) -> Result<(), AppError> {
    match value {
        serde_json::Value::String(text) => check_text(if path.is_empty() { "body" } else { path }, text),
        serde_json::Value::Array(items) => items.iter().enumerate().try_for_each(|(index, item)| {
            let len = path.len();
            path.push_str(&format!("[{index}]"));
            let result = check_json(item, path);
            path.truncate(len);
            result
        }),
        serde_json::Value::Object(fields) => fields.iter().try_for_each(|(key, item)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            let result = check_text(path, key).and_then(|()| check_json(item, path));
            path.truncate(len);
            result
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(result: Result<(), AppError>) -> Option<(String, String)> {
        match result {
            Err(AppError::Unclean(error)) => Some((error.field, error.code)),
            _ => None,
        }
    }

    #[test]
    fn query_and_form_fields_are_named() {
        assert!(check_urlencoded(b"q=%E6%B8%9D%E4%B8%AD&page=2").is_ok());
        assert!(check_urlencoded(b"body=line%0D%0Anext%09tab").is_ok());
        assert_eq!(field_of(check_urlencoded(b"q=%FF%FE")), Some(("q".into(), "invalid_utf8".into())));
        assert_eq!(field_of(check_urlencoded(b"a=1&title=a%00b")), Some(("title".into(), "control_characters".into())));
        assert_eq!(field_of(check_urlencoded(b"x%07=1")).map(|f| f.1), Some("control_characters".into()));
    }

    #[test]
    fn json_strings_are_named_by_their_path() {
        let body = serde_json::json!({"title": "ok", "parties": [{"name": "甲"}, {"name": "乙\u{1b}"}]});
        assert_eq!(
            field_of(check_json(&body, &mut String::new())),
            Some(("parties[1].name".into(), "control_characters".into()))
        );
        let fine = serde_json::json!({"body": "第一行\n第二行\t", "n": 3});
        assert!(check_json(&fine, &mut String::new()).is_ok());
    }
}
