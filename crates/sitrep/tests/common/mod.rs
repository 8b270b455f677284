//! Helpers the integration tests share: the binary, the repo root, temporary folders, and child
//! processes that are killed when a test ends, however it ends.
#![allow(dead_code)] // each test file uses its own part

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The `sitrep` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sitrep"))
}

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An empty temporary folder for one test, removed with whatever the test left in it when
/// dropped (however the test ends): a test run leaves nothing in the temporary directory.
pub struct Tmp(PathBuf);

impl std::ops::Deref for Tmp {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Tmp {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for Tmp {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new empty temporary folder, removed when the returned guard is dropped.
pub fn tmp(name: &str) -> Tmp {
    let d = std::env::temp_dir().join(format!("sitrep-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    Tmp(d)
}

/// Say a test did not run, where the summary shows it: cargo hides a passing test's output, so
/// besides stderr the reason goes to a line of `target/skipped-tests.txt`, which `.ci/run`
/// prints at its end.
pub fn skipped(test: &str, why: &str) {
    eprintln!("SKIPPED {test}: {why}");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root().join("target"), |t| root().join(t));
    let _ = std::fs::create_dir_all(&target);
    record_skip(&target.join("skipped-tests.txt"), test, why);
}

/// Append `test: why` to the list of skipped tests at `list`.
pub fn record_skip(list: &Path, test: &str, why: &str) {
    use std::io::Write;
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(list)
    {
        let _ = writeln!(f, "{test}: {why}");
    }
}

/// A child process killed when dropped, so a failing assertion never leaves a server running.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `sitrep serve` or `sitrep demo` and wait for its "serving … at URL" line: the running
/// process and the URL it printed (with its trailing slash).
pub fn serving(cmd: &mut Command) -> (Killed, String) {
    let mut child = Killed(
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the server"),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read the serving line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    (child, url)
}
