//! Registration of Rust commands in tmux's command table.
//!
//! Each command is a [`CommandSpec`] (the Rust twin of a `cmd_entry`). Before
//! tmux's `main` runs, [`register`] builds one `cmd_entry` per spec and puts it
//! into a spare slot of `cmd_table` (vendor patch 0001), flagged
//! `CMD_NOPREFIX` so that it matches only by full name or alias. A spec may
//! instead *wrap* an upstream command (same name, extra flags): the upstream
//! entry is copied, its template and usage extended, and its pointer swapped;
//! the Rust exec can then delegate to the upstream exec. The server is forked
//! from this process, so it inherits the filled table.

use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use super::guard;
use super::item::{Item, Output};
use super::sys;

/// Which target tmux resolves for the command before it runs.
#[derive(Clone, Copy)]
pub enum Target {
    None,
    /// `-t target-session`.
    Session,
}

/// The command may be run by read-only clients (`attach -r`).
pub const READONLY: i32 = sys::CMD_READONLY as i32;

/// The command may wait (return [`Flow::Wait`] after [`super::held::hold`]):
/// in control mode its `%begin` is written with its first output, or when
/// it is resumed, so what it prints then is inside its block and the
/// `%end` (or `%error`) follows it (vendor patch 0012).
pub const WAITS: i32 = sys::CMD_DEFERGUARD as i32;

/// The command starts the server if it is not running.
pub const STARTSERVER: i32 = sys::CMD_STARTSERVER as i32;

/// A command implemented in Rust: the declarative part of `cmds/<name>.rs`.
pub struct CommandSpec {
    pub name: &'static CStr,
    pub alias: Option<&'static CStr>,
    /// getopt-style flags template, e.g. `c"F:f:J"`.
    pub args: &'static CStr,
    /// Bounds on positional arguments (`-1` for no upper bound).
    pub lower: i32,
    pub upper: i32,
    pub usage: &'static CStr,
    pub target: Target,
    /// [`READONLY`], [`WAITS`], both or 0.
    pub flags: i32,
    /// When set, this spec extends the upstream command of the same name: its
    /// `args` are appended to upstream's template and `usage` replaces its usage.
    pub wraps_upstream: bool,
    /// The command changes state and its output only confirms it: `-q` (which
    /// `args` must have) drops the output, and run from an attached client (a
    /// key binding or the command prompt) the output goes to the status line
    /// as one message instead of opening view mode.
    pub confirms: bool,
    pub exec: fn(&mut Item) -> super::CmdResult,
}

impl CommandSpec {
    /// What an entry is unless it says otherwise, so each `cmds/` entry
    /// lists only what differs (`..CommandSpec::BASE`): no alias, no flags
    /// or positional arguments, no target, not read-only, not a wrapper, not a
    /// confirming command.
    /// Its name, usage and exec are placeholders every entry replaces.
    pub const BASE: CommandSpec = CommandSpec {
        name: c"",
        alias: None,
        args: c"",
        lower: 0,
        upper: 0,
        usage: c"",
        target: Target::None,
        flags: 0,
        wraps_upstream: false,
        confirms: false,
        exec: no_exec,
    };
}

/// The exec of [`CommandSpec::BASE`]: an entry that forgot its own.
fn no_exec(_: &mut Item) -> super::CmdResult {
    Err(super::CmdError::Failed("command has no exec".to_string()))
}

use super::item::ExecFn;

/// One registered command: its entry's address, its spec and, for wrappers,
/// upstream's exec.
struct Registered {
    entry: usize,
    spec: &'static CommandSpec,
    upstream_exec: Option<ExecFn>,
}

static REGISTERED: OnceLock<Vec<Registered>> = OnceLock::new();

fn leak_cstring(s: String) -> *const c_char {
    CString::new(s)
        .expect("no NUL in command strings")
        .into_raw()
}

fn table() -> (*mut *const sys::cmd_entry, usize) {
    // SAFETY: cmd_table is a writable array of cmd_table_size pointers (patch 0001).
    unsafe {
        (
            std::ptr::addr_of_mut!(sys::cmd_table) as *mut *const sys::cmd_entry,
            sys::cmd_table_size as usize,
        )
    }
}

fn find_slot(name: &CStr) -> Option<usize> {
    let (base, size) = table();
    (0..size)
        // SAFETY: i < size; entries up to the first NULL are valid cmd_entry pointers.
        .map(|i| (i, unsafe { *base.add(i) }))
        .take_while(|(_, e)| !e.is_null())
        .find(|(_, e)| unsafe { CStr::from_ptr((**e).name) } == name)
        .map(|(i, _)| i)
}

fn first_free_slot() -> usize {
    let (base, size) = table();
    // SAFETY: bounded by size.
    let used = (0..size)
        .take_while(|&i| unsafe { !(*base.add(i)).is_null() })
        .count();
    // Keep one NULL as the terminator.
    assert!(used + 1 < size, "cmd_table is full ({size} slots)");
    used
}

