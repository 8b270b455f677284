//! The JSON API: routes, parameters, responses and errors.

use crate::excerpt::{self, Excerpt};
use crate::{State, MAX_BODY};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Query};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sitrep_model::Quote;
use sitrep_store::{
    Filters, Incident, IncidentDetail, IncidentId, IncidentSource, PutOutcome, SqliteStore, Stats,
    Store, StoredReport, StoredReportId, MAX_LIMIT,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Page size when the caller gives none.
pub const DEFAULT_LIMIT: u32 = 100;

/// The most text one `GET /api/reports/{id}?text=1` returns (bytes).
pub const MAX_TEXT_CHUNK: u32 = 1 << 20;

/// An error as the API returns it: `{"error": {"status": 400, "message": "..."}}`; an internal
/// error adds `request_id`, under which the log holds what went wrong.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    request_id: Option<String>,
}

/// A fresh id for a failed request: the process's start time and a counter, in hex.
fn request_id() -> String {
    static STARTED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let started = STARTED.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64)
    });
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{:x}-{n:x}", started & 0xffff_ffff_ffff)
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            request_id: None,
        }
    }
    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, what)
    }
    /// A 500: `detail` (SQL, paths, panic messages) goes to the log under a request id, and
    /// the client gets the id alone.
    fn internal(detail: impl std::fmt::Display) -> Self {
        let id = request_id();
        tracing::error!(request_id = %id, "internal error: {detail}");
        ApiError {
            request_id: Some(id),
            ..Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

impl From<sitrep_store::StoreError> for ApiError {
    fn from(e: sitrep_store::StoreError) -> Self {
        ApiError::internal(e)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError::bad_request(e.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> Self {
        ApiError::bad_request(e.body_text())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        ApiError::new(e.status(), e.body_text())
    }
}

impl From<sitrep_store::InvalidFilter> for ApiError {
    fn from(e: sitrep_store::InvalidFilter) -> Self {
        ApiError::bad_request(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error =
            serde_json::json!({ "status": self.status.as_u16(), "message": self.message });
        if let Some(id) = self.request_id {
            error["request_id"] = id.into();
        }
        let body = serde_json::json!({ "error": error });
        let mut r = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                "Bearer".parse().expect("static header"),
            );
        }
        r
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

pub(crate) fn routes(state: Arc<State>) -> Router {
    Router::new()
        .route("/api/incidents", get(incidents))
        .route("/api/incidents/{id}", get(incident))
        .route("/api/reports", post(submit))
        .route("/api/reports/{id}", get(report))
        .route("/api/stats", get(stats))
        .route("/api/labels", get(crate::labels::get))
        .route("/api/health", get(health))
        .route("/api/openapi.json", get(openapi))
        .fallback(|| async { ApiError::not_found("no such endpoint; see /api/openapi.json") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed; see /api/openapi.json",
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Run `f` with a pooled read connection on a blocking thread, at most `readers` at once, inside
/// one read transaction so every figure of a response comes from the same snapshot.
///
/// The permit travels with the blocking work: a client that disconnects does not free it while
/// its query still runs.
async fn read<T, F>(state: &Arc<State>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&SqliteStore) -> Result<T, ApiError> + Send + 'static,
{
    let permit = state
        .permits
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| ApiError::internal("the server is shutting down"))?;
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let pooled = state.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let store = match pooled {
            Some(s) => s,
            None => SqliteStore::open_read_only(&state.db)?,
        };
        let out = store
            .snapshot(|s| f(s))
            .map_err(ApiError::from)
            .and_then(|r| r);
        let mut pool = state.pool.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < state.readers {
            pool.push(store);
        }
        out
    })
    .await
    .map_err(|e| ApiError::internal(format!("a request failed: {e}")))?
}

/// One page of incidents.
#[derive(Serialize)]
struct Page {
    /// How many incidents match, over all pages.
    total: u64,
    offset: u32,
    limit: u32,
    incidents: Vec<Incident>,
}

async fn incidents(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    filters: Result<Query<Filters>, QueryRejection>,
) -> ApiResult<Page> {
    let f = filters?.0;
    if f.limit.is_some_and(|l| l == 0 || l > MAX_LIMIT) {
        return Err(ApiError::bad_request(format!(
            "limit: must be between 1 and {MAX_LIMIT}"
        )));
    }
    let mut q = f.check()?;
    resolve_actor(&state, &mut q);
    let limit = *q.limit.get_or_insert(DEFAULT_LIMIT);
    let offset = q.offset.unwrap_or(0);
    let page = read(&state, move |s| {
        Ok(Page {
            total: s.count_incidents(&q)?,
            offset,
            limit,
            incidents: s.incidents(&q)?,
        })
    })
    .await?;
    Ok(Json(page))
}

async fn stats(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    filters: Result<Query<Filters>, QueryRejection>,
) -> ApiResult<Stats> {
    let f = filters?.0;
    if f.limit.is_some() || f.offset.is_some() {
        return Err(ApiError::bad_request(
            "statistics cover every match: no limit or offset",
        ));
    }
    let mut q = f.check()?;
    resolve_actor(&state, &mut q);
    Ok(Json(read(&state, move |s| Ok(s.stats(&q)?)).await?))
}

/// Add the names an actor filter stands for ("RSF": "Rapid Support Forces").
fn resolve_actor(state: &State, q: &mut sitrep_store::Query) {
    if let (Some(names), Some(actor)) = (state.actor_names, &q.actor) {
        q.actor_names = names(actor);
    }
}

/// One report's account of an incident, with the sentences behind it marked.
#[derive(Serialize)]
struct SourceView {
    #[serde(flatten)]
    source: IncidentSource,
    /// The sentences the event and its figures were read from, cut into marked segments.
    excerpts: Vec<Excerpt>,
    /// Quotes in the paragraphs the event was read from, or by the people its figures cite.
    quotes: Vec<Quote>,
}

#[derive(Serialize)]
struct IncidentView {
    #[serde(flatten)]
    incident: Incident,
    reports: Vec<SourceView>,
}

async fn incident(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<IncidentView> {
    let id = IncidentId(id?.0);
    let view = read(&state, move |s| {
        let Some(IncidentDetail { incident, reports }) = s.incident(id)? else {
            return Err(ApiError::not_found(format!("no incident {}", id.0)));
        };
        let mut texts: HashMap<StoredReportId, Option<StoredReport>> = HashMap::new();
        let mut views = Vec::with_capacity(reports.len());
        for source in reports {
            let report = match texts.get(&source.report) {
                Some(r) => r,
                None => {
                    let r = s.report(source.report)?;
                    texts.entry(source.report).or_insert(r)
                }
            };
            let (excerpts, quotes) = match report {
                Some(r) => excerpt::for_event(&r.text, &source.extracted, &r.extraction),
                None => (Vec::new(), Vec::new()),
            };
            views.push(SourceView {
                source,
                excerpts,
                quotes,
            });
        }
        Ok(IncidentView {
            incident,
            reports: views,
        })
    })
    .await?;
    Ok(Json(view))
}

/// What `GET /api/reports/{id}` accepts.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportParams {
    /// `1` or `true`: a piece of the text instead of the metadata and extraction.
    text: Option<String>,
    /// Where the piece starts, in bytes (a `next_offset` from the previous piece).
    offset: Option<u64>,
    /// At most this many bytes (default and maximum `MAX_TEXT_CHUNK`).
    limit: Option<u32>,
}

/// A report's metadata and extraction, with `text_bytes` for the text's length; or, with
/// `?text=1`, a piece of the text of at most `MAX_TEXT_CHUNK` bytes: a response never carries a
/// whole large report.
async fn report(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    id: Result<Path<i64>, PathRejection>,
    params: Result<Query<ReportParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let id = StoredReportId(id?.0);
    let p = params?.0;
    let missing = move || ApiError::not_found(format!("no report {}", id.0));
    let text = match p.text.as_deref() {
        None | Some("0" | "false") => false,
        Some("1" | "true") => true,
        Some(_) => return Err(ApiError::bad_request("text: must be 1 or 0")),
    };
    if !text {
        if p.offset.is_some() || p.limit.is_some() {
            return Err(ApiError::bad_request(
                "offset and limit page the text: add text=1",
            ));
        }
        let info = read(&state, move |s| s.report_info(id)?.ok_or_else(missing)).await?;
        return Ok(Json(info).into_response());
    }
    let limit = p.limit.unwrap_or(MAX_TEXT_CHUNK);
    if limit == 0 || limit > MAX_TEXT_CHUNK {
        return Err(ApiError::bad_request(format!(
            "limit: must be between 1 and {MAX_TEXT_CHUNK} bytes"
        )));
    }
    let offset = p.offset.unwrap_or(0);
    let chunk = read(&state, move |s| {
        s.report_text(id, offset, limit)?.ok_or_else(missing)
    })
    .await?;
    Ok(Json(chunk).into_response())
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    writable: bool,
    #[serde(flatten)]
    counts: sitrep_store::Counts,
}

async fn health(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
) -> ApiResult<Health> {
    let writable = state.writer.is_some();
    let counts = read(&state, |s| Ok(s.counts()?)).await?;
    Ok(Json(Health {
        status: "ok",
        writable,
        counts,
    }))
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("../openapi.json"),
    )
        .into_response()
}

/// A report submitted through `POST /api/reports`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The report: plain text, or an HTML page when `html` is true.
    pub text: String,
    #[serde(default)]
    pub html: bool,
    pub id: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    /// Publication date (YYYY-MM-DD or RFC 3339): relative dates are resolved against it.
    pub published: Option<String>,
}

#[derive(Serialize)]
struct Submitted {
    #[serde(flatten)]
    outcome: PutOutcome,
    warnings: Vec<sitrep_model::Warning>,
}

/// Constant-time comparison (`subtle`), so the token cannot be guessed byte by byte from
/// response times. Only the length shows, as in any comparison.
fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// The token a request carries: `Authorization: Bearer <token>`, the scheme in any case.
fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token.trim())
}

/// Writes are checked before the body is read: without the right token, nothing is parsed.
async fn submit(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    request: axum::extract::Request,
) -> Result<(StatusCode, Json<Submitted>), ApiError> {
    let Some((writer, _)) = &state.writer else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this server is read-only; start it with --allow-write to accept reports",
        ));
    };
    if !same(
        bearer(request.headers()).as_bytes(),
        writer.token.as_bytes(),
    ) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "a valid 'Authorization: Bearer TOKEN' header is required to submit reports",
        ));
    }
    // A client that sends its body slowly, or not at all, is not waited for.
    let wait = request
        .extensions()
        .get::<crate::conn::BodyTimeout>()
        .map_or(crate::Limits::default().body_timeout, |t| t.0);
    let Json(submission) =
        tokio::time::timeout(wait, Json::<Submission>::from_request(request, &()))
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    format!(
                        "the request body did not arrive within {} s",
                        wait.as_secs_f32()
                    ),
                )
            })?
            .map_err(ApiError::from)?;
    let state = state.clone();
    let (status, out) = tokio::task::spawn_blocking(move || {
        let Some((writer, store)) = &state.writer else {
            unreachable!("checked above");
        };
        let (text, x) = (writer.pipeline)(submission)
            .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e))?;
        let warnings = x.warnings.clone();
        let outcome = store
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(&text, &x)?;
        let status = match outcome {
            PutOutcome::Duplicate { .. } => StatusCode::OK,
            _ => StatusCode::CREATED,
        };
        Ok::<_, ApiError>((status, Submitted { outcome, warnings }))
    })
    .await
    .map_err(|e| ApiError::internal(format!("a submission failed: {e}")))??;
    Ok((status, Json(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "bearer abc".parse().unwrap());
        assert_eq!(bearer(&h), "abc");
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h), "");
    }

    #[test]
    fn an_internal_error_tells_the_client_its_request_id_and_nothing_else() {
        let e = ApiError::from(sitrep_store::StoreError::Corrupt(
            "no such table: report_bodies in SELECT text FROM report_bodies".into(),
        ));
        let r = e.into_response();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(axum::body::to_bytes(r.into_body(), 1 << 16))
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["message"], "internal error", "{v}");
        assert_eq!(v["error"]["status"], 500);
        assert!(v["error"]["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()));
        let text = String::from_utf8_lossy(&body);
        assert!(
            !text.contains("report_bodies") && !text.contains("SELECT"),
            "{text}"
        );
    }

    #[test]
    fn request_ids_differ() {
        assert_ne!(request_id(), request_id());
    }

    #[test]
    fn token_comparison_needs_every_byte() {
        assert!(same(b"secret", b"secret"));
        assert!(!same(b"secret", b"secreT"));
        assert!(!same(b"secret", b"secret2"));
        assert!(!same(b"", b"x"));
    }
}
