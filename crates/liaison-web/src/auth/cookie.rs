//! The session cookie (`HttpOnly; SameSite=Lax; Path=/`) and the device cookie of browsers that signed
//! in before, plus `Secure` and the `__Host-` prefix behind TLS.

use crate::WebConfig;
use axum::http::HeaderValue;

/// A `Set-Cookie` value carrying `token`.
pub fn session_cookie(config: &WebConfig, token: &str) -> HeaderValue {
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    let value = format!("{}={token}; HttpOnly; SameSite=Lax; Path=/{secure}", config.cookie_name());
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""))
}

/// A `Set-Cookie` value that deletes the session cookie.
pub fn clear_cookie(config: &WebConfig) -> HeaderValue {
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    let value = format!("{}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}", config.cookie_name());
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""))
}

/// The session token in a `Cookie` header, if any.
pub(crate) fn token_from(config: &WebConfig, cookies: &str) -> Option<String> {
    token_named(config.cookie_name(), cookies)
}

/// The device token in a `Cookie` header, if any.
pub(crate) fn device_from(config: &WebConfig, cookies: &str) -> Option<String> {
    token_named(config.device_cookie_name(), cookies)
}

fn token_named(name: &str, cookies: &str) -> Option<String> {
    let prefix = format!("{name}=");
    cookies
        .split(';')
        .filter_map(|c| c.trim().strip_prefix(&prefix))
        .find(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
}

/// A `Set-Cookie` value for the device cookie: `HttpOnly; SameSite=Strict`, kept 180 days, surviving
/// sign-out (it only marks the browser as one that signed in to the account before).
pub fn device_cookie(config: &WebConfig, token: &str) -> HeaderValue {
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    let value =
        format!("{}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=15552000{secure}", config.device_cookie_name());
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""))
}

/// Whether a `Cookie` header carries something in the session cookie's place (valid or not: a browser
/// attaches it on its own, so it is what cross-site checks care about).
pub fn has_session_cookie(config: &WebConfig, cookies: &str) -> bool {
    let prefix = format!("{}=", config.cookie_name());
    cookies.split(';').any(|c| c.trim().starts_with(&prefix))
}
