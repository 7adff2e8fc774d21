//! Liaison's domain: validated values, roles and permissions, the org tree, enterprises, passwords,
//! the audit chain and masking. Pure functions only — no I/O — so every rule is unit-tested.

pub mod audit;
pub mod calendar;
pub mod clock;
pub mod enterprise;
pub mod import;
pub mod item;
pub mod lockout;
pub mod mask;
pub mod mfa;
pub mod money;
pub mod net;
pub mod open311;
pub mod org;
pub mod password;
pub mod permission;
pub mod role;
pub mod sla;
pub mod text_match;
pub mod time_text;
pub mod token;
pub mod upload;
pub mod validate;

/// The Asia/Shanghai zone used for display and working-day arithmetic.
pub const TIMEZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;
