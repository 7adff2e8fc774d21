//! Sign-in, the second factor (enrolment on first use), sign-out and the language switch.

use super::{Chrome, render, render_status, safe_next, see_other};
use crate::AppState;
use crate::auth::{PartlySignedIn, clear_cookie, device_cookie, login, session_cookie};
use crate::error::{AppError, AppResult};
use crate::extract::{AppForm, AppPath, AppQuery};
use crate::i18n::Lang;
use crate::middleware::RequestMeta;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use liaison_core::validate::FieldError;
use liaison_core::{mfa, token};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    errors: Vec<FieldError>,
    username: String,
    next: String,
}

/// `?next=` after sign-in.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn form(State(state): State<AppState>, lang: Lang, AppQuery(q): AppQuery<NextQuery>) -> Response {
    render(&LoginPage {
        chrome: Chrome::public(&state, lang, "login.title"),
        errors: Vec::new(),
        username: String::new(),
        next: safe_next(q.next.as_deref()),
    })
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    meta: RequestMeta,
    AppForm(form): AppForm<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    match login::password_login(&state, &meta, &form.username, &form.password, None).await {
        Ok(done) => {
            let target = if done.mfa_pending {
                "/login/mfa".to_owned()
            } else if done.user.roles.iter().all(|r| !r.is_staff()) && next == "/" {
                "/portal".to_owned()
            } else {
                next
            };
            let mut response = see_other(&target);
            response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state.config, &done.token));
            if let Some(device) = &done.device {
                response.headers_mut().append(header::SET_COOKIE, device_cookie(&state.config, device));
            }
            response
        }
        Err(error @ (AppError::InvalidCredentials | AppError::TooManyRequests(_))) => {
            let (code, status) = error.code_and_status();
            let mut response = render_status(
                status,
                &LoginPage {
                    chrome: Chrome::public(&state, lang, "login.title"),
                    errors: vec![FieldError::new("username", code, lang.t(&format!("login.error.{code}")))],
                    username: form.username.chars().take(60).collect(),
                    next,
                },
            );
            if let AppError::TooManyRequests(seconds) = error {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
        Err(other) => other.into_response(),
    }
}

#[derive(Template)]
#[template(path = "mfa.html")]
struct MfaPage {
    chrome: Chrome,
    errors: Vec<FieldError>,
    enrol_secret: Option<String>,
    qr_svg: String,
    recovery_codes: Option<Vec<String>>,
}

/// Shows the code form, or enrolment (QR code rendered on the server) when TOTP is not set up yet.
pub async fn mfa_form(
    State(state): State<AppState>,
    lang: Lang,
    PartlySignedIn(authed): PartlySignedIn,
) -> AppResult<Response> {
    if !authed.mfa_pending {
        return Ok(see_other("/"));
    }
    let user = &authed.user;
    let secret = match (&user.row.totp_secret, user.row.totp_enabled) {
        (_, true) => None,
        (Some(secret), false) => Some(secret.clone()),
        (None, false) => {
            let secret = mfa::new_secret();
            state.db.set_totp(&authed.ctx(state.clock.now()), user.row.id, Some(&secret), false, &[]).await?;
            Some(secret)
        }
    };
    let qr_svg = secret.as_deref().map(|s| qr(&mfa::provisioning_uri(s, &user.row.username))).unwrap_or_default();
    Ok(render(&MfaPage {
        chrome: Chrome::public(&state, lang, "mfa.title"),
        errors: Vec::new(),
        enrol_secret: secret,
        qr_svg,
        recovery_codes: None,
    }))
}

fn qr(uri: &str) -> String {
    qrcode::QrCode::new(uri.as_bytes())
        .map(|code| code.render::<qrcode::render::svg::Color>().min_dimensions(192, 192).build())
        .unwrap_or_default()
}

/// The code form.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    code: String,
}

pub async fn mfa_submit(
    State(state): State<AppState>,
    lang: Lang,
    meta: RequestMeta,
    PartlySignedIn(authed): PartlySignedIn,
    AppForm(form): AppForm<CodeForm>,
) -> AppResult<Response> {
    let Some(session) = authed.session.clone().filter(|_| authed.mfa_pending) else {
        return Ok(see_other("/"));
    };
    let user = &authed.user;
    let enrolling = !user.row.totp_enabled;
    let checked = if enrolling {
        let secret = user.row.totp_secret.as_deref().unwrap_or_default();
        match mfa::matching_step(secret, &form.code, state.clock.now().timestamp()) {
            Some(step) if state.db.claim_totp_step(user.row.id, step).await? => Ok(()),
            _ => Err(AppError::field("code", "mfa.invalid", lang.t("mfa.invalid"))),
        }
    } else {
        login::check_second_factor(&state, &meta, user, &form.code).await
    };
    if let Err(error) = checked {
        let errors = match error {
            AppError::Validation(_) => vec![FieldError::new("code", "mfa.invalid", lang.t("mfa.invalid"))],
            AppError::TooManyRequests(_) => {
                vec![FieldError::new("code", "too_many_requests", lang.t("login.error.too_many_requests"))]
            }
            other => return Err(other),
        };
        let page = MfaPage {
            chrome: Chrome::public(&state, lang, "mfa.title"),
            errors,
            enrol_secret: None,
            qr_svg: String::new(),
            recovery_codes: None,
        };
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let recovery_codes = if enrolling {
        let codes: Vec<String> = (0..10).map(|_| token::random_hex(5)).collect();
        let digests: Vec<String> = codes.iter().map(|c| token::digest(c)).collect();
        state
            .db
            .set_totp(&authed.ctx(state.clock.now()), user.row.id, user.row.totp_secret.as_deref(), true, &digests)
            .await?;
        Some(codes)
    } else {
        None
    };
    let (new_token, device) = login::finish_second_factor(&state, &meta, user, &session).await?;
    let mut response = match recovery_codes {
        Some(codes) => render(&MfaPage {
            chrome: Chrome::public(&state, lang, "mfa.title"),
            errors: Vec::new(),
            enrol_secret: None,
            qr_svg: String::new(),
            recovery_codes: Some(codes),
        }),
        None => see_other("/"),
    };
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state.config, &new_token));
    if let Some(device) = &device {
        response.headers_mut().append(header::SET_COOKIE, device_cookie(&state.config, device));
    }
    Ok(response)
}

pub async fn logout(State(state): State<AppState>, PartlySignedIn(authed): PartlySignedIn) -> AppResult<Response> {
    if let Some(session) = &authed.session {
        state.db.end_session(&authed.ctx(state.clock.now()), session).await?;
    }
    let mut response = see_other("/login");
    response.headers_mut().insert(header::SET_COOKIE, clear_cookie(&state.config));
    response.headers_mut().insert("clear-site-data", HeaderValue::from_static("\"cache\", \"storage\""));
    Ok(response)
}

/// Sets the language cookie and returns to the page the switch was clicked on (a local path only).
pub async fn set_lang(AppPath(code): AppPath<String>, headers: axum::http::HeaderMap) -> Response {
    let value = if code == "en" { "lang=en" } else { "lang=zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| referer.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|slash| &rest[slash..]));
    let mut response = see_other(&safe_next(back));
    if let Ok(cookie) = HeaderValue::from_str(&format!("{value}; Path=/; SameSite=Lax; Max-Age=31536000")) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}
