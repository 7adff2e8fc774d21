//! What Open311 reads: services (categories, public ones unless a key reads private ones too) with
//! their attributes, and service requests (items) by number or within a window of submission times,
//! newest first — each with its handling unit, never with personal data beyond the item's own text.

use crate::audit::append;
use crate::by_position::{Positional, ReadByPosition};
use crate::item_list::ItemScope;
use crate::list_reader::{ListQuery, ListSql};
use crate::{Ctx, Db, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use liaison_core::open311::{AttributeDef, Datatype, ValueOption};

/// A service: one category.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceRow {
    /// Category id (the service code).
    pub id: i64,
    /// Kind code (the group).
    pub kind: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Comma-separated keywords.
    pub keywords: String,
    /// Listed publicly.
    pub public_service: bool,
    /// How many attributes it has.
    pub attribute_count: i64,
}

/// The columns of [`ServiceRow`] (a macro, so each query stays one static text).
macro_rules! service_select {
    () => {
        "SELECT c.id, c.kind, c.name, c.description, c.keywords, c.public_service,
                (SELECT count(*) FROM category_attribute a WHERE a.category_id = c.id) AS attribute_count
         FROM item_category c "
    };
}

#[derive(sqlx::FromRow)]
struct AttributeRow {
    code: String,
    datatype: String,
    required: bool,
    description: String,
    position: i64,
    value_list: String,
}

impl From<AttributeRow> for AttributeDef {
    fn from(row: AttributeRow) -> Self {
        AttributeDef {
            code: row.code,
            datatype: Datatype::parse(&row.datatype).unwrap_or(Datatype::String),
            required: row.required,
            description: row.description,
            order: row.position,
            values: serde_json::from_str::<Vec<ValueOption>>(&row.value_list).unwrap_or_default(),
        }
    }
}

/// A service request: an item as Open311 shows it.
#[derive(Debug, Clone)]
pub struct RequestRow {
    /// Item id.
    pub id: i64,
    /// Human number (the `service_request_id`).
    pub number: String,
    /// Category (the `service_code`).
    pub category_id: i64,
    /// Category name.
    pub category_name: String,
    /// Status code.
    pub status: String,
    /// Description.
    pub description: String,
    /// Address.
    pub address: String,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Submitted.
    pub submitted_at: DateTime<Utc>,
    /// Resolution due.
    pub resolve_due_at: DateTime<Utc>,
    /// The handler's unit, else the category's default unit, else the responsible officer's.
    pub agency: Option<String>,
    /// Instants of later changes, the newest of which is the request's last update.
    pub responded_at: Option<DateTime<Utc>>,
    /// Resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Feedback given.
    pub feedback_at: Option<DateTime<Utc>>,
    /// Escalated.
    pub escalated_at: Option<DateTime<Utc>>,
    /// Put under supervision.
    pub supervised_at: Option<DateTime<Utc>>,
    /// Paused.
    pub paused_at: Option<DateTime<Utc>>,
}

/// Read by position, the order of [`REQUEST_SELECT`]: a default list is 1,000 rows.
impl ReadByPosition for RequestRow {
    fn read<R: Positional>(row: &R) -> Result<Self, R::Error> {
        Ok(RequestRow {
            id: row.int(0)?,
            number: row.text(1)?,
            category_id: row.int(2)?,
            category_name: row.text(3)?,
            status: row.text(4)?,
            description: row.text(5)?,
            address: row.text(6)?,
            longitude: row.opt_float(7)?,
            latitude: row.opt_float(8)?,
            submitted_at: row.time(9)?,
            resolve_due_at: row.time(10)?,
            agency: row.opt_text(11)?,
            responded_at: row.opt_time(12)?,
            resolved_at: row.opt_time(13)?,
            closed_at: row.opt_time(14)?,
            feedback_at: row.opt_time(15)?,
            escalated_at: row.opt_time(16)?,
            supervised_at: row.opt_time(17)?,
            paused_at: row.opt_time(18)?,
        })
    }
}

impl RequestRow {
    /// When the request last changed.
    pub fn updated_at(&self) -> DateTime<Utc> {
        [
            self.responded_at,
            self.resolved_at,
            self.closed_at,
            self.feedback_at,
            self.escalated_at,
            self.supervised_at,
            self.paused_at,
        ]
        .into_iter()
        .flatten()
        .fold(self.submitted_at, DateTime::max)
    }
}

