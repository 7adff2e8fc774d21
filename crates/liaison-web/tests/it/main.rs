//! HTTP tests through the real router (in-process `oneshot`), on fresh databases with the fixture
//! district of SECURITY.md: authentication, sessions, CSRF, headers, the authorization matrix,
//! enterprises, administration, the portal, the OpenAPI contract and the translation catalogue.

mod admin;
mod api_twins;
mod auth;
mod browser;
mod catalogue;
mod control_chars;
mod csrf;
mod enterprises;
mod harness;
mod items;
mod listener;
mod lockout;
mod masking;
pub(crate) mod matrix;
mod matrix_foundation;
mod matrix_items;
mod matrix_open311;
mod matrix_roles;
mod notify;
mod onboarding;
mod open311;
mod portal;
mod robustness;
mod uploads;
