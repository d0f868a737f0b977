//! tmux format trees for `-F format` and `-f filter`, following tmux's own
//! rules: a tree made for the command's client and item, session formats added
//! with `format_defaults`, our own keys added as plain strings.

use std::ffi::CStr;

use agent_tmux::ids::{PaneId, SessionId};

use super::item::Item;
use super::sys;

/// One format tree, freed on drop.
pub struct Format<'a> {
    ft: *mut sys::format_tree,
    item: &'a Item,
}

impl<'a> Format<'a> {
    pub(super) fn new(item: &'a Item) -> Self {
        // SAFETY: the item is live; format_create copies what it needs.
        let ft = unsafe {
            sys::format_create(
                sys::cmdq_get_client(item.raw()),
                item.raw(),
                sys::FORMAT_NONE as i32,
                0,
            )
        };
        Format { ft, item }
    }

    /// Add a key with a string value.
    pub fn add(&mut self, key: &str, value: &str) -> &mut Self {
        let (k, v) = (self.item.as_c(key), self.item.as_c(value));
        // SAFETY: fixed "%s" format, valid strings; format_add copies them.
        unsafe { sys::format_add(self.ft, k.as_ptr(), c"%s".as_ptr(), v.as_ptr()) };
        self
    }

    /// Add every session format (and through them the agent_* formats) of `$id`.
    pub fn session(&mut self, id: SessionId) -> &mut Self {
        // SAFETY: the session is looked up now and used at once.
        unsafe {
            let s = super::session::find(id).unwrap_or(std::ptr::null_mut());
            if !s.is_null() {
                sys::format_defaults(
                    self.ft,
                    std::ptr::null_mut(),
                    s,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                );
            }
        }
        self
    }

    /// Add the session, window and pane formats of the command's current
    /// pane, found as tmux finds it for a missing `-t` (as upstream expands
    /// `-c` and similar arguments).
    pub fn current(&mut self) -> &mut Self {
        if let Some(id) = self.item.find_pane(None) {
            self.pane(id);
        }
        self
    }

    /// Add every session, window and pane format of pane `%id`.
    pub fn pane(&mut self, id: PaneId) -> &mut Self {
        // SAFETY: the pane is looked up now and used at once.
        unsafe {
            let wp = sys::window_pane_find_by_id(id.0);
            let mut fs: sys::cmd_find_state = std::mem::zeroed();
            if !wp.is_null() && sys::cmd_find_from_pane(&mut fs, wp, 0) == 0 {
                sys::format_defaults(self.ft, std::ptr::null_mut(), fs.s, fs.wl, fs.wp);
            }
        }
        self
    }

    /// Expand a template.
    pub fn expand(&self, template: &str) -> String {
        let t = self.item.as_c(template);
        // SAFETY: format_expand returns a malloc'd string we free.
        unsafe {
            let p = sys::format_expand(self.ft, t.as_ptr());
            let out = CStr::from_ptr(p).to_string_lossy().into_owned();
            libc::free(p as *mut libc::c_void);
            out
        }
    }

    /// Does `filter` expand to true (tmux's `-f` rule)?
    pub fn matches(&self, filter: &str) -> bool {
        let expanded = self.item.as_c(&self.expand(filter));
        // SAFETY: valid string.
        unsafe { sys::format_true(expanded.as_ptr()) != 0 }
    }
}

impl Drop for Format<'_> {
    fn drop(&mut self) {
        // SAFETY: ft came from format_create and is freed once.
        unsafe { sys::format_free(self.ft) };
    }
}
