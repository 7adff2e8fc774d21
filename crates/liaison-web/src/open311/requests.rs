//! Service requests: a POST submits an item as the key's account (an enterprise for itself, a public
//! channel for the enterprise named by `account_id`), with the service's attributes and the reporter's
//! details kept as the item's attributes; reads show items as requests — public services only unless
//! the key reads private ones — without personal data (numbers in the text are masked).

use super::args::Args;
use super::keys::caller;
use super::services::{audited, find, reader};
use super::{Answer, Node, Open311Error};
use crate::AppState;
use crate::actions::items::{Extras, item_scope, submit_item_with};
use crate::middleware::RequestMeta;
use liaison_core::item::Status;
use liaison_core::item::input::ItemInput;
use liaison_core::open311::{self, MAX_REQUESTS, request};
use liaison_core::validate::credit_code::CreditCode;
use liaison_store::open311::{Readers, RequestQuery, RequestRow};

/// The arguments a POST may carry besides `attribute[…]`.
const POST_ARGS: [&str; 15] = [
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
];

/// The arguments of a request list.
const LIST_ARGS: [&str; 7] =
    ["api_key", "jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date", "status"];

/// `POST requests.{fmt}`.
pub async fn create(state: &AppState, meta: &RequestMeta, args: &Args) -> Answer {
    let caller = caller(state, meta, args.one("api_key").map_err(Open311Error::bad)?)
        .await?
        .ok_or_else(|| Open311Error::new(403, "api_key is required to create a request"))?;
    let answer = submit(state, &caller, args).await;
    if let Err(error) = &answer {
        caller.record(state, false, &format!("POST requests: {}", error.description)).await;
    }
    answer
}

/// One optional argument of a POST.
fn arg<'a>(args: &'a Args, name: &str) -> Result<Option<&'a str>, Open311Error> {
    args.one(name).map_err(Open311Error::bad)
}

async fn submit(state: &AppState, caller: &super::keys::Caller, args: &Args) -> Answer {
    // A key of an account that submits nothing (the read-only leader, a department) is refused before
    // its arguments are read.
    if !liaison_core::item::intake::may_submit(&caller.authed.viewer()) {
        return Err(Open311Error::new(403, "the account this api_key acts as does not submit requests"));
    }
    args.only(&POST_ARGS).map_err(Open311Error::bad)?;
    let code = arg(args, "service_code")?.ok_or_else(|| Open311Error::bad("service_code is required"))?;
    let (service, definitions) = find(state, Some(caller), code).await?;
    let mut attributes = open311::check_attributes(&definitions, &args.attributes().map_err(Open311Error::bad)?)
        .map_err(Open311Error::bad)?;
    let description = request::check_description(arg(args, "description")?).map_err(Open311Error::bad)?;
    let latitude = request::coordinate("lat", arg(args, "lat")?).map_err(Open311Error::bad)?;
    let longitude = request::coordinate("long", arg(args, "long")?).map_err(Open311Error::bad)?;
    let (address, address_id) = (arg(args, "address_string")?, arg(args, "address_id")?);
    request::check_location(latitude, longitude, address, address_id).map_err(Open311Error::bad)?;
    let enterprise_id = enterprise_of(state, caller, args).await?;
    if let Some(address_id) = address_id {
        let own = enterprise_id.or(caller.authed.user.row.enterprise_id);
        request::check_address_id(address_id, own).map_err(Open311Error::bad)?;
    }
    let mut given = Vec::new();
    for name in request::REPORTER_FIELDS {
        given.extend(arg(args, name)?.map(|value| (name, value)));
    }
    attributes.extend(request::reporter(&given).map_err(Open311Error::bad)?);
    let input = ItemInput {
        kind: service.kind.clone(),
        category_id: service.id,
        priority: String::new(),
        channel: liaison_core::item::Channel::Open311.code().into(),
        title: open311::title_from(description),
        description: description.to_owned(),
        address: address.unwrap_or_default().to_owned(),
        longitude,
        latitude,
    };
    let extras = Extras { attributes, api_key: Some(caller.key.id) };
    let item = submit_item_with(state, &caller.authed, &input, enterprise_id, None, extras).await?;
    let created = Node::Record(vec![
        ("service_request_id", Node::Text(item.number)),
        ("service_notice", Node::Text(notice(&item.resolve_due_at))),
        ("account_id", Node::text_or_null(arg(args, "account_id")?)),
    ]);
    Ok((Node::List("request", vec![created]), "service_requests"))
}

fn notice(due: &chrono::DateTime<chrono::Utc>) -> String {
    format!("已受理登记，预计办结时间 {} / expected to be resolved by then", open311::format_datetime(*due))
}

