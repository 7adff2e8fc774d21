//! Server-rendered pages: the staff console and the enterprise portal. One askama struct per page,
//! a shared [`Chrome`] for the layout, every form a plain POST answered with `303 See Other`.

mod account;
mod admin;
mod api_keys;
mod catalogue;
mod enterprises;
mod home;
mod import;
mod items;
mod login;
mod notify;
mod portal;
mod services;

use crate::AppState;
use crate::auth::Authed;
use crate::i18n::Lang;
use crate::routes::{Access::*, RouteTable};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use liaison_core::permission::Action;

/// Registers every page route.
pub fn routes(t: &mut RouteTable) {
    t.get("/healthz", Public, home::healthz);
    t.get("/metrics", Public, crate::metrics::scrape);
    t.get("/login", Public, login::form);
    t.post("/login", Public, login::submit);
    t.get("/login/mfa", Public, login::mfa_form);
    t.post("/login/mfa", Public, login::mfa_submit);
    t.post("/logout", Signed, login::logout);
    t.get("/lang/{code}", Public, login::set_lang);
    t.get("/", Signed, home::home);
    t.get("/stats", Signed, home::stats);
    t.get("/officers", Signed, home::officers);
    t.get("/enterprises", Signed, enterprises::list);
    t.get("/enterprises/new", Signed, enterprises::new_form);
    t.get("/enterprises/import", Signed, import::form);
    t.post("/enterprises/import", Signed, import::upload);
    t.get("/enterprises/export.xlsx", Signed, import::export);
    t.post("/enterprises", Signed, enterprises::create);
    t.get("/enterprises/{id}", Signed, enterprises::detail);
    t.get("/enterprises/{id}/edit", Signed, enterprises::edit_form);
    t.post("/enterprises/{id}", Signed, enterprises::update);
    t.post("/enterprises/{id}/assign", Signed, enterprises::assign);
    t.post("/enterprises/{id}/status", Signed, enterprises::set_status);
    t.post("/enterprises/{id}/reveal", Signed, enterprises::reveal);
    t.post("/enterprises/{id}/self-reports/{report}", Signed, enterprises::review_report);
    t.get("/registrations", Signed, admin::registrations);
    t.post("/registrations/{id}", Signed, admin::decide_registration);
    t.get("/org", Signed, admin::org);
    t.post("/org", Signed, admin::create_unit);
    t.post("/org/{id}", Signed, admin::change_unit);
    t.get("/users", Signed, admin::users);
    t.post("/users", Signed, admin::create_user);
    t.post("/users/{id}", Signed, admin::change_user);
    t.get("/audit", Signed, admin::audit);
    t.get("/account", Signed, account::page);
    t.post("/account/password", Signed, account::change_password);
    t.post("/account/tokens", Signed, account::create_token);
    t.post("/account/sessions", Signed, account::end_other_sessions);
    t.post("/account/api-keys/{id}/consent", Signed, account::consent_api_key);
    t.get("/account/notifications", Signed, notify::form);
    t.post("/account/notifications", Signed, notify::save);
    t.get("/deliveries", Signed, notify::deliveries);
    t.get("/catalogue", Signed, catalogue::show);
    t.get("/api-keys", Signed, api_keys::show);
    t.post("/api-keys", Signed, api_keys::create);
    t.post("/api-keys/{id}/rotation", Signed, api_keys::rotate);
    t.post("/api-keys/{id}/revocation", Signed, api_keys::revoke);
    t.post("/catalogue/categories", Signed, catalogue::create);
    t.post("/catalogue/categories/{id}", Signed, catalogue::retire);
    t.get("/catalogue/categories/{id}/service", Signed, services::show);
    t.post("/catalogue/categories/{id}/service", Signed, services::save);
    t.post("/catalogue/policies/{kind}/{priority}", Signed, catalogue::set_policy);
    t.get("/items", Signed, items::list);
    t.get("/items/new", Signed, items::new_form);
    t.get("/items/similar", Signed, items::similar);
    t.post("/items", Signed, items::create);
    t.get("/items/{id}", Signed, items::detail);
    t.post("/items/{id}/step", Signed, items::step);
    t.post("/items/{id}/reveal", Signed, items::reveal);
    t.post("/items/{id}/attachments", Signed, items::attach);
    t.post("/items/{id}/dispute", Signed, items::dispute);
    t.post("/items/{id}/mediation-sessions", Signed, items::session);
    t.post("/items/{id}/mediation-outcome", Signed, items::outcome);
    t.get("/items/{id}/attachments/{attachment_id}", Signed, items::download);
    t.get("/inbox", Signed, items::inbox);
    t.get("/inbox/count", Signed, items::inbox_count);
    t.post("/inbox/read", Signed, items::read);
    t.get("/portal", Signed, portal::home);
    t.get("/portal/register", Public, portal::register_form);
    t.post("/portal/register", Public, portal::register);
    t.post("/portal/self-report", Signed, portal::self_report);
}

