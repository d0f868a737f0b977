//! Typing into a pane's program as a terminal would: a paste (bracketed if
//! the program turned bracketed paste on) and the Enter key. The queueing
//! and timing of prompts is the server's (`agent-prompt`).

use agent_tmux::ids::PaneId;

use super::pane::{self, InputRefused};

/// Bracketed paste start and end, as terminals send them.
const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

/// What a program receives as the paste of `text`: newlines become carriage
/// returns (as a terminal pastes them), and the whole is bracketed if asked.
pub fn paste_bytes(text: &str, bracketed: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 12);
    if bracketed {
        out.extend_from_slice(PASTE_START);
    }
    out.extend(text.bytes().map(|b| if b == b'\n' { b'\r' } else { b }));
    if bracketed {
        out.extend_from_slice(PASTE_END);
    }
    out
}

/// Paste `text` into the program of pane `%id`.
pub fn paste(id: PaneId, text: &str) -> Result<(), InputRefused> {
    pane::write_input(id, &paste_bytes(text, pane::bracketed_paste(id)))
}

/// Press Enter in pane `%id`.
pub fn enter(id: PaneId) -> Result<(), InputRefused> {
    pane::write_input(id, b"\r")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paste_is_bracketed_only_when_asked_and_newlines_become_cr() {
        assert_eq!(paste_bytes("a\nb", false), b"a\rb".to_vec());
        assert_eq!(
            paste_bytes("a\tb\n", true),
            b"\x1b[200~a\tb\r\x1b[201~".to_vec()
        );
    }
}