/// Which requests a reader may see.
#[derive(Debug, Clone)]
pub enum Readers {
    /// Anyone: requests of public services only.
    Public,
    /// A key that reads private requests: everything its account sees.
    Account(ItemScope),
}

/// How a category is offered as a service, as an administrator sets it (validated by the caller).
#[derive(Debug, Clone)]
pub struct ServiceDefinition {
    /// Listed publicly, its requests readable without a key.
    pub public_service: bool,
    /// What the service is about.
    pub description: String,
    /// Comma-separated keywords.
    pub keywords: String,
    /// The attributes a request gives, in order.
    pub attributes: Vec<AttributeDef>,
}

/// What a request list asks for (already validated).
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    /// Human numbers; when given, every other filter is ignored.
    pub numbers: Vec<String>,
    /// Categories (empty: all).
    pub category_ids: Vec<i64>,
    /// Statuses (empty: all).
    pub statuses: Vec<String>,
    /// Submitted at or after (with `to`, required unless numbers are given).
    pub from: Option<DateTime<Utc>>,
    /// Submitted at or before.
    pub to: Option<DateTime<Utc>>,
    /// At most this many.
    pub limit: i64,
}

const REQUEST_SELECT: &str = "SELECT i.id, i.number, i.category_id, c.name AS category_name, i.status, i.description,
        i.address, i.longitude, i.latitude, i.submitted_at, i.resolve_due_at,
        COALESCE(hu.name, du.name, ou.name) AS agency, i.responded_at, i.resolved_at, i.closed_at, i.feedback_at,
        i.escalated_at, i.supervised_at, i.paused_at
    FROM item i JOIN item_category c ON c.id = i.category_id
    LEFT JOIN app_user h ON h.id = i.handler_id LEFT JOIN org_unit hu ON hu.id = h.unit_id
    LEFT JOIN org_unit du ON du.id = c.default_unit_id
    LEFT JOIN app_user o ON o.id = i.officer_id LEFT JOIN org_unit ou ON ou.id = o.unit_id
    WHERE ";

/// Appends who may read: public services, or the account's scope.
fn push_readers(query: &mut impl ListSql, readers: &Readers) {
    match readers {
        Readers::Public => query.sql("c.public_service = TRUE"),
        Readers::Account(ItemScope::Enterprise(id)) => {
            query.sql("i.enterprise_id = ");
            query.int(*id);
        }
        Readers::Account(ItemScope::Officer(id)) => {
            query.sql("(i.officer_id = ");
            query.int(*id);
            query.sql(" OR i.handler_id = ");
            query.int(*id);
            query.sql(")");
        }
        Readers::Account(ItemScope::Subtree(path)) => {
            query.sql("substr(i.path, 1, length(");
            query.text(path.as_str());
            query.sql(")) = ");
            query.text(path.as_str());
        }
        Readers::Account(ItemScope::Department(unit)) => {
            query.sql("i.id IN (SELECT item_id FROM referral WHERE department_id = ");
            query.int(*unit);
            query.sql(")");
        }
        Readers::Account(ItemScope::Nothing) => query.sql("1 = 0"),
    }
}

/// A value of an `IN` list.
trait InValue {
    /// Appends its placeholder.
    fn bind(&self, query: &mut impl ListSql);
}

impl InValue for i64 {
    fn bind(&self, query: &mut impl ListSql) {
        query.int(*self);
    }
}

impl InValue for String {
    fn bind(&self, query: &mut impl ListSql) {
        query.text(self);
    }
}

/// Appends ` AND column IN (…)` when `values` is not empty.
fn push_in(query: &mut impl ListSql, column: &str, values: &[impl InValue]) {
    if values.is_empty() {
        return;
    }
    query.sql(&format!(" AND {column} IN ("));
    for (n, value) in values.iter().enumerate() {
        if n > 0 {
            query.sql(", ");
        }
        value.bind(query);
    }
    query.sql(")");
}

/// A request list: by number, or submitted within `from..=to` with the given categories and statuses.
struct RequestList<'a> {
    readers: &'a Readers,
    query: &'a RequestQuery,
}

