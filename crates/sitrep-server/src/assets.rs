//! The page and its assets, embedded in the binary: the page's own files from `web/page`, the
//! third-party libraries bundled by `build.rs` from the npm registry.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

include!(concat!(env!("OUT_DIR"), "/map_bundled.rs"));

/// (name, content type, bytes)
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../web/page/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../web/page/app.css"),
    ),
    (
        "leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!(concat!(env!("OUT_DIR"), "/vendor/leaflet.js")),
    ),
    (
        "leaflet.css",
        "text/css; charset=utf-8",
        include_bytes!(concat!(env!("OUT_DIR"), "/vendor/leaflet.css")),
    ),
    (
        "topojson-client.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!(concat!(env!("OUT_DIR"), "/vendor/topojson-client.min.js")),
    ),
    (
        "countries-50m.json",
        "application/json",
        include_bytes!(concat!(env!("OUT_DIR"), "/vendor/countries-50m.json")),
    ),
    (
        "leaflet.markercluster.js",
        "text/javascript; charset=utf-8",
        include_bytes!(concat!(env!("OUT_DIR"), "/vendor/leaflet.markercluster.js")),
    ),
    (
        "MarkerCluster.css",
        "text/css; charset=utf-8",
        include_bytes!(concat!(env!("OUT_DIR"), "/vendor/MarkerCluster.css")),
    ),
];

const INDEX: &str = include_str!("../../../web/page/index.html");

/// No inline script, no third-party script: article text that slipped into markup could not run.
/// Map tiles from OpenStreetMap are the one outside resource, and only when the user turns them on.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                   img-src 'self' data: https://tile.openstreetmap.org; connect-src 'self'; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

pub(crate) fn routes() -> Router {
    Router::new()
        .route("/", get(index))
        .route("/assets/{name}", get(asset))
}

/// Security headers on every response, the API's included.
pub(crate) async fn secured(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

async fn index() -> Response {
    let page = INDEX.replace(
        "data-map-bundled=\"\"",
        if MAP_BUNDLED {
            "data-map-bundled=\"true\""
        } else {
            "data-map-bundled=\"false\""
        },
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, bytes)) => (
            [
                (header::CONTENT_TYPE, *kind),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *bytes,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "no such asset",
        )
            .into_response(),
    }
}
