//! Installing the hooks snippet into an agent CLI's settings file
//! (`agent-hooks -i`), on a thread of its own ([`super::background`]): read
//! the file (through a symbolic link to the file it names), merge the
//! snippet in (the domain's [`merge_settings`]), keep a backup of the old
//! file beside it, and replace the file in one rename, with the old file's
//! mode (0600 for a new file, its directory made 0700 if missing).

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use agent_tmux::agent::hooks::{merge_settings, HookCli, Merged};

/// The suffix of the backup kept beside the settings file.
pub const BACKUP_SUFFIX: &str = ".agent-tmux.bak";

/// What an install did.
#[derive(Debug)]
pub struct Installed {
    /// The file written (or found up to date).
    pub path: PathBuf,
    /// The backup of the file as it was, when there was one and it changed.
    pub backup: Option<PathBuf>,
    pub merged: Merged,
}

/// An I/O error as tmux shows errors: lowercase, without "(os error N)".
fn io(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = s.split(" (os error").next().unwrap_or(&s);
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => s.to_string(),
    }
}

/// `path` plus a suffix.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// Write `data` to a new file `path` with `mode` (replacing one there).
fn write_new(path: &Path, data: &[u8], mode: u32) -> std::io::Result<()> {
    let _ = fs::remove_file(path);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    f.write_all(data)?;
    // The umask may have taken bits away: set the mode as asked.
    f.set_permissions(fs::Permissions::from_mode(mode))?;
    f.sync_all()
}

/// Merge the snippet for `cli` (hooks running `tmux`) into the settings
/// file `path`. Runs off the event loop; calls nothing of tmux.
pub fn install(path: &Path, cli: HookCli, tmux: &str) -> Result<Installed, String> {
    let shown = path.display().to_string();
    // Follow a symbolic link (a dotfiles checkout) to write the real file.
    let real = match fs::canonicalize(path) {
        Ok(p) => p,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(format!("can't read {shown}: {}", io(&e))),
    };
    if real.exists() && !real.is_file() {
        return Err(format!("not a regular file: {shown}"));
    }
    let (old, mode) = match fs::read(&real) {
        Ok(bytes) => {
            let meta =
                fs::metadata(&real).map_err(|e| format!("can't read {shown}: {}", io(&e)))?;
            let text =
                String::from_utf8(bytes).map_err(|_| format!("{shown}: settings are not UTF-8"))?;
            (Some(text), meta.permissions().mode() & 0o7777)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, 0o600),
        Err(e) => return Err(format!("can't read {shown}: {}", io(&e))),
    };
    let merged = merge_settings(old.as_deref(), cli, tmux).map_err(|e| format!("{shown}: {e}"))?;
    let Some(text) = merged.text.clone() else {
        return Ok(Installed {
            path: real,
            backup: None,
            merged,
        });
    };
    let dir = real
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("can't create {}: {}", dir.display(), io(&e)))?;
    }
    let backup = match &old {
        Some(o) => {
            let b = with_suffix(&real, BACKUP_SUFFIX);
            write_new(&b, o.as_bytes(), mode)
                .map_err(|e| format!("can't write {}: {}", b.display(), io(&e)))?;
            Some(b)
        }
        None => None,
    };
    let tmp = with_suffix(&real, &format!(".agent-tmux-{}.tmp", std::process::id()));
    if let Err(e) = write_new(&tmp, text.as_bytes(), mode) {
        let _ = fs::remove_file(&tmp);
        return Err(format!("can't write {}: {}", tmp.display(), io(&e)));
    }
    if let Err(e) = fs::rename(&tmp, &real) {
        let _ = fs::remove_file(&tmp);
        return Err(format!("can't replace {shown}: {}", io(&e)));
    }
    Ok(Installed {
        path: real,
        backup,
        merged,
    })
}
