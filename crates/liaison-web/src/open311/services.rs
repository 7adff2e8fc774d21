//! Discovery, the service list and service definitions: one service per active category — public
//! ones for everybody, every category for a key that reads private requests.

use super::args::Args;
use super::keys::{Caller, Who, admit, caller};
use super::{Answer, Node, Open311Error};
use crate::AppState;
use crate::middleware::RequestMeta;
use liaison_core::item::Kind;
use liaison_core::open311::{AttributeDef, Datatype};
use liaison_store::open311::ServiceRow;

/// When this endpoint's behaviour last changed (discovery's `changeset`).
const CHANGESET: &str = "2026-11-30T00:00:00+08:00";

/// `discovery.{fmt}`.
pub fn discovery(state: &AppState) -> (Node, &'static str) {
    let formats = Node::List("format", vec![Node::Text("text/xml".into()), Node::Text("application/json".into())]);
    let endpoint = Node::Record(vec![
        ("specification", Node::Text("http://wiki.open311.org/GeoReport_v2".into())),
        ("url", Node::Text(format!("{}/open311/v2", state.config.public_origin.trim_end_matches('/')))),
        ("changeset", Node::Text(CHANGESET.into())),
        ("type", Node::Text("production".into())),
        ("formats", formats),
    ]);
    let discovery = Node::Record(vec![
        ("changeset", Node::Text(CHANGESET.into())),
        ("contact", Node::Text("助企警务中心 / the liaison center of the public-security bureau".into())),
        (
            "key_service",
            Node::Text(
                "API keys are issued by the security administrator (console: /api-keys) / 由安全管理员签发".into(),
            ),
        ),
        ("endpoints", Node::List("endpoint", vec![endpoint])),
    ]);
    (discovery, "discovery")
}

/// The optional caller of a read, checked against the arguments a read takes; reads without a key
/// are held to `[web] open311_reads_per_minute` per client address (a default list is ~1,000 rows).
pub(super) async fn reader(
    state: &AppState,
    meta: &RequestMeta,
    args: &Args,
    known: &[&str],
) -> Result<Option<Caller>, Open311Error> {
    args.only(known).map_err(Open311Error::bad)?;
    let caller = caller(state, meta, args.one("api_key").map_err(Open311Error::bad)?).await?;
    if caller.is_none() {
        let per_minute = state.config.open311_reads_per_minute;
        admit(state, Who::Address(meta.ip.clone()), per_minute, "without an api_key a client may read")?;
    }
    Ok(caller)
}

/// Audits a keyed read and passes its answer on.
pub(super) async fn audited(state: &AppState, caller: Option<&Caller>, what: &str, answer: Answer) -> Answer {
    if let Some(caller) = caller {
        let outcome = answer.as_ref().map_or_else(|e| e.description.clone(), |_| "ok".to_owned());
        caller.record(state, answer.is_ok(), &format!("GET {what}: {outcome}")).await;
    }
    answer
}

/// `services.{fmt}`.
pub async fn list(state: &AppState, meta: &RequestMeta, args: &Args) -> Answer {
    let caller = reader(state, meta, args, &["api_key", "jurisdiction_id"]).await?;
    let private = caller.as_ref().is_some_and(|c| c.key.read_private);
    let answer = state.db.services(private).await.map_err(Open311Error::from).map(|rows| {
        let services = rows.iter().map(service).collect();
        (Node::List("service", services), "services")
    });
    audited(state, caller.as_ref(), "services", answer).await
}

fn service(row: &ServiceRow) -> Node {
    let group = Kind::parse(&row.kind).map_or(row.kind.clone(), |k| k.label().to_owned());
    Node::Record(vec![
        ("service_code", Node::Text(row.id.to_string())),
        ("service_name", Node::Text(row.name.clone())),
        ("description", Node::Text(row.description.clone())),
        ("metadata", Node::Bool(row.attribute_count > 0)),
        ("type", Node::Text("realtime".into())),
        ("keywords", Node::Text(row.keywords.clone())),
        ("group", Node::Text(group)),
    ])
}

/// The service of `code` among those the caller sees, with its attributes; 404 otherwise.
pub(super) async fn find(
    state: &AppState,
    caller: Option<&Caller>,
    code: &str,
) -> Result<(ServiceRow, Vec<AttributeDef>), Open311Error> {
    let not_found = || Open311Error::new(404, &format!("service_code {code} not found"));
    let id: i64 = code.parse().map_err(|_| not_found())?;
    let private = caller.is_some_and(|c| c.key.read_private);
    let row = state.db.service(id, private).await?.ok_or_else(not_found)?;
    let attributes = if row.attribute_count > 0 { state.db.category_attributes(id).await? } else { Vec::new() };
    Ok((row, attributes))
}

/// `services/{service_code}.{fmt}`.
pub async fn definition(state: &AppState, meta: &RequestMeta, args: &Args, code: &str) -> Answer {
    let caller = reader(state, meta, args, &["api_key", "jurisdiction_id"]).await?;
    let answer = find(state, caller.as_ref(), code).await.map(|(row, attributes)| {
        let definition = Node::Record(vec![
            ("service_code", Node::Text(row.id.to_string())),
            ("attributes", Node::List("attribute", attributes.iter().map(attribute).collect())),
        ]);
        (definition, "service_definition")
    });
    audited(state, caller.as_ref(), &format!("services/{code}"), answer).await
}

fn attribute(def: &AttributeDef) -> Node {
    let values = def
        .values
        .iter()
        .map(|v| Node::Record(vec![("key", Node::Text(v.key.clone())), ("name", Node::Text(v.name.clone()))]))
        .collect();
    let values = Node::List("value", if def.datatype.is_list() { values } else { Vec::new() });
    Node::Record(vec![
        ("variable", Node::Bool(true)),
        ("code", Node::Text(def.code.clone())),
        ("datatype", Node::Text(def.datatype.code().into())),
        ("required", Node::Bool(def.required)),
        ("datatype_description", Node::Text(datatype_description(def.datatype).into())),
        ("order", Node::Integer(def.order)),
        ("description", Node::Text(def.description.clone())),
        ("values", values),
    ])
}

/// How a value of each datatype is written.
fn datatype_description(datatype: Datatype) -> &'static str {
    match datatype {
        Datatype::String => "一行文字，200 字以内 / one line, at most 200 characters",
        Datatype::Number => "数字 / a number, e.g. 12 or 3.5",
        Datatype::Datetime => "W3C 时间 / a W3C datetime, e.g. 2026-01-05T09:00:00+08:00",
        Datatype::Text => "文字，4000 字以内 / text, at most 4,000 characters",
        Datatype::SingleValueList => "选一个 key / one key of the values",
        Datatype::MultiValueList => "可选多个 key，用 attribute[CODE][] / any keys, as attribute[CODE][]",
    }
}
