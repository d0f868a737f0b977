//! The store's database file: SQLite (through `rusqlite`, its library
//! bundled), used only by the store's own thread ([`super::writer`]). It
//! never names the facade over tmux or the server's state: it gets saved
//! values ([`Saved`]) and writes the rows that changed since the last write,
//! in one transaction.
//!
//! A file that is not a store of this format (not SQLite, a foreign
//! application id, a newer schema version, a failed integrity check, rows
//! that can't be read) is never written: [`open`] moves it aside under a
//! new name and starts an empty store, and says so.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use agent_tmux::agent::layout::{PaneState, Stage, Worktree};
use agent_tmux::agent::saved::{
    Saved, SavedAgent, SavedEntry, SavedGroup, SavedLayout, SavedMessage, SavedPane, SavedProfile,
    SavedTemplate,
};
use rusqlite::types::{ToSqlOutput, Value as Sql, ValueRef};
use rusqlite::{params_from_iter, Connection, OpenFlags};
use rustc_hash::FxHashMap;

/// `PRAGMA application_id` of our files ("AgTx").
pub const APPLICATION_ID: i64 = 0x4167_5478;

/// The schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 3;

/// The tables, their key columns and value columns, in schema order (the
/// newest version's; [`migrate`] brings older files to it).
const TABLES: &[(&str, &[&str], &[&str])] = &[
    (
        "agents",
        &["name"],
        &[
            "old_id",
            "agent_type",
            "goal",
            "created",
            "grp",
            "last_seq",
            "consumed",
            "dropped",
            "start_dir",
            "command",
            "conversation_id",
        ],
    ),
    (
        "messages",
        &["session", "seq"],
        &["from_session", "from_id", "from_name", "time", "text"],
    ),
    (
        "groups",
        &["name"],
        &["created", "last_change", "version", "members"],
    ),
    (
        "context",
        &["grp", "key"],
        &["value", "json", "author", "author_id", "time", "version"],
    ),
    ("templates", &["name"], &["layout", "specs"]),
    (
        "layouts",
        &["session"],
        &[
            "old_id",
            "template",
            "tmux_layout",
            "grp",
            "lkey",
            "created",
        ],
    ),
    (
        "panes",
        &["session", "old_id"],
        &[
            "label",
            "role",
            "command",
            "state",
            "exit_status",
            "predecessor",
            "depth",
            "created",
            "start_dir",
            "conversation_id",
            "stage",
            "error",
            "recreate_key",
            "released",
            "wt_repo",
            "wt_path",
            "wt_branch",
            "wt_base_ref",
            "wt_base",
            "wt_removed",
        ],
    ),
    (
        "profiles",
        &["name"],
        &["commands", "rules", "debounce_ms", "lines", "needs_paste"],
    ),
];

/// What version 2 added to version 1's tables: `(table, column)`; and the
/// tables it added.
const ADDED_IN_2: &[(&str, &str)] = &[
    ("agents", "command"),
    ("agents", "conversation_id"),
    ("panes", "stage"),
    ("panes", "error"),
    ("panes", "recreate_key"),
    ("panes", "released"),
    ("panes", "wt_repo"),
    ("panes", "wt_path"),
    ("panes", "wt_branch"),
    ("panes", "wt_base_ref"),
    ("panes", "wt_base"),
    ("panes", "wt_removed"),
];
const TABLES_ADDED_IN_2: &[&str] = &["profiles"];

/// One cell of a row's key: SQL values are neither `Eq` nor `Hash` (a
/// real is a float); a key's reals compare and hash by their bits.
#[derive(Clone)]
struct Cell(Sql);

impl PartialEq for Cell {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Sql::Real(a), Sql::Real(b)) => a.to_bits() == b.to_bits(),
            (a, b) => a == b,
        }
    }
}

impl Eq for Cell {}

impl std::hash::Hash for Cell {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        match &self.0 {
            Sql::Null => h.write_u8(0),
            Sql::Integer(n) => {
                h.write_u8(1);
                h.write_i64(*n);
            }
            Sql::Real(r) => {
                h.write_u8(2);
                h.write_u64(r.to_bits());
            }
            Sql::Text(t) => {
                h.write_u8(3);
                t.hash(h);
            }
            Sql::Blob(b) => {
                h.write_u8(4);
                b.hash(h);
            }
        }
    }
}

/// A row's key columns, with their hash made once: a table is rehashed as
/// it grows, and hashing a key again would read each key's text anew.
#[derive(Clone)]
struct Key {
    hash: u64,
    cells: Vec<Cell>,
}

impl Key {
    fn new(cells: Vec<Cell>) -> Key {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let hash = BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(&cells);
        Key { hash, cells }
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.cells == other.cells
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        h.write_u64(self.hash);
    }
}

/// One table's rows: value columns under their key columns (in no order;
/// a store holds every unread message, so a lookup must not cost a search,
/// and the keys are our own, so a fast hash does).
#[derive(Default, Clone)]
struct Rows(FxHashMap<Key, Vec<Sql>>);

impl Rows {
    fn insert(&mut self, k: Vec<Sql>, v: Vec<Sql>) {
        self.0
            .insert(Key::new(k.into_iter().map(Cell).collect()), v);
    }
}

/// A row's key and values, as statement parameters.
fn params<'a>(k: &'a Key, v: &'a [Sql]) -> impl Iterator<Item = &'a Sql> {
    k.cells.iter().map(|c| &c.0).chain(v)
}

/// What the file holds: per table, a digest of each row's values under its
/// key (the values themselves are not kept: the store would hold every
/// unread message twice).
#[derive(Default)]
struct Written(Vec<FxHashMap<Key, u64>>);

