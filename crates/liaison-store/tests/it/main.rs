//! Store tests: every test runs on a fresh SQLite database and, when a test PostgreSQL is available
//! (`LIAISON_TEST_DATABASE_URL`, started by `scripts/test`), on a fresh PostgreSQL database too.

mod audit;
mod enterprises;
mod harness;
mod intake;
mod items;
mod open311;
mod org;
mod pool;
mod schema;
mod users;
