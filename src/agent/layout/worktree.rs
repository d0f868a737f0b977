//! A git worktree per managed pane (`new-agent-layout -w`): the names, the
//! rules names and paths must follow, and the record a pane keeps. Git
//! itself is run by the server; this only decides names and checks input.
//!
//! Naming, for a layout whose session is `NAME`, a pane labelled `LABEL`
//! and a repository whose top directory is `/src/repo`:
//!
//! - branch `agent/NAME/LABEL`;
//! - worktree `/src/repo.agent-worktrees/NAME/LABEL`: beside the
//!   repository, not in it (so the main checkout's `git status`, builds and
//!   file watchers never see the agents' copies) and not under `.git` (where
//!   agent CLIs and editors treat files as git's own).
//!
//! Session names are unique in a server, so two live layouts of one server
//! never share a name; a name already taken in the repository (a kept
//! worktree of an older layout, another server's) makes git refuse to
//! create it, which fails that pane with git's message: a worktree is never
//! shared by accident.

use super::super::error::{AgentError, Invalid};

/// The first component of every branch made.
pub const BRANCH_PREFIX: &str = "agent";

/// What is appended to the repository's directory name for the directory
/// that holds its agents' worktrees.
pub const WORKTREES_SUFFIX: &str = ".agent-worktrees";

/// Most characters in a name component (the layout's session name, a label).
pub const MAX_WORKTREE_NAME_LEN: usize = 64;

/// Most bytes in a `-b` base.
pub const MAX_BASE_LEN: usize = 256;

/// Most bytes in a worktree path.
pub const MAX_WORKTREE_PATH_LEN: usize = 1024;

/// A managed pane's worktree, as plain data (shared along a recreate chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worktree {
    /// The top directory of the repository it was made from (`git -C`).
    pub repo: String,
    /// Its directory.
    pub path: String,
    /// Its branch (without `refs/heads/`).
    pub branch: String,
    /// The base as given (`-b`, default `HEAD`), for the merged check.
    pub base_ref: String,
    /// The commit it was made from.
    pub base: String,
    /// It was removed (by agent-pane-remove or kill-agent-layout).
    pub removed: bool,
}

fn bad(what: &'static str, value: &str, why: &'static str) -> AgentError {
    Invalid::Worktree {
        what,
        value: value.to_owned(),
        why,
    }
    .into()
}

/// Checks one component of a worktree's branch and path (a session name, a
/// label): `[A-Za-z0-9_.-]{1,64}`, not starting with `.` or `-`, without
/// `..`, not ending with `.` or `.lock` (git check-ref-format's rules for a
/// component, narrowed to what is also a safe directory name).
pub fn name(value: &str) -> Result<(), AgentError> {
    let why = if value.is_empty() || value.len() > MAX_WORKTREE_NAME_LEN {
        Some("1 to 64 characters")
    } else if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
    {
        Some("allowed: A-Z a-z 0-9 _ . -")
    } else if value.starts_with(['.', '-']) {
        Some("must not start with . or -")
    } else if value.contains("..") {
        Some("must not contain ..")
    } else if value.ends_with('.') || value.ends_with(".lock") {
        Some("must not end with . or .lock")
    } else {
        None
    };
    match why {
        Some(why) => Err(bad("name", value, why)),
        None => Ok(()),
    }
}

/// Checks a `-b` base (any commit-ish git can resolve, e.g. `main`,
/// `HEAD~2`, a hash): 1 to 256 bytes, not starting with `-` (it would be an
/// option to git), no `..` (a range is not a commit), no white space or
/// control characters.
pub fn base(value: &str) -> Result<(), AgentError> {
    let why = if value.is_empty() || value.len() > MAX_BASE_LEN {
        Some("1 to 256 bytes")
    } else if value.starts_with('-') {
        Some("must not start with -")
    } else if value.contains("..") {
        Some("must not contain ..")
    } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("no white space or control characters")
    } else {
        None
    };
    match why {
        Some(why) => Err(bad("base", value, why)),
        None => Ok(()),
    }
}

/// Checks a repository top directory as git reported it: absolute, no
/// control characters, no `.` or `..` components, and room under the
/// length limit for the worktrees beside it.
pub fn repo_path(value: &str) -> Result<(), AgentError> {
    let why = if !value.starts_with('/') {
        Some("not absolute")
    } else if value == "/" {
        Some("the root directory has no place beside it")
    } else if value.chars().any(char::is_control) {
        Some("contains a control character")
    } else if value.split('/').any(|c| c == "." || c == "..") {
        Some("must not contain . or .. components")
    } else if value.len() + WORKTREES_SUFFIX.len() + 2 * (MAX_WORKTREE_NAME_LEN + 1)
        > MAX_WORKTREE_PATH_LEN
    {
        Some("too long")
    } else {
        None
    };
    match why {
        Some(why) => Err(bad("path", value, why)),
        None => Ok(()),
    }
}

/// The worktree path and branch of pane `label` of the layout named
/// `layout`, in the repository whose top directory is `repo`.
pub fn names(repo: &str, layout: &str, label: &str) -> Result<(String, String), AgentError> {
    repo_path(repo)?;
    name(layout)?;
    name(label)?;
    let repo = repo.trim_end_matches('/');
    let path = format!("{repo}{WORKTREES_SUFFIX}/{layout}/{label}");
    let branch = format!("{BRANCH_PREFIX}/{layout}/{label}");
    Ok((path, branch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_predictable() {
        assert_eq!(
            names("/src/repo", "squad", "s1"),
            Ok((
                "/src/repo.agent-worktrees/squad/s1".to_string(),
                "agent/squad/s1".to_string()
            ))
        );
        assert_eq!(
            names("/src/repo/", "a.b_c-d", "m1").unwrap().0,
            "/src/repo.agent-worktrees/a.b_c-d/m1"
        );
    }

    #[test]
    fn name_rules() {
        for ok in ["a", "squad", "m1", "a.b", "a-b_c", &"x".repeat(64)] {
            assert_eq!(name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            ".hidden",
            "-rf",
            "a..b",
            "a.",
            "x.lock",
            "a/b",
            "a b",
            "a:b",
            "a~1",
            "a^",
            "ä",
            &"x".repeat(65),
        ] {
            assert!(name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            name("-rf").unwrap_err().to_string(),
            r#"invalid worktree name: "-rf" (must not start with . or -)"#
        );
        assert!(names("/r", "ok", "a..b").is_err());
        assert!(names("/r", "-x", "m1").is_err());
    }

    #[test]
    fn base_rules() {
        for ok in ["HEAD", "main", "HEAD~2", "v1.0^", "0123abcd", "origin/main"] {
            assert_eq!(base(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "-x",
            "--upload-pack=x",
            "a..b",
            "a b",
            "a\nb",
            &"x".repeat(257),
        ] {
            assert!(base(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            base("--help").unwrap_err().to_string(),
            r#"invalid worktree base: "--help" (must not start with -)"#
        );
    }

    #[test]
    fn repo_path_rules() {
        assert_eq!(repo_path("/src/repo"), Ok(()));
        for bad in ["rel/repo", "/", "/a/../b", "/a/./b", "/a\nb"] {
            assert!(repo_path(bad).is_err(), "{bad:?}");
        }
        assert!(repo_path(&format!("/{}", "d".repeat(900))).is_err());
    }
}