impl Written {
    fn of(t: &Tables) -> Written {
        Written(
            t.0.iter()
                .map(|rows| {
                    rows.0
                        .iter()
                        .map(|(k, v)| (k.clone(), row_digest(v)))
                        .collect()
                })
                .collect(),
        )
    }
}

/// A digest of a row's values (SipHash, 64 bits: a row whose values
/// changed and whose digest did not would not be written again).
fn digest<'a>(values: impl Iterator<Item = ValueRef<'a>>) -> u64 {
    use std::hash::Hasher;
    let mut h = std::hash::DefaultHasher::new();
    for v in values {
        match v {
            ValueRef::Null => h.write_u8(0),
            ValueRef::Integer(n) => {
                h.write_u8(1);
                h.write_i64(n);
            }
            ValueRef::Real(r) => {
                h.write_u8(2);
                h.write_u64(r.to_bits());
            }
            ValueRef::Text(b) | ValueRef::Blob(b) => {
                h.write_u8(if matches!(v, ValueRef::Text(_)) { 3 } else { 4 });
                h.write_usize(b.len());
                h.write(b);
            }
        }
    }
    h.finish()
}

fn row_digest(v: &[Sql]) -> u64 {
    digest(v.iter().map(ValueRef::from))
}

/// One message row, borrowed from the store thread's copy of an inbox:
/// new messages are written from it without being copied first.
pub struct MessageRow<'a> {
    pub session: &'a str,
    pub seq: u64,
    pub from: Option<&'a str>,
    pub from_id: Option<u32>,
    pub from_name: &'a str,
    pub time: i64,
    pub text: &'a str,
}

impl<'a> MessageRow<'a> {
    /// Its key, as [`Tables::of`] makes it.
    fn key(&self) -> Key {
        message_key(self.session, self.seq)
    }

    /// Its value columns, as [`Tables::of`] makes them.
    fn values(&self) -> [ValueRef<'a>; 5] {
        [
            self.from
                .map_or(ValueRef::Null, |f| ValueRef::Text(f.as_bytes())),
            self.from_id
                .map_or(ValueRef::Null, |i| ValueRef::Integer(i.into())),
            ValueRef::Text(self.from_name.as_bytes()),
            ValueRef::Integer(self.time),
            ValueRef::Text(self.text.as_bytes()),
        ]
    }
}

/// The key of message `seq` of session `session`'s inbox.
fn message_key(session: &str, seq: u64) -> Key {
    Key::new(vec![Cell(text(session)), Cell(uint(seq))])
}

/// The messages of one inbox that went (read or dropped): the session's
/// name when they went, and their numbers.
pub type GoneMessages = (String, Vec<u64>);

/// The statements that write a row of table `name` and remove one.
fn statements(name: &str, keys: &[&str], values: &[&str]) -> (String, String) {
    let cols: Vec<&str> = keys.iter().chain(values.iter()).copied().collect();
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let upsert = format!(
        "INSERT OR REPLACE INTO {name} ({}) VALUES ({})",
        cols.join(", "),
        marks.join(", ")
    );
    let cond: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} = ?{}", i + 1))
        .collect();
    let delete = format!("DELETE FROM {name} WHERE {}", cond.join(" AND "));
    (upsert, delete)
}

/// Every table's rows, in [`TABLES`] order.
#[derive(Default, Clone)]
pub struct Tables(Vec<Rows>);

fn text(s: &str) -> Sql {
    Sql::Text(s.to_owned())
}
fn opt(s: &Option<String>) -> Sql {
    s.as_deref().map_or(Sql::Null, text)
}
fn int(n: i64) -> Sql {
    Sql::Integer(n)
}
fn uint(n: u64) -> Sql {
    Sql::Integer(n.min(i64::MAX as u64) as i64)
}
fn json(v: &[String]) -> Sql {
    Sql::Text(serde_json::to_string(v).unwrap_or_default())
}

impl Tables {
    /// No rows in any table.
    #[cfg(test)]
    fn default_of() -> Tables {
        Tables::of(&Saved::default())
    }

