//! `sitrep bench --serve`: a bounded load test of the HTTP API on loopback.
//!
//! The server runs in this process on an ephemeral port; `connections` client threads each keep
//! one HTTP/1.1 connection alive and send `requests` requests drawn from a fixed mix (incident
//! pages with and without filters, incident details, reports, statistics). Any transport error
//! or non-200 answer counts as an error, and errors make the command fail.

use anyhow::{Context, Result};
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// What one load run measured.
#[derive(Debug)]
pub struct LoadReport {
    pub connections: usize,
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub first_error: Option<String>,
}

/// The paths each connection cycles through, built from what the store holds.
fn mix(base: &str, incidents: &[i64], reports: &[i64], countries: &[String]) -> Vec<String> {
    let mut paths = vec![
        format!("{base}/api/incidents?limit=50"),
        format!("{base}/api/stats"),
        format!("{base}/api/incidents?min_killed=1&limit=20&offset=5"),
        format!("{base}/api/incidents?bbox=-20,-40,60,40&limit=100"),
        format!("{base}/api/incidents?text=killed&limit=20"),
    ];
    paths.extend(
        countries
            .iter()
            .take(5)
            .map(|c| format!("{base}/api/incidents?country={c}")),
    );
    paths.extend(
        incidents
            .iter()
            .take(20)
            .map(|i| format!("{base}/api/incidents/{i}")),
    );
    paths.extend(
        reports
            .iter()
            .take(5)
            .map(|r| format!("{base}/api/reports/{r}")),
    );
    paths
}

/// Serve `db` on loopback and load it.
pub fn run(db: &Path, connections: usize, requests: usize) -> Result<LoadReport> {
    let app = sitrep_server::router(sitrep_server::Config {
        db: db.to_path_buf(),
        writer: None,
        readers: 8,
        actor_names: Some(crate::actors::actor_names),
    })?;
    let rt = crate::serve_cmd::runtime()?;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .context("binding a loopback port")?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = rt.spawn(sitrep_server::serve(listener, app, async {
        let _ = stopped.await;
    }));

    let probe = agent();
    let get = |path: &str| -> Result<serde_json::Value> {
        let mut r = probe.get(&format!("{base}{path}")).call()?;
        Ok(serde_json::from_str(&r.body_mut().read_to_string()?)?)
    };
    let ids = |v: &serde_json::Value, key: &str| -> Vec<i64> {
        v["incidents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i[key].as_i64())
            .collect()
    };
    let page = get("/api/incidents?limit=100")?;
    let incidents = ids(&page, "id");
    let stats = get("/api/stats")?;
    let countries: Vec<String> = stats["by_country"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["key"].as_str().map(str::to_string))
        .collect();
    let mut reports = Vec::new();
    for id in incidents.iter().take(5) {
        let d = get(&format!("/api/incidents/{id}"))?;
        if let Some(r) = d["reports"][0]["report"].as_i64() {
            reports.push(r);
        }
    }
    let paths = Arc::new(mix(&base, &incidents, &reports, &countries));

    let barrier = Arc::new(Barrier::new(connections + 1));
    let threads: Vec<_> = (0..connections)
        .map(|c| {
            let paths = paths.clone();
            let barrier = barrier.clone();
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let agent = agent();
                    let mut times = Vec::with_capacity(requests);
                    let mut errors = Vec::new();
                    barrier.wait();
                    for k in 0..requests {
                        let path = &paths[(c * 7 + k) % paths.len()];
                        let t = Instant::now();
                        let outcome =
                            agent
                                .get(path)
                                .call()
                                .map_err(|e| e.to_string())
                                .and_then(|mut r| {
                                    let status = r.status();
                                    let body =
                                        r.body_mut().read_to_string().map_err(|e| e.to_string())?;
                                    if status == 200 {
                                        Ok(())
                                    } else {
                                        Err(format!("{path}: HTTP {status}: {body}"))
                                    }
                                });
                        times.push(t.elapsed());
                        if let Err(e) = outcome {
                            errors.push(e);
                        }
                    }
                    (times, errors)
                })
        })
        .collect::<std::io::Result<_>>()
        .context("starting client threads")?;
    barrier.wait();
    let t = Instant::now();
    let mut times = Vec::with_capacity(connections * requests);
    let mut errors = Vec::new();
    for th in threads {
        let (ts, es) = th
            .join()
            .map_err(|_| anyhow::anyhow!("a client thread panicked"))?;
        times.extend(ts);
        errors.extend(es);
    }
    let seconds = t.elapsed().as_secs_f64();
    let _ = stop.send(());
    rt.block_on(server).context("stopping the server")??;
    times.sort();
    let at = |q: f64| {
        times
            .get(((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(LoadReport {
        connections,
        requests: times.len(),
        errors: errors.len(),
        seconds,
        p50: at(0.50),
        p99: at(0.99),
        first_error: errors.into_iter().next(),
    })
}

/// A keep-alive HTTP client that returns error statuses as responses.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .max_idle_connections_per_host(1)
        .build()
        .into()
}
