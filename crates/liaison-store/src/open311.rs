//! What Open311 reads: services (categories, public ones unless a key reads private ones too) with
//! their attributes, and service requests (items) by number or within a window of submission times,
//! newest first — each with its handling unit, never with personal data beyond the item's own text.

use crate::audit::append;
use crate::item_list::ItemScope;
use crate::{Ctx, Db, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use liaison_core::open311::{AttributeDef, Datatype, ValueOption};
use sqlx::QueryBuilder;

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
#[derive(Debug, Clone, sqlx::FromRow)]
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
fn push_readers<DB: sqlx::Database>(query: &mut QueryBuilder<DB>, readers: &Readers)
where
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    match readers {
        Readers::Public => {
            query.push("c.public_service = TRUE");
        }
        Readers::Account(ItemScope::Enterprise(id)) => {
            query.push("i.enterprise_id = ").push_bind(*id);
        }
        Readers::Account(ItemScope::Officer(id)) => {
            query.push("(i.officer_id = ").push_bind(*id).push(" OR i.handler_id = ").push_bind(*id).push(")");
        }
        Readers::Account(ItemScope::Subtree(path)) => {
            let path = path.as_str().to_owned();
            query.push("substr(i.path, 1, length(").push_bind(path.clone()).push(")) = ").push_bind(path);
        }
        Readers::Account(ItemScope::Department(unit)) => {
            query.push("i.id IN (SELECT item_id FROM referral WHERE department_id = ").push_bind(*unit).push(")");
        }
        Readers::Account(ItemScope::Nothing) => {
            query.push("1 = 0");
        }
    }
}

/// Appends ` AND column IN (…)` when `values` is not empty.
fn push_in<DB: sqlx::Database, T>(query: &mut QueryBuilder<DB>, column: &str, values: &[T])
where
    T: Clone + for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB> + 'static,
{
    if values.is_empty() {
        return;
    }
    query.push(format!(" AND {column} IN ("));
    let mut list = query.separated(", ");
    for value in values {
        list.push_bind(value.clone());
    }
    query.push(")");
}

impl Db {
    /// Active services: public categories, or every category when `private` too; by id.
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
    pub async fn service_requests(&self, readers: &Readers, q: &RequestQuery) -> StoreResult<Vec<RequestRow>> {
        Ok(read!(self, |c| async {
            let mut query = QueryBuilder::new(REQUEST_SELECT);
            push_readers(&mut query, readers);
            if q.numbers.is_empty() {
                if let Some(from) = q.from {
                    query.push(" AND i.submitted_at >= ").push_bind(from);
                }
                if let Some(to) = q.to {
                    query.push(" AND i.submitted_at <= ").push_bind(to);
                }
                push_in(&mut query, "i.category_id", &q.category_ids);
                push_in(&mut query, "i.status", &q.statuses);
            } else {
                push_in(&mut query, "i.number", &q.numbers);
            }
            query.push(" ORDER BY i.submitted_at DESC, i.id DESC LIMIT ").push_bind(q.limit);
            query.build_query_as().fetch_all(c).await
        })?)
    }
}