/// A navigation link.
#[derive(Debug, Clone)]
pub struct NavLink {
    /// Target.
    pub href: &'static str,
    /// Translated label.
    pub label: String,
    /// The current section.
    pub active: bool,
}

/// What the layout needs: language, the user, navigation, the demo banner.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// UI language.
    pub lang: Lang,
    /// Page title (translated).
    pub title: String,
    /// Signed-in user's display name.
    pub user_name: Option<String>,
    /// Navigation for the user's roles.
    pub nav: Vec<NavLink>,
    /// Demo data banner.
    pub demo: bool,
}

impl Chrome {
    /// Layout for a signed-in user, with `active` the current section's href.
    pub fn new(state: &AppState, lang: Lang, authed: &Authed, title_key: &str, active: &str) -> Self {
        let viewer = authed.viewer();
        let sees_items =
            !matches!(crate::actions::items::item_scope(&viewer), liaison_store::item_list::ItemScope::Nothing);
        let links: [(&'static str, &str, bool); 15] = [
            ("/", "nav.home", viewer.is_staff()),
            ("/portal", "nav.portal", !viewer.is_staff()),
            ("/items", "nav.items", sees_items),
            ("/inbox", "nav.inbox", true),
            ("/enterprises", "nav.enterprises", viewer.is_staff() && viewer.can(Action::ViewEnterprises)),
            ("/registrations", "nav.registrations", viewer.can(Action::ConfirmEnterpriseUser)),
            ("/officers", "nav.officers", viewer.can(Action::ViewStatistics)),
            ("/stats", "nav.stats", viewer.can(Action::ViewStatistics)),
            ("/org", "nav.org", viewer.can(Action::ViewOrgUnits)),
            ("/users", "nav.users", viewer.can(Action::ViewUsers)),
            ("/audit", "nav.audit", viewer.can(Action::ReadAudit)),
            ("/deliveries", "nav.deliveries", viewer.can(Action::ViewDeliveries)),
            ("/catalogue", "nav.catalogue", viewer.can(Action::ManageCatalogue)),
            ("/api-keys", "nav.api_keys", viewer.can(Action::ManageApiKeys)),
            ("/account", "nav.account", true),
        ];
        let nav = links
            .into_iter()
            .filter(|(_, _, shown)| *shown)
            .map(|(href, key, _)| NavLink { href, label: lang.t(key), active: href == active })
            .collect();
        Self {
            lang,
            title: lang.t(title_key),
            user_name: Some(authed.user.row.display_name.clone()),
            nav,
            demo: state.config.demo,
        }
    }

    /// Layout for a page without a signed-in user.
    pub fn public(state: &AppState, lang: Lang, title_key: &str) -> Self {
        Self { lang, title: lang.t(title_key), user_name: None, nav: Vec::new(), demo: state.config.demo }
    }

    /// Translates `key` in the page's language.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }
}

/// Renders a template, or a plain 500 if rendering itself fails.
pub fn render(template: &impl Template) -> Response {
    render_status(StatusCode::OK, template)
}

/// Renders a template with a status.
pub fn render_status(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => crate::error::AppError::Internal(error.to_string()).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    status: u16,
    message: &'a str,
}

/// The error page for a failed request.
pub fn error_page(state: &AppState, lang: Lang, status: StatusCode, message: &str) -> Response {
    let page = ErrorPage { chrome: Chrome::public(state, lang, "error.title"), status: status.as_u16(), message };
    render_status(status, &page)
}

/// Percent-encodes a path for a query parameter.
pub fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A local redirect target: only paths on this site (no `//host` or scheme), else `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => path.to_owned(),
        _ => "/".to_owned(),
    }
}

/// `303 See Other` to `to`.
pub fn see_other(to: &str) -> Response {
    axum::response::Redirect::to(to).into_response()
}