    /// The rows of `saved`.
    pub fn of(saved: &Saved) -> Tables {
        let mut t = vec![Rows::default(); TABLES.len()];
        t[1].0
            .reserve(saved.agents.iter().map(|a| a.unread.len()).sum());
        for a in &saved.agents {
            t[0].insert(
                vec![text(&a.name)],
                vec![
                    int(a.old_id.into()),
                    text(&a.agent_type),
                    text(&a.goal),
                    int(a.created),
                    opt(&a.group),
                    uint(a.last_seq),
                    uint(a.consumed),
                    uint(a.dropped),
                    opt(&a.start_dir),
                    opt(&a.command),
                    opt(&a.conversation_id),
                ],
            );
            for m in &a.unread {
                t[1].insert(
                    vec![text(&a.name), uint(m.seq)],
                    vec![
                        opt(&m.from),
                        m.from_id.map_or(Sql::Null, |i| int(i.into())),
                        text(&m.from_name),
                        int(m.time),
                        text(&m.text),
                    ],
                );
            }
        }
        for g in &saved.groups {
            t[2].insert(
                vec![text(&g.name)],
                vec![
                    int(g.created),
                    int(g.last_change),
                    uint(g.version),
                    Sql::Text(serde_json::to_string(&g.members).unwrap_or_default()),
                ],
            );
            for e in &g.context {
                t[3].insert(
                    vec![text(&g.name), text(&e.key)],
                    vec![
                        text(&e.value),
                        int(e.json.into()),
                        opt(&e.author),
                        int(e.author_id.into()),
                        int(e.time),
                        uint(e.version),
                    ],
                );
            }
        }
        for tp in &saved.templates {
            t[4].insert(
                vec![text(&tp.name)],
                vec![
                    opt(&tp.layout),
                    Sql::Text(serde_json::to_string(&tp.specs).unwrap_or_default()),
                ],
            );
        }
        for l in &saved.layouts {
            t[5].insert(
                vec![text(&l.session)],
                vec![
                    int(l.old_id.into()),
                    text(&l.template),
                    opt(&l.tmux_layout),
                    text(&l.group),
                    opt(&l.key),
                    int(l.created),
                ],
            );
            for p in &l.panes {
                let wt = p.worktree.as_ref();
                t[6].insert(
                    vec![text(&l.session), int(p.old_id.into())],
                    vec![
                        text(&p.label),
                        text(&p.role),
                        opt(&p.command),
                        text(p.state.as_str()),
                        p.exit_status.map_or(Sql::Null, |s| int(s.into())),
                        p.predecessor.map_or(Sql::Null, |m| int(m.into())),
                        int(p.depth.into()),
                        int(p.created),
                        opt(&p.start_dir),
                        opt(&p.conversation_id),
                        p.stage.map_or(Sql::Null, |s| text(s.as_str())),
                        opt(&p.error),
                        opt(&p.recreate_key),
                        int(p.released.into()),
                        wt.map_or(Sql::Null, |w| text(&w.repo)),
                        wt.map_or(Sql::Null, |w| text(&w.path)),
                        wt.map_or(Sql::Null, |w| text(&w.branch)),
                        wt.map_or(Sql::Null, |w| text(&w.base_ref)),
                        wt.map_or(Sql::Null, |w| text(&w.base)),
                        wt.map_or(Sql::Null, |w| int(w.removed.into())),
                    ],
                );
            }
        }
        for p in &saved.profiles {
            t[7].insert(
                vec![text(&p.name)],
                vec![
                    json(&p.commands),
                    json(&p.rules),
                    uint(p.debounce_ms),
                    int(p.lines.into()),
                    int(p.needs_paste.into()),
                ],
            );
        }
        Tables(t)
    }
}

/// Reading a row back: typed getters that fail on the wrong type.
struct Row<'a>(&'a [Sql]);

impl Row<'_> {
    fn s(&self, i: usize) -> Result<String, String> {
        match self.0.get(i) {
            Some(Sql::Text(s)) => Ok(s.clone()),
            _ => Err(format!("column {i} is not text")),
        }
    }
    fn os(&self, i: usize) -> Result<Option<String>, String> {
        match self.0.get(i) {
            Some(Sql::Null) => Ok(None),
            _ => self.s(i).map(Some),
        }
    }
    fn i(&self, i: usize) -> Result<i64, String> {
        match self.0.get(i) {
            Some(Sql::Integer(n)) => Ok(*n),
            _ => Err(format!("column {i} is not an integer")),
        }
    }
    fn oi(&self, i: usize) -> Result<Option<i64>, String> {
        match self.0.get(i) {
            Some(Sql::Null) => Ok(None),
            _ => self.i(i).map(Some),
        }
    }
    fn u(&self, i: usize) -> Result<u64, String> {
        u64::try_from(self.i(i)?).map_err(|_| format!("column {i} is negative"))
    }
    fn u32(&self, i: usize) -> Result<u32, String> {
        u32::try_from(self.i(i)?).map_err(|_| format!("column {i} is out of range"))
    }
}

/// `key ++ values` of every row of table `n`.
fn joined(t: &Tables, n: usize) -> impl Iterator<Item = Vec<Sql>> + '_ {
    t.0[n]
        .0
        .iter()
        .map(|(k, v)| params(k, v).cloned().collect())
}