impl ListQuery for RequestList<'_> {
    fn write(&self, sql: &mut impl ListSql) {
        let q = self.query;
        sql.sql(REQUEST_SELECT);
        push_readers(sql, self.readers);
        if q.numbers.is_empty() {
            if let Some(from) = q.from {
                sql.sql(" AND i.submitted_at >= ");
                sql.time(from);
            }
            if let Some(to) = q.to {
                sql.sql(" AND i.submitted_at <= ");
                sql.time(to);
            }
            push_in(sql, "i.category_id", &q.category_ids);
            push_in(sql, "i.status", &q.statuses);
        } else {
            push_in(sql, "i.number", &q.numbers);
        }
        // The count in the text, as the item lists write theirs (`item_list::push_limit`): PostgreSQL keeps
        // the generic plan of a statement whose LIMIT it knows.
        sql.sql(&format!(" ORDER BY i.submitted_at DESC, i.id DESC LIMIT {}", q.limit));
    }
}

impl Db {
    /// Active services: public categories, or every category when `private` too; by id.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn services(&self, private: bool) -> StoreResult<Vec<ServiceRow>> {
        Ok(read!(self, |c| sqlx::query_as(concat!(
            service_select!(),
            "WHERE c.retired_at IS NULL AND (c.public_service OR $1) ORDER BY c.id"
        ))
        .bind(private)
        .fetch_all(c))?)
    }

    /// Sets how a category is offered as a service: public or not, description, keywords, and its
    /// attributes (replaced as a whole; items keep the values they were given).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_category_service(&self, ctx: &Ctx, id: i64, service: &ServiceDefinition) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let changed = exec!(&mut tx, |c| sqlx::query(
            "UPDATE item_category SET public_service = $2, description = $3, keywords = $4 WHERE id = $1"
        )
        .bind(id)
        .bind(service.public_service)
        .bind(&service.description)
        .bind(&service.keywords)
        .execute(c))?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        exec!(&mut tx, |c| sqlx::query("DELETE FROM category_attribute WHERE category_id = $1").bind(id).execute(c))?;
        for def in &service.attributes {
            let values = if def.values.is_empty() {
                String::new()
            } else {
                serde_json::to_string(&def.values).unwrap_or_default()
            };
            exec!(&mut tx, |c| {
                sqlx::query(
                "INSERT INTO category_attribute (category_id, code, datatype, required, description, position, value_list)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            )
            .bind(id)
            .bind(&def.code)
            .bind(def.datatype.code())
            .bind(def.required)
            .bind(&def.description)
            .bind(def.order)
            .bind(&values)
            .execute(c)
            })?;
        }
        let codes: Vec<&str> = service.attributes.iter().map(|d| d.code.as_str()).collect();
        let detail = format!("public: {}; attributes: {}", service.public_service, codes.join(", "));
        append(&mut tx, ctx.at, &ctx.event("category.service", "item_category", Some(id), detail)).await?;
        tx.commit().await
    }

    /// One active service: a public category, or any when `private` too.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn service(&self, id: i64, private: bool) -> StoreResult<Option<ServiceRow>> {
        Ok(read!(self, |c| sqlx::query_as(concat!(
            service_select!(),
            "WHERE c.id = $1 AND c.retired_at IS NULL AND (c.public_service OR $2)"
        ))
        .bind(id)
        .bind(private)
        .fetch_optional(c))?)
    }

    /// A category's attributes in order.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn category_attributes(&self, category_id: i64) -> StoreResult<Vec<AttributeDef>> {
        let rows: Vec<AttributeRow> = read!(self, |c| sqlx::query_as(
            "SELECT code, datatype, required, description, position, value_list FROM category_attribute
             WHERE category_id = $1 ORDER BY position"
        )
        .bind(category_id)
        .fetch_all(c))?;
        Ok(rows.into_iter().map(AttributeDef::from).collect())
    }

    /// Service requests the readers may see: by number, or submitted within `from..=to`, with the
    /// given categories and statuses; newest first, at most `limit`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn service_requests(&self, readers: &Readers, q: &RequestQuery) -> StoreResult<Vec<RequestRow>> {
        self.list_rows(&RequestList { readers, query: q }).await
    }
}
