//! Records the git commit and the compiler version for the result files.

use std::process::Command;

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let commit =
        output("git", &["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = output("git", &["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|s| !s.is_empty());
    let commit = if dirty {
        format!("{commit}-dirty")
    } else {
        commit
    };
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc_version = output(&rustc, &["--version"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=SPINDLE_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=SPINDLE_RUSTC_VERSION={rustc_version}");
    // Where git keeps HEAD and the index, and the refs: `.git/` in a
    // clone; in a worktree (where `.git` is a file) the worktree's own
    // directory and the main repository's.
    let git_dir = output("git", &["rev-parse", "--git-dir"]).unwrap_or_else(|| ".git".into());
    let common = output("git", &["rev-parse", "--git-common-dir"]).unwrap_or(git_dir.clone());
    let watched = [
        format!("{git_dir}/HEAD"),
        format!("{git_dir}/index"),
        format!("{common}/refs"),
        format!("{common}/packed-refs"),
    ];
    for path in watched {
        if std::path::Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
