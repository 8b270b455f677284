//! Bundles the page's third-party libraries into the binary so the page works offline.
//!
//! The versions are pinned by `web/package.json` and `web/package-lock.json`; `npm ci` installs
//! them into `OUT_DIR` (never into the source tree) and the files the page needs are copied to
//! `OUT_DIR/vendor`. Set `SITREP_WEB_MODULES` to a `node_modules` folder to skip npm.
//!
//! Without npm the build still succeeds: the page then lists incidents without a map, says so,
//! and the build prints a warning.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// (path under node_modules, name served under /assets/)
const VENDOR: &[(&str, &str)] = &[
    ("leaflet/dist/leaflet.js", "leaflet.js"),
    ("leaflet/dist/leaflet.css", "leaflet.css"),
    (
        "topojson-client/dist/topojson-client.min.js",
        "topojson-client.min.js",
    ),
    ("world-atlas/countries-50m.json", "countries-50m.json"),
    (
        "leaflet.markercluster/dist/leaflet.markercluster.js",
        "leaflet.markercluster.js",
    ),
    (
        "leaflet.markercluster/dist/MarkerCluster.css",
        "MarkerCluster.css",
    ),
];

fn main() {
    let web = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../web");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    for f in ["package.json", "package-lock.json"] {
        println!("cargo:rerun-if-changed={}", web.join(f).display());
    }
    println!("cargo:rerun-if-env-changed=SITREP_WEB_MODULES");
    let vendor = out.join("vendor");
    fs::create_dir_all(&vendor).unwrap();
    let bundled = match modules(&web, &out) {
        Ok(modules) => VENDOR.iter().all(|(from, to)| {
            let ok = fs::copy(modules.join(from), vendor.join(to)).is_ok();
            if !ok {
                println!(
                    "cargo:warning=web library {from} missing from {}",
                    modules.display()
                );
            }
            ok
        }),
        Err(e) => {
            println!("cargo:warning=the map libraries were not bundled ({e}); the page will list incidents without a map");
            false
        }
    };
    if !bundled {
        for (_, to) in VENDOR {
            fs::write(vendor.join(to), b"").unwrap();
        }
    }
    fs::write(
        out.join("map_bundled.rs"),
        format!("pub const MAP_BUNDLED: bool = {bundled};\n"),
    )
    .unwrap();
}

/// A node_modules folder holding the pinned packages.
fn modules(web: &Path, out: &Path) -> Result<PathBuf, String> {
    if let Ok(dir) = env::var("SITREP_WEB_MODULES") {
        return Ok(PathBuf::from(dir));
    }
    let npm_dir = out.join("npm");
    fs::create_dir_all(&npm_dir).map_err(|e| e.to_string())?;
    for f in ["package.json", "package-lock.json"] {
        fs::copy(web.join(f), npm_dir.join(f)).map_err(|e| format!("copying {f}: {e}"))?;
    }
    let status = Command::new("npm")
        .args([
            "ci",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--loglevel=error",
        ])
        .current_dir(&npm_dir)
        .status()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !status.success() {
        return Err(format!("npm ci failed ({status})"));
    }
    Ok(npm_dir.join("node_modules"))
}