/// The saved values the rows hold, or what is wrong with them.
fn saved_of(t: &Tables) -> Result<Saved, String> {
    let mut saved = Saved::default();
    let mut by_agent: BTreeMap<String, Vec<SavedMessage>> = BTreeMap::new();
    for r in joined(t, 1) {
        let r = Row(&r);
        by_agent.entry(r.s(0)?).or_default().push(SavedMessage {
            seq: r.u(1)?,
            from: r.os(2)?,
            from_id: r.oi(3)?.map(|i| i as u32),
            from_name: r.s(4)?,
            time: r.i(5)?,
            text: r.s(6)?,
        });
    }
    for r in joined(t, 0) {
        let r = Row(&r);
        let name = r.s(0)?;
        let mut unread = by_agent.remove(&name).unwrap_or_default();
        unread.sort_by_key(|m| m.seq);
        saved.agents.push(SavedAgent {
            old_id: r.u32(1)?,
            agent_type: r.s(2)?,
            goal: r.s(3)?,
            created: r.i(4)?,
            group: r.os(5)?,
            last_seq: r.u(6)?,
            consumed: r.u(7)?,
            dropped: r.u(8)?,
            start_dir: r.os(9)?,
            command: r.os(10)?,
            conversation_id: r.os(11)?,
            unread,
            name,
        });
    }
    saved.agents.sort_by_key(|a| a.old_id);
    let mut context: BTreeMap<String, Vec<SavedEntry>> = BTreeMap::new();
    for r in joined(t, 3) {
        let r = Row(&r);
        context.entry(r.s(0)?).or_default().push(SavedEntry {
            key: r.s(1)?,
            value: r.s(2)?,
            json: r.i(3)? != 0,
            author: r.os(4)?,
            author_id: r.u32(5)?,
            time: r.i(6)?,
            version: r.u(7)?,
        });
    }
    for r in joined(t, 2) {
        let r = Row(&r);
        let name = r.s(0)?;
        let members: Vec<String> =
            serde_json::from_str(&r.s(4)?).map_err(|e| format!("group members: {e}"))?;
        saved.groups.push(SavedGroup {
            created: r.i(1)?,
            last_change: r.i(2)?,
            version: r.u(3)?,
            members,
            context: context.remove(&name).unwrap_or_default(),
            name,
        });
    }
    // Rows come in no order: groups, entries, templates and profiles by name.
    saved.groups.sort_by(|a, b| a.name.cmp(&b.name));
    for g in &mut saved.groups {
        g.context.sort_by(|a, b| a.key.cmp(&b.key));
    }
    for r in joined(t, 4) {
        let r = Row(&r);
        saved.templates.push(SavedTemplate {
            name: r.s(0)?,
            layout: r.os(1)?,
            specs: serde_json::from_str(&r.s(2)?).map_err(|e| format!("template specs: {e}"))?,
        });
    }
    let mut panes: BTreeMap<String, Vec<SavedPane>> = BTreeMap::new();
    for r in joined(t, 6) {
        let r = Row(&r);
        let state: PaneState = r.s(5)?.parse().map_err(|_| "bad pane state".to_string())?;
        let stage: Option<Stage> = r
            .os(12)?
            .map(|s| s.parse().map_err(|_| "bad pane stage".to_string()))
            .transpose()?;
        // A version 1 row has no worktree columns (NULL).
        let worktree = match r.os(17)? {
            None => None,
            Some(path) => Some(Worktree {
                repo: r.s(16)?,
                path,
                branch: r.s(18)?,
                base_ref: r.s(19)?,
                base: r.s(20)?,
                removed: r.oi(21)?.unwrap_or(0) != 0,
            }),
        };
        panes.entry(r.s(0)?).or_default().push(SavedPane {
            old_id: r.u32(1)?,
            label: r.s(2)?,
            role: r.s(3)?,
            command: r.os(4)?,
            state,
            exit_status: r.oi(6)?.map(|s| s as i32),
            predecessor: r.oi(7)?.map(|m| m as u32),
            depth: r.u32(8)?,
            created: r.i(9)?,
            start_dir: r.os(10)?,
            conversation_id: r.os(11)?,
            stage,
            error: r.os(13)?,
            recreate_key: r.os(14)?,
            released: r.oi(15)?.unwrap_or(0) != 0,
            worktree,
        });
    }
    for r in joined(t, 5) {
        let r = Row(&r);
        let session = r.s(0)?;
        let mut p = panes.remove(&session).unwrap_or_default();
        p.sort_by_key(|p| p.old_id);
        saved.layouts.push(SavedLayout {
            old_id: r.u32(1)?,
            template: r.s(2)?,
            tmux_layout: r.os(3)?,
            group: r.s(4)?,
            key: r.os(5)?,
            created: r.i(6)?,
            panes: p,
            session,
        });
    }
    saved.layouts.sort_by_key(|l| l.old_id);
    for r in joined(t, 7) {
        let r = Row(&r);
        let list = |i: usize, what: &str| -> Result<Vec<String>, String> {
            serde_json::from_str(&r.s(i)?).map_err(|e| format!("profile {what}: {e}"))
        };
        saved.profiles.push(SavedProfile {
            name: r.s(0)?,
            commands: list(1, "commands")?,
            rules: list(2, "rules")?,
            debounce_ms: r.u(3)?,
            lines: r.u32(4)?,
            needs_paste: r.i(5)? != 0,
        });
    }
    saved.templates.sort_by(|a, b| a.name.cmp(&b.name));
    saved.profiles.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(saved)
}

/// An open store.
pub struct Db {
    conn: Connection,
    /// What the file holds now.
    written: Written,
    /// Each table's upsert and delete statements, in [`TABLES`] order.
    statements: Vec<(String, String)>,
}

/// What [`open`] found.
pub struct Opened {
    /// The store's lock, held while this server uses the store.
    pub lock: Option<fs::File>,
    /// The store, unless it can't be written (then nothing is persisted).
    pub db: Option<Db>,
    /// What the file held (empty for a new or bad file).
    pub saved: Saved,
    /// The previous server did not close the store (it was killed).
    pub unclean: bool,
    /// What went wrong, for the server log and agent-restore.
    pub problem: Option<String>,
}

fn create_dir(dir: &Path) -> Result<(), String> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("can't create store directory {}: {e}", dir.display()))?;
    // An existing directory is made private too (context can hold secrets).
    let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
    Ok(())
}

/// The name a bad file is moved to: `PATH.bad-UNIXTIME[-N]`.
fn aside_name(path: &Path) -> PathBuf {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let base = format!("{}.bad-{t}", path.display());
    let mut p = PathBuf::from(&base);
    let mut n = 1;
    while p.exists() {
        p = PathBuf::from(format!("{base}-{n}"));
        n += 1;
    }
    p
}

/// Move a bad file (and its write-ahead log) aside; the new name.
fn move_aside(path: &Path) -> Result<PathBuf, String> {
    let to = aside_name(path);
    fs::rename(path, &to).map_err(|e| format!("can't move {} aside: {e}", path.display()))?;
    for ext in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{ext}", path.display()));
        if side.exists() {
            let _ = fs::rename(&side, PathBuf::from(format!("{}{ext}", to.display())));
        }
    }
    Ok(to)
}

