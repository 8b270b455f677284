//! http(s) fetching with a timeout and a size cap.

use crate::IngestError;
use std::time::Duration;

/// Fetches pages and feeds over http(s).
#[derive(Clone)]
pub struct Fetcher {
    agent: ureq::Agent,
}

impl Fetcher {
    /// A fetcher with a per-request timeout.
    pub fn new(timeout: Duration) -> Fetcher {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .user_agent("sitrep/0.1 (+news event extraction)")
            .build();
        Fetcher {
            agent: config.into(),
        }
    }

    /// GET `url`: its body (at most `max_bytes`) and content type.
    pub fn get(&self, url: &str, max_bytes: u64) -> Result<(Vec<u8>, Option<String>), IngestError> {
        let err = |detail: String| IngestError::Fetch {
            origin: url.to_string(),
            detail,
        };
        let mut resp = self.agent.get(url).call().map_err(|e| err(e.to_string()))?;
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = resp
            .body_mut()
            .with_config()
            .limit(max_bytes)
            .read_to_vec()
            .map_err(|e| err(e.to_string()))?;
        Ok((body, ctype))
    }
}
