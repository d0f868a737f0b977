//! tmux layouts, as a template's `-l` gives them: one of tmux's layout names
//! or a layout string as `#{window_layout}` shows it.
//!
//! A layout string is `CSUM,` followed by a cell. CSUM is four hex digits of
//! tmux's checksum ([`layout_checksum`]) over the rest of the string. A cell
//! is `WxH,X,Y`, then an optional `,ID` (tmux's pane id, ignored when tmux
//! reads a layout), then `{cells}` (split left to right), `[cells]` (split
//! top to bottom) or nothing (a pane: a *leaf*); a split has one or more
//! child cells separated by commas.
//!
//! This module checks a string the way tmux's `layout_parse` does before it
//! changes a window (checksum, syntax, that the cell sizes add up), so a
//! template is refused when it is defined rather than when a layout is being
//! built, and counts the leaves, which must be as many as the template's
//! panes. The checks were compared with tmux 3.5a's `select-layout` on the
//! strings in the tests. Differences from tmux: layout names must be given
//! in full (`select-layout` also takes unambiguous prefixes), an id needs at
//! least one digit, numbers must fit in 32 bits, and a string is at most
//! [`MAX_LAYOUT_LEN`] bytes with splits at most [`MAX_LAYOUT_DEPTH`] deep.
//!
//! This file holds the names, the checksum and the checks a template uses;
//! `parse` reads a layout string's cells and checks their sizes.

use crate::agent::error::{AgentError, Invalid, LayoutProblem};

mod parse;
#[cfg(test)]
mod tests;

use parse::leaf_count;

/// tmux's layout names, the ones `select-layout` and `next-layout` know.
pub const LAYOUT_NAMES: [&str; 7] = [
    "even-horizontal",
    "even-vertical",
    "main-horizontal",
    "main-horizontal-mirrored",
    "main-vertical",
    "main-vertical-mirrored",
    "tiled",
];

/// Most bytes in a layout string: the buffer tmux dumps layouts into, so
/// anything tmux can print fits.
pub const MAX_LAYOUT_LEN: usize = 8192;

/// Most levels of splits inside splits in a layout string. A layout of 16
/// panes needs at most 15.
pub const MAX_LAYOUT_DEPTH: usize = 32;

/// Whether `name` is one of tmux's layout names ([`LAYOUT_NAMES`]).
pub fn is_layout_name(name: &str) -> bool {
    LAYOUT_NAMES.contains(&name)
}

/// tmux's layout checksum of `body`, the part of a layout string after its
/// `CSUM,` prefix: for each byte, rotate the 16-bit sum right by one, then
/// add the byte.
///
/// ```
/// use agent_tmux::agent::layout::layout_checksum;
/// // As tmux printed it: d67e,80x24,0,0{...}
/// let body = "80x24,0,0{40x24,0,0,0,39x24,41,0[39x12,41,0,1,39x11,41,13,2]}";
/// assert_eq!(layout_checksum(body), 0xd67e);
/// ```
pub fn layout_checksum(body: &str) -> u16 {
    body.bytes().fold(0u16, |csum, c| {
        csum.rotate_right(1).wrapping_add(u16::from(c))
    })
}

/// `body` with its checksum in front: the layout string tmux would print.
pub fn with_checksum(body: &str) -> String {
    format!("{:04x},{body}", layout_checksum(body))
}

/// How many panes (leaf cells) layout string `s` has, after checking it as
/// tmux would: length, checksum, syntax, nesting and cell sizes.
pub fn layout_leaf_count(s: &str) -> Result<u32, AgentError> {
    leaf_count(s).map_err(|problem| {
        Invalid::Layout {
            layout: s.to_owned(),
            problem,
        }
        .into()
    })
}

/// Checks `layout` for a template of `panes` panes: a layout name, or a
/// layout string with exactly `panes` leaves.
pub fn check_layout(layout: &str, panes: u32) -> Result<(), AgentError> {
    if is_layout_name(layout) {
        return Ok(());
    }
    if !has_checksum_prefix(layout.as_bytes()) {
        return Err(Invalid::Layout {
            layout: layout.to_owned(),
            problem: LayoutProblem::NotALayout,
        }
        .into());
    }
    let leaves = layout_leaf_count(layout)?;
    if leaves != panes {
        return Err(Invalid::LayoutPanes {
            layout: leaves,
            template: panes,
        }
        .into());
    }
    Ok(())
}

/// Whether `s` starts like a layout string: four hex digits and a comma.
fn has_checksum_prefix(s: &[u8]) -> bool {
    s.len() >= 5 && s[..4].iter().all(u8::is_ascii_hexdigit) && s[4] == b','
}