/// Checks that the file at `path` is one of our stores, brings it to this
/// version (`writable`; a read-only file is read as it is, what its
/// version lacks read as NULL) and reads it.
fn read_existing(conn: &Connection, writable: bool) -> Result<(Tables, bool), String> {
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if app != APPLICATION_ID {
        return Err("not an agent-tmux store".to_string());
    }
    if version > SCHEMA_VERSION {
        return Err(format!(
            "store format version {version} is newer than this agent-tmux's ({SCHEMA_VERSION})"
        ));
    }
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if check != "ok" {
        return Err(format!("integrity check failed: {check}"));
    }
    let have = if writable {
        migrate(conn, version)?;
        SCHEMA_VERSION
    } else {
        version
    };
    let mut t = Tables::default();
    for (name, keys, values) in TABLES {
        if have < 2 && TABLES_ADDED_IN_2.contains(name) {
            t.0.push(Rows::default());
            continue;
        }
        let cols: Vec<&str> = keys.iter().chain(values.iter()).copied().collect();
        let select: Vec<String> = cols
            .iter()
            .map(|c| {
                if have < 2 && ADDED_IN_2.contains(&(*name, *c)) {
                    format!("NULL AS {c}")
                } else {
                    c.to_string()
                }
            })
            .collect();
        let sql = format!("SELECT {} FROM {name}", select.join(", "));
        let mut stmt = conn.prepare(&sql).map_err(|e| e.to_string())?;
        let mut rows = Rows::default();
        let mut q = stmt.query([]).map_err(|e| e.to_string())?;
        while let Some(r) = q.next().map_err(|e| e.to_string())? {
            let mut all = Vec::with_capacity(cols.len());
            for i in 0..cols.len() {
                all.push(r.get::<_, Sql>(i).map_err(|e| e.to_string())?);
            }
            let v = all.split_off(keys.len());
            rows.insert(all, v);
        }
        t.0.push(rows);
    }
    let clean: Option<i64> = conn
        .query_row("SELECT value FROM meta WHERE key = 'clean'", [], |r| {
            r.get(0)
        })
        .ok();
    Ok((t, clean != Some(1)))
}

/// `CREATE TABLE` for table `name` as this version makes it: keyed by its
/// key columns, without a rowid (one b-tree per table: a row is written
/// once, not in the table and again in its key's index).
fn create_table(name: &str, as_name: &str) -> String {
    let (_, keys, values) = TABLES
        .iter()
        .find(|(n, _, _)| *n == name)
        .expect("a table of TABLES");
    let cols: Vec<&str> = keys.iter().chain(values.iter()).copied().collect();
    format!(
        "CREATE TABLE IF NOT EXISTS {as_name} ({}, PRIMARY KEY ({})) WITHOUT ROWID;\n",
        cols.join(", "),
        keys.join(", ")
    )
}

/// Brings a store of an older schema `version` up to [`SCHEMA_VERSION`]
/// (version 0 is a new, empty file, made at the newest version at once).
/// Each step runs in its own transaction.
fn migrate(conn: &Connection, version: i64) -> Result<(), String> {
    if version < 1 {
        let mut sql = String::from("BEGIN;\n");
        sql.push_str("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value);\n");
        for (name, _, _) in TABLES {
            sql.push_str(&create_table(name, name));
        }
        sql.push_str(&format!(
            "PRAGMA application_id = {APPLICATION_ID};\nPRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;"
        ));
        conn.execute_batch(&sql).map_err(|e| e.to_string())?;
        return Ok(());
    }
    if version < 2 {
        // Version 2: plain agent sessions' launch commands and
        // conversations, managed panes' stages, errors, recreate keys and
        // worktrees, and user agent profiles.
        let mut sql = String::from("BEGIN;\n");
        for (table, column) in ADDED_IN_2 {
            sql.push_str(&format!("ALTER TABLE {table} ADD COLUMN {column};\n"));
        }
        for (name, keys, values) in TABLES
            .iter()
            .filter(|(n, _, _)| TABLES_ADDED_IN_2.contains(n))
        {
            let cols: Vec<&str> = keys.iter().chain(values.iter()).copied().collect();
            sql.push_str(&format!(
                "CREATE TABLE IF NOT EXISTS {name} ({}, PRIMARY KEY ({}));\n",
                cols.join(", "),
                keys.join(", ")
            ));
        }
        sql.push_str("PRAGMA user_version = 2;\nCOMMIT;");
        conn.execute_batch(&sql).map_err(|e| e.to_string())?;
    }
    if version < 3 {
        // Version 3: every table without a rowid, its rows copied over.
        let mut sql = String::from("BEGIN;\n");
        for (name, keys, values) in TABLES {
            let cols: Vec<&str> = keys.iter().chain(values.iter()).copied().collect();
            let cols = cols.join(", ");
            sql.push_str(&create_table(name, &format!("{name}_v3")));
            sql.push_str(&format!(
                "INSERT INTO {name}_v3 ({cols}) SELECT {cols} FROM {name};\n\
                 DROP TABLE {name};\nALTER TABLE {name}_v3 RENAME TO {name};\n"
            ));
        }
        sql.push_str("PRAGMA user_version = 3;\nCOMMIT;");
        conn.execute_batch(&sql).map_err(|e| e.to_string())?;
    }
    // Later versions add their steps here: `if version < 4 { ... }`.
    Ok(())
}

/// Durability: write-ahead log, and `synchronous = NORMAL`: a commit is in
/// the log (the OS's page cache) when it returns, so a killed server loses
/// nothing committed; only a power loss can lose the newest commits, never
/// the file's consistency. FULL would add an fsync per commit for no gain
/// against what the store promises (crashes and kill -9 of the server).
fn configure(conn: &Connection) -> Result<(), String> {
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 1000;",
    )
    .map_err(|e| e.to_string())
}

/// Opens (or creates) the store at `path`, holding its lock (`PATH.lock`)
/// first: the previous server on the socket may still be writing its last
/// state while this one starts, and must finish before this one reads.
/// Never fails: a store that can't be used is reported in
/// [`Opened::problem`].
pub fn open(path: &Path) -> Opened {
    let lock = path
        .parent()
        .and_then(|d| create_dir(d).ok())
        .and_then(|()| {
            let f = fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(PathBuf::from(format!("{}.lock", path.display())))
                .ok()?;
            f.lock().ok()?;
            Some(f)
        });
    let mut opened = open_file(path);
    opened.lock = lock;
    opened
}