/// Insert (or wrap) every spec. Call once, before tmux's main.
pub fn register(specs: &[&'static CommandSpec]) {
    let mut registered = Vec::with_capacity(specs.len());
    let (base, _) = table();
    for &spec in specs {
        if spec.wraps_upstream {
            let slot = find_slot(spec.name)
                .unwrap_or_else(|| panic!("no upstream command {:?} to wrap", spec.name));
            // SAFETY: slot holds a valid upstream entry; we copy it by value.
            let upstream = unsafe { **base.add(slot) };
            let template = unsafe { CStr::from_ptr(upstream.args.template) }
                .to_string_lossy()
                .into_owned();
            let mut entry = upstream;
            entry.args.template = leak_cstring(template + &spec.args.to_string_lossy());
            entry.usage = spec.usage.as_ptr();
            entry.exec = Some(exec_trampoline);
            let entry: &'static sys::cmd_entry = Box::leak(Box::new(entry));
            // SAFETY: slot < size, the table is writable.
            unsafe { *base.add(slot) = entry };
            registered.push(Registered {
                entry: entry as *const _ as usize,
                spec,
                upstream_exec: upstream.exec,
            });
            continue;
        }
        assert!(
            find_slot(spec.name).is_none(),
            "command {:?} already exists",
            spec.name
        );
        let flag = |t: Target| match t {
            Target::None => sys::cmd_entry_flag {
                flag: 0,
                type_: 0,
                flags: 0,
            },
            Target::Session => sys::cmd_entry_flag {
                flag: b't' as c_char,
                type_: sys::cmd_find_type_CMD_FIND_SESSION,
                flags: 0,
            },
        };
        let entry = sys::cmd_entry {
            name: spec.name.as_ptr(),
            alias: spec.alias.map_or(std::ptr::null(), |a| a.as_ptr()),
            args: sys::args_parse {
                template: spec.args.as_ptr(),
                lower: spec.lower,
                upper: spec.upper,
                cb: None,
            },
            usage: spec.usage.as_ptr(),
            source: flag(Target::None),
            target: flag(spec.target),
            flags: spec.flags | sys::CMD_NOPREFIX as i32,
            exec: Some(exec_trampoline),
        };
        let entry: &'static sys::cmd_entry = Box::leak(Box::new(entry));
        let slot = first_free_slot();
        // SAFETY: slot + 1 < size (asserted), so the terminator stays NULL.
        unsafe { *base.add(slot) = entry };
        registered.push(Registered {
            entry: entry as *const _ as usize,
            spec,
            upstream_exec: None,
        });
    }
    assert!(REGISTERED.set(registered).is_ok(), "register called twice");
}

/// The upstream exec a wrapper delegates to.
pub(super) fn call_upstream(
    exec: ExecFn,
    cmd: *mut sys::cmd,
    item: *mut sys::cmdq_item,
) -> sys::cmd_retval {
    // SAFETY: cmd and item are the live pointers tmux passed to our exec.
    unsafe { exec(cmd, item) }
}

/// The single exec of every Rust command: find the spec, run it, map the result.
unsafe extern "C" fn exec_trampoline(
    cmd: *mut sys::cmd,
    item: *mut sys::cmdq_item,
) -> sys::cmd_retval {
    // SAFETY: tmux passes the command being executed.
    let entry = unsafe { sys::cmd_get_entry(cmd) } as usize;
    let Some(reg) = REGISTERED
        .get()
        .and_then(|all| all.iter().find(|r| r.entry == entry))
    else {
        return sys::cmd_retval_CMD_RETURN_ERROR;
    };
    let name = reg.spec.name.to_string_lossy();
    let mut it = Item::new(cmd, item, reg.upstream_exec);
    // A read-only client (`attach -r`) runs only read-only agent commands,
    // whatever path the command came by: key binding, command prompt or
    // control mode (upstream checks only command clients and key bindings).
    // Wrappers of upstream commands keep upstream's rules.
    if !reg.spec.wraps_upstream && reg.spec.flags & READONLY == 0 && it.client_is_readonly() {
        it.error(&super::CmdError::ReadOnly.message().unwrap_or_default());
        return sys::cmd_retval_CMD_RETURN_ERROR;
    }
    // A command run by a hook fires no hooks (as in tmux's notify.c), so a
    // hook that causes its own event cannot loop.
    // SAFETY: reading the flags of the live item.
    let in_hook = unsafe { sys::cmdq_get_flags(item) } & sys::CMDQ_STATE_NOHOOKS as i32 != 0;
    if reg.spec.confirms {
        *it.output.borrow_mut() = if it.has('q') {
            Output::Quiet
        } else if it.output_goes_to_pane() {
            Output::StatusLine(None)
        } else {
            Output::Client
        };
    }
    let result = super::notify::without_hooks_if(in_hook, || {
        guard::catch(&name, || (reg.spec.exec)(&mut it))
    });
    match result {
        Ok(Ok(flow)) => {
            let kept = std::mem::replace(&mut *it.output.borrow_mut(), Output::Client);
            if let (Output::StatusLine(Some(line)), false) = (kept, flow.is_error()) {
                it.status_message(&line);
            }
            flow.retval()
        }
        Ok(Err(e)) => {
            if let Some(message) = e.message() {
                it.error(&message);
            }
            sys::cmd_retval_CMD_RETURN_ERROR
        }
        Err(panic) => {
            it.error(&panic);
            sys::cmd_retval_CMD_RETURN_ERROR
        }
    }
}
