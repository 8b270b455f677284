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

/// An error as the API returns it: `{"error": {"status": 400, "message": "..."}}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, what)
    }
    fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        tracing::error!("{message}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl From<sitrep_store::StoreError> for ApiError {
    fn from(e: sitrep_store::StoreError) -> Self {
        ApiError::internal(e.to_string())
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
        let body = serde_json::json!({
            "error": { "status": self.status.as_u16(), "message": self.message }
        });
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
            None => SqliteStore::open(&state.db)?,
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
    let q = f.check()?;
    Ok(Json(read(&state, move |s| Ok(s.stats(&q)?)).await?))
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

async fn report(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<StoredReport> {
    let id = StoredReportId(id?.0);
    let r = read(&state, move |s| {
        s.report(id)?
            .ok_or_else(|| ApiError::not_found(format!("no report {}", id.0)))
    })
    .await?;
    Ok(Json(r))
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

/// Constant-time comparison, so the token cannot be guessed byte by byte from response times.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
    let Json(submission) = Json::<Submission>::from_request(request, &())
        .await
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
    fn token_comparison_needs_every_byte() {
        assert!(same(b"secret", b"secret"));
        assert!(!same(b"secret", b"secreT"));
        assert!(!same(b"secret", b"secret2"));
        assert!(!same(b"", b"x"));
    }
}