fn open_file(path: &Path) -> Opened {
    let mut problem = None;
    if let Some(dir) = path.parent() {
        if let Err(e) = create_dir(dir) {
            return Opened {
                lock: None,
                db: None,
                saved: Saved::default(),
                unclean: false,
                problem: Some(e),
            };
        }
    }
    let meta = fs::metadata(path);
    if let Ok(m) = &meta {
        // A read-only file is the user's: read it, never write it.
        if m.permissions().mode() & 0o200 == 0 {
            let read = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| e.to_string())
                .and_then(|c| read_existing(&c, false));
            let saved = read
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|(t, _)| saved_of(t))
                .unwrap_or_default();
            return Opened {
                lock: None,
                db: None,
                saved,
                unclean: false,
                problem: Some(format!(
                    "store {} is read-only: nothing is saved",
                    path.display()
                )),
            };
        }
        let bad = match is_sqlite(path) {
            Err(e) => Some(e),
            Ok(()) => match Connection::open(path) {
                Err(e) => Some(e.to_string()),
                Ok(c) => match read_existing(&c, true).and_then(|(t, u)| Ok((saved_of(&t)?, t, u)))
                {
                    Ok((saved, t, unclean)) => {
                        return finish(c, path, t, saved, unclean, None);
                    }
                    Err(e) => Some(e),
                },
            },
        };
        if let Some(why) = bad {
            match move_aside(path) {
                Ok(to) => {
                    problem = Some(format!(
                        "store {} is unusable ({why}): moved to {}; starting empty",
                        path.display(),
                        to.display()
                    ))
                }
                Err(e) => {
                    return Opened {
                        lock: None,
                        db: None,
                        saved: Saved::default(),
                        unclean: false,
                        problem: Some(format!(
                            "store {} is unusable ({why}) and {e}: nothing is saved",
                            path.display()
                        )),
                    }
                }
            }
        }
    }
    // A new file, private from the start.
    let created = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    if let Err(e) = created {
        return Opened {
            lock: None,
            db: None,
            saved: Saved::default(),
            unclean: false,
            problem: Some(format!("can't create store {}: {e}", path.display())),
        };
    }
    match Connection::open(path)
        .map_err(|e| e.to_string())
        .and_then(|c| {
            migrate(&c, 0)?;
            Ok(c)
        }) {
        Ok(c) => finish(
            c,
            path,
            Tables::of(&Saved::default()),
            Saved::default(),
            false,
            problem,
        ),
        Err(e) => Opened {
            lock: None,
            db: None,
            saved: Saved::default(),
            unclean: false,
            problem: Some(format!("can't create store {}: {e}", path.display())),
        },
    }
}

fn finish(
    conn: Connection,
    path: &Path,
    written: Tables,
    saved: Saved,
    unclean: bool,
    problem: Option<String>,
) -> Opened {
    let ok = configure(&conn).and_then(|()| {
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('clean', 0)",
            [],
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    });
    // The log and shared-memory files SQLite makes are private too.
    for ext in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{ext}", path.display()));
        let _ = fs::set_permissions(&side, fs::Permissions::from_mode(0o600));
    }
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
    match ok {
        Ok(()) => Opened {
            lock: None,
            db: Some(Db {
                conn,
                written: Written::of(&written),
                statements: TABLES
                    .iter()
                    .map(|(name, keys, values)| statements(name, keys, values))
                    .collect(),
            }),
            saved,
            unclean,
            problem,
        },
        Err(e) => Opened {
            lock: None,
            db: None,
            saved,
            unclean,
            problem: Some(format!("store {}: {e}", path.display())),
        },
    }
}

/// Checks the SQLite header (a file that is not one is moved aside, never
/// opened by SQLite, which would treat an empty file as a new database).
fn is_sqlite(path: &Path) -> Result<(), String> {
    use std::io::Read;
    let mut f = fs::File::open(path).map_err(|e| e.to_string())?;
    let mut head = [0u8; 16];
    f.read_exact(&mut head)
        .map_err(|_| "too short for a database".to_string())?;
    if &head != b"SQLite format 3\0" {
        return Err("not an SQLite database".to_string());
    }
    Ok(())
}

impl Db {
    /// Writes `t`: only rows that differ from what the file holds, in one
    /// transaction. On error nothing of it is written.
    pub fn write(&mut self, t: &Tables) -> Result<(), String> {
        let now = Written::of(t);
        let tx = self.conn.transaction().map_err(|e| e.to_string())?;
        let mut wrote = false;
        for n in 0..TABLES.len() {
            let (old, new) = (&self.written.0[n], &now.0[n]);
            let (upsert, delete) = &self.statements[n];
            let mut up = tx.prepare_cached(upsert).map_err(|e| e.to_string())?;
            for (k, row) in &t.0[n].0 {
                if old.get(k) != new.get(k) {
                    up.execute(params_from_iter(params(k, row)))
                        .map_err(|e| e.to_string())?;
                    wrote = true;
                }
            }
            let mut del = tx.prepare_cached(delete).map_err(|e| e.to_string())?;
            for k in old.keys() {
                if !new.contains_key(k) {
                    del.execute(params_from_iter(params(k, &[])))
                        .map_err(|e| e.to_string())?;
                    wrote = true;
                }
            }
        }
        if wrote {
            tx.commit().map_err(|e| e.to_string())?;
            self.written = now;
        }
        Ok(())
    }

