//! The handler table: how tmux's C entry points (the link-time wraps, the
//! format hook, the pane-destroy callback, client loss) reach the stateful
//! layer above without this facade naming it. The server installs one table
//! at start-up ([`crate::tmux::run`]); until then every handler does nothing.

use std::sync::OnceLock;

use agent_tmux::ids::{PaneId, SessionId, WindowId};

/// What the facade calls when tmux tells it something happened. Every call
/// comes from tmux's event loop, already inside [`crate::tmux::guard::catch`].
#[derive(Clone, Copy)]
pub struct Handlers {
    /// Session `$id` is being destroyed (any path); it is still alive.
    pub session_destroyed: fn(SessionId),
    /// The process of pane `%id` exited with this code (128 + signal).
    pub pane_exited: fn(PaneId, i32),
    /// Pane `%id` is about to be freed (any path).
    pub pane_destroyed: fn(PaneId),
    /// Window `@id` changed its panes or was linked into a session (a pane
    /// may have been moved into it: join-pane, move-pane, break-pane,
    /// swap-pane).
    pub window_changed: fn(WindowId),
    /// Pane `%id` was respawned (respawn-pane, respawn-window): its old
    /// process, if it had one (`true`), is gone and a new one runs.
    pub pane_respawned: fn(PaneId, bool),
    /// New output from pane `%id`'s program (these bytes) is about to be
    /// parsed.
    pub pane_output: fn(PaneId, &[u8]),
    /// A human typed a key into pane `%id` through a client.
    pub human_key: fn(PaneId),
    /// Session `$id` was renamed (rename-session).
    pub session_renamed: fn(SessionId),
    /// The client with this key (see [`crate::tmux::Item::client_key`]) is
    /// being lost.
    pub client_lost: fn(u64),
    /// The value of `#{key}` for a session and pane, or `None` to let tmux
    /// go on with its own lookup.
    pub format: fn(&str, Option<SessionId>, Option<PaneId>) -> Option<String>,
    /// The configuration files are loaded; the first client's command has
    /// not run yet (options set in them can be read).
    pub config_done: fn(),
    /// The server starts exiting (kill-server, SIGTERM): called once, before
    /// it destroys its sessions.
    pub server_exiting: fn(),
    /// The server has left its loop and is about to exit.
    pub server_exited: fn(),
}

impl Handlers {
    /// A table whose every handler does nothing.
    pub const NONE: Handlers = Handlers {
        session_destroyed: |_| {},
        pane_exited: |_, _| {},
        pane_destroyed: |_| {},
        window_changed: |_| {},
        pane_respawned: |_, _| {},
        pane_output: |_, _| {},
        human_key: |_| {},
        session_renamed: |_| {},
        client_lost: |_| {},
        format: |_, _, _| None,
        config_done: || {},
        server_exiting: || {},
        server_exited: || {},
    };
}

static INSTALLED: OnceLock<Handlers> = OnceLock::new();

/// Install the table (once, before tmux's main forks the server).
pub(super) fn install(h: &Handlers) -> Result<(), &'static str> {
    INSTALLED.set(*h).map_err(|_| "handlers installed twice")
}

/// The installed table, or [`Handlers::NONE`].
pub(super) fn get() -> &'static Handlers {
    INSTALLED.get().unwrap_or(&Handlers::NONE)
}