/// The enterprise a request is for: a staff-bound key (a public channel) names it by its credit code in
/// `account_id`; an enterprise's key submits for itself (an `account_id`, if given, must be its own).
async fn enterprise_of(
    state: &AppState,
    caller: &super::keys::Caller,
    args: &Args,
) -> Result<Option<i64>, Open311Error> {
    let own = caller.authed.user.row.enterprise_id;
    let Some(account) = arg(args, "account_id")? else {
        return match own {
            Some(_) => Ok(None),
            None => Err(Open311Error::bad("account_id is required: the credit code of the enterprise")),
        };
    };
    let unknown = || Open311Error::bad("account_id must be the unified social credit code of an enterprise you serve");
    let code = CreditCode::parse(account).map_err(|_| unknown())?;
    let enterprise = state.db.enterprise_by_code(code.as_str()).await?.ok_or_else(unknown)?;
    match own {
        Some(own) if own != enterprise.id => Err(unknown()),
        Some(_) => Ok(None),
        None => Ok(Some(enterprise.id)),
    }
}

/// `GET requests.{fmt}`.
pub async fn list(state: &AppState, meta: &RequestMeta, args: &Args) -> Answer {
    let caller = reader(state, meta, args, &LIST_ARGS).await?;
    let answer = async {
        let readers = readers(caller.as_ref());
        let numbers = args.list("service_request_id");
        let mut query = RequestQuery { limit: MAX_REQUESTS, ..RequestQuery::default() };
        if numbers.is_empty() {
            let date = |name| -> Result<_, Open311Error> {
                arg(args, name)?
                    .map(|text| {
                        open311::parse_datetime(text).ok_or_else(|| {
                            Open311Error::bad(format!("{name} must be a W3C datetime such as 2026-01-01T00:00:00Z"))
                        })
                    })
                    .transpose()
            };
            let (from, to) = open311::window(date("start_date")?, date("end_date")?, state.clock.now())
                .map_err(Open311Error::bad)?;
            (query.from, query.to) = (Some(from), Some(to));
            for code in args.list("service_code") {
                query.category_ids.push(find(state, caller.as_ref(), &code).await?.0.id);
            }
            let statuses = open311::statuses(&args.list("status").join(",")).map_err(Open311Error::bad)?;
            query.statuses = statuses.into_iter().map(|s| s.code().to_owned()).collect();
        } else {
            query.numbers = numbers;
        }
        let rows = state.db.service_requests(&readers, &query).await?;
        Ok((Node::List("request", rows.iter().map(request).collect()), "service_requests"))
    }
    .await;
    audited(state, caller.as_ref(), "requests", answer).await
}

/// `GET requests/{service_request_id}.{fmt}`.
pub async fn one(state: &AppState, meta: &RequestMeta, args: &Args, number: &str) -> Answer {
    let caller = reader(state, meta, args, &["api_key", "jurisdiction_id"]).await?;
    let query = RequestQuery { numbers: vec![number.to_owned()], limit: 1, ..RequestQuery::default() };
    let answer = match state.db.service_requests(&readers(caller.as_ref()), &query).await {
        Ok(rows) if rows.is_empty() => Err(Open311Error::new(404, &format!("service_request_id {number} not found"))),
        Ok(rows) => Ok((Node::List("request", rows.iter().map(request).collect()), "service_requests")),
        Err(error) => Err(error.into()),
    };
    audited(state, caller.as_ref(), &format!("requests/{number}"), answer).await
}

/// Whose requests the caller reads.
fn readers(caller: Option<&super::keys::Caller>) -> Readers {
    match caller {
        Some(caller) if caller.key.read_private => Readers::Account(item_scope(&caller.authed.viewer())),
        _ => Readers::Public,
    }
}

/// An item as a service request.
fn request(row: &RequestRow) -> Node {
    let status = Status::parse(&row.status);
    let notes = status.map_or(row.status.clone(), |s| format!("{} {}", s.label(), s.code()));
    Node::Record(vec![
        ("service_request_id", Node::Text(row.number.clone())),
        ("status", Node::Text(status.map_or("open", open311::public_status).into())),
        ("status_notes", Node::Text(notes)),
        ("service_name", Node::Text(row.category_name.clone())),
        ("service_code", Node::Text(row.category_id.to_string())),
        ("description", Node::Text(liaison_core::mask::in_text(&row.description))),
        ("agency_responsible", Node::text_or_null(row.agency.clone())),
        ("service_notice", Node::Null),
        ("requested_datetime", Node::Text(open311::format_datetime(row.submitted_at))),
        ("updated_datetime", Node::Text(open311::format_datetime(row.updated_at()))),
        ("expected_datetime", Node::Text(open311::format_datetime(row.resolve_due_at))),
        ("address", Node::Text(row.address.clone())),
        ("address_id", Node::Null),
        ("zipcode", Node::Null),
        ("lat", row.latitude.map_or(Node::Null, Node::Number)),
        ("long", row.longitude.map_or(Node::Null, Node::Number)),
        ("media_url", Node::Null),
    ])
}
