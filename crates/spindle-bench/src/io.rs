//! Files that are complete or absent, and lines that are whole.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

/// Write a file completely or not at all (write beside it, then rename).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

/// Append one line with a single write, so an interrupted run leaves only
/// whole lines behind.
pub fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    let mut f = OpenOptions::new().create(true).append(true).open(path)?;
    let mut buf = line.to_string();
    buf.push('\n');
    f.write_all(buf.as_bytes())?;
    f.flush()
}