    /// Writes only some rows, in one transaction: those of `upsert` and
    /// the new `messages` that differ from the file's, and removes those
    /// of `delete` and `gone` that the file has and the new rows do not.
    /// Costs what they hold, not the store.
    pub fn write_delta(
        &mut self,
        upsert: &Tables,
        delete: &Tables,
        messages: &[MessageRow<'_>],
        gone: &[GoneMessages],
    ) -> Result<(), String> {
        const MESSAGES: usize = 1;
        let tx = self.conn.transaction().map_err(|e| e.to_string())?;
        let mut added: Vec<Vec<(Key, u64)>> = vec![Vec::new(); TABLES.len()];
        let mut removed: Vec<Vec<Key>> = vec![Vec::new(); TABLES.len()];
        let gone_keys = gone
            .iter()
            .flat_map(|(name, seqs)| seqs.iter().map(|&s| message_key(name, s)));
        for n in 0..TABLES.len() {
            let old = &self.written.0[n];
            let new = &upsert.0[n].0;
            let (up_sql, del_sql) = &self.statements[n];
            let mut up = tx.prepare_cached(up_sql).map_err(|e| e.to_string())?;
            let mut del = tx.prepare_cached(del_sql).map_err(|e| e.to_string())?;
            // The new messages: key, values and digest.
            let msgs: Vec<(Key, [ValueRef<'_>; 5], u64)> = if n == MESSAGES {
                messages
                    .iter()
                    .map(|m| {
                        let v = m.values();
                        (m.key(), v, digest(v.iter().copied()))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let mut dropped: Vec<Key> = delete.0[n].0.keys().cloned().collect();
            if n == MESSAGES {
                dropped.extend(gone_keys.clone());
            }
            if !dropped.is_empty() {
                let kept: rustc_hash::FxHashSet<&Key> = msgs.iter().map(|(k, _, _)| k).collect();
                for k in dropped {
                    if !new.contains_key(&k) && !kept.contains(&k) && old.contains_key(&k) {
                        del.execute(params_from_iter(params(&k, &[])))
                            .map_err(|e| e.to_string())?;
                        removed[n].push(k);
                    }
                }
            }
            for (k, row) in new {
                let d = row_digest(row);
                if old.get(k) != Some(&d) {
                    up.execute(params_from_iter(params(k, row)))
                        .map_err(|e| e.to_string())?;
                    added[n].push((k.clone(), d));
                }
            }
            for (k, v, d) in msgs {
                if old.get(&k) != Some(&d) {
                    let cells = k.cells.iter().map(|c| ToSqlOutput::from(&c.0));
                    let vals = v.into_iter().map(ToSqlOutput::Borrowed);
                    up.execute(params_from_iter(cells.chain(vals)))
                        .map_err(|e| e.to_string())?;
                    added[n].push((k, d));
                }
            }
        }
        if added.iter().all(Vec::is_empty) && removed.iter().all(Vec::is_empty) {
            return Ok(());
        }
        tx.commit().map_err(|e| e.to_string())?;
        for (n, keys) in removed.into_iter().enumerate() {
            for k in keys {
                self.written.0[n].remove(&k);
            }
        }
        for (n, rows) in added.into_iter().enumerate() {
            self.written.0[n].reserve(rows.len());
            self.written.0[n].extend(rows);
        }
        Ok(())
    }

    /// Marks the store closed, cleanly unless it still holds state a crash
    /// left (the next server restores versions and numbers as they are only
    /// after a clean close), and checkpoints the log into the file.
    pub fn close(self, clean: bool) -> Result<(), String> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('clean', ?1)",
                [i64::from(clean)],
            )
            .map_err(|e| e.to_string())?;
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory for one test's store.
    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("agent-tmux-db-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    /// Version 1's schema, as version 1 made it (fixed: it is history).
    const V1: &str = "
        CREATE TABLE meta (key TEXT PRIMARY KEY, value);
        CREATE TABLE agents (name, old_id, agent_type, goal, created, grp, last_seq, consumed, dropped, start_dir, PRIMARY KEY (name));
        CREATE TABLE messages (session, seq, from_session, from_id, from_name, time, text, PRIMARY KEY (session, seq));
        CREATE TABLE groups (name, created, last_change, version, members, PRIMARY KEY (name));
        CREATE TABLE context (grp, key, value, json, author, author_id, time, version, PRIMARY KEY (grp, key));
        CREATE TABLE templates (name, layout, specs, PRIMARY KEY (name));
        CREATE TABLE layouts (session, old_id, template, tmux_layout, grp, lkey, created, PRIMARY KEY (session));
        CREATE TABLE panes (session, old_id, label, role, command, state, exit_status, predecessor, depth, created, start_dir, conversation_id, PRIMARY KEY (session, old_id));
        INSERT INTO agents VALUES ('lead', 3, 'claude', 'g', 10, 'team', 2, 1, 0, '/tmp');
        INSERT INTO groups VALUES ('team', 10, 11, 4, '[\"lead\"]');
        INSERT INTO layouts VALUES ('squad', 1, '1m+2s', NULL, 'squad', NULL, 12);
        INSERT INTO panes VALUES ('squad', 1, 'm1', 'main', 'cat', 'removed', 3, NULL, 0, 12, NULL, NULL);
        INSERT INTO panes VALUES ('squad', 2, 'm1', 'main', 'cat', 'ready', NULL, 1, 1, 13, '/tmp', 'c-1');
        INSERT INTO meta VALUES ('clean', 1);
        PRAGMA application_id = 1097290872;
        PRAGMA user_version = 1;";

    #[test]
    fn a_version_1_store_is_migrated_and_read_whole() {
        let d = dir("v1");
        let path = d.join("s.db");
        Connection::open(&path).unwrap().execute_batch(V1).unwrap();
        let mut opened = open(&path);
        assert_eq!(opened.problem, None);
        assert!(!opened.unclean);
        let s = &opened.saved;
        assert_eq!(s.agents[0].name, "lead");
        assert_eq!(
            (&s.agents[0].command, &s.agents[0].conversation_id),
            (&None, &None)
        );
        let panes = &s.layouts[0].panes;
        assert_eq!(panes.len(), 2);
        assert_eq!(panes[1].predecessor, Some(1));
        assert_eq!(panes[1].conversation_id.as_deref(), Some("c-1"));
        assert_eq!(
            (
                panes[0].worktree.is_none(),
                panes[0].released,
                panes[0].stage
            ),
            (true, false, None)
        );
        assert!(s.profiles.is_empty());
        // It is version 2 now, and takes what version 2 keeps.
        let mut saved = s.clone();
        saved.profiles.push(SavedProfile {
            name: "mycli".into(),
            commands: vec!["mycli".into()],
            rules: vec!["idle:ready=^> $".into()],
            debounce_ms: 50,
            lines: 10,
            needs_paste: true,
        });
        saved.layouts[0].panes[1].worktree = Some(Worktree {
            repo: "/r".into(),
            path: "/r.agent-worktrees/squad/m1".into(),
            branch: "agent/squad/m1".into(),
            base_ref: "HEAD".into(),
            base: "abc".into(),
            removed: false,
        });
        saved.layouts[0].panes[0].stage = Some(Stage::ProcessExit);
        saved.agents[0].command = Some("claude --model x".into());
        let db = opened.db.as_mut().unwrap();
        db.write(&Tables::of(&saved)).unwrap();
        opened.db.take().unwrap().close(true).unwrap();
        drop(opened.lock.take());
        let version: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        // Version 3: every table without a rowid, the rows copied over.
        let plain: i64 = Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' \
                 AND name != 'meta' AND sql NOT LIKE '%WITHOUT ROWID'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(plain, 0);
        let again = open(&path);
        assert_eq!(again.problem, None);
        assert_eq!(again.saved, saved, "read back as written");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_read_only_version_1_store_is_read_without_migrating() {
        let d = dir("v1ro");
        let path = d.join("s.db");
        Connection::open(&path).unwrap().execute_batch(V1).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
        let opened = open(&path);
        assert!(opened.db.is_none());
        assert!(opened.problem.unwrap().contains("read-only"));
        assert_eq!(opened.saved.agents[0].name, "lead");
        assert_eq!(opened.saved.layouts[0].panes.len(), 2);
        let version: i64 = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 1, "never written");
        let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o600));
        let _ = fs::remove_dir_all(&d);
    }

    fn agent(name: &str, unread: Vec<SavedMessage>) -> SavedAgent {
        SavedAgent {
            name: name.into(),
            old_id: 1,
            agent_type: "claude".into(),
            goal: String::new(),
            created: 1,
            group: None,
            last_seq: unread.last().map_or(0, |m| m.seq),
            consumed: 0,
            dropped: 0,
            unread,
            start_dir: None,
            command: None,
            conversation_id: None,
        }
    }

    fn message(seq: u64, text: &str) -> SavedMessage {
        SavedMessage {
            seq,
            from: Some("lead".into()),
            from_id: Some(2),
            from_name: "lead".into(),
            time: 5,
            text: text.into(),
        }
    }

    fn row(m: &SavedMessage) -> MessageRow<'_> {
        MessageRow {
            session: "w",
            seq: m.seq,
            from: m.from.as_deref(),
            from_id: m.from_id,
            from_name: &m.from_name,
            time: m.time,
            text: &m.text,
        }
    }

    /// What the file at `path` holds, read by a new open.
    fn reread(path: &Path, db: Db) -> Saved {
        db.close(true).unwrap();
        let again = open(path);
        assert_eq!(again.problem, None);
        again.saved
    }

    #[test]
    fn messages_written_from_borrowed_rows_read_back_as_tables_write_them() {
        let d = dir("rows");
        let path = d.join("s.db");
        let mut db = open(&path).db.unwrap();
        let ms = vec![message(1, "one"), message(2, "two\tand é")];
        let rows: Vec<MessageRow> = ms.iter().map(row).collect();
        let whole = Saved {
            agents: vec![agent("w", ms.clone())],
            ..Saved::default()
        };
        let mut head = whole.clone();
        head.agents[0].unread.clear();
        db.write_delta(&Tables::of(&head), &Tables::default_of(), &rows, &[])
            .unwrap();
        // Written as Tables::of would: a whole write of the same is no change.
        let before = Written::of(&Tables::of(&whole));
        assert!(db.written.0 == before.0, "same digests either way");
        // One goes (read), one more comes.
        let more = [message(3, "three")];
        let rows: Vec<MessageRow> = more.iter().map(row).collect();
        db.write_delta(
            &Tables::of(&head),
            &Tables::default_of(),
            &rows,
            &[("w".into(), vec![1])],
        )
        .unwrap();
        let saved = reread(&path, db);
        let seqs: Vec<u64> = saved.agents[0].unread.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, [2, 3]);
        assert_eq!(saved.agents[0].unread[0], ms[1]);
    }

    #[test]
    fn a_message_both_dropped_and_written_in_one_delta_stays() {
        // An agent replaced whole: its old rows are in `delete`, its
        // messages (the same ones) come again as rows.
        let d = dir("overlap");
        let path = d.join("s.db");
        let mut db = open(&path).db.unwrap();
        let ms = vec![message(1, "one"), message(2, "two")];
        let whole = Saved {
            agents: vec![agent("w", ms.clone())],
            ..Saved::default()
        };
        db.write(&Tables::of(&whole)).unwrap();
        let head = Saved {
            agents: vec![agent("w", Vec::new())],
            ..Saved::default()
        };
        let rows: Vec<MessageRow> = ms.iter().map(row).collect();
        db.write_delta(&Tables::of(&head), &Tables::of(&whole), &rows, &[])
            .unwrap();
        assert_eq!(reread(&path, db).agents[0].unread, ms);
    }
}
