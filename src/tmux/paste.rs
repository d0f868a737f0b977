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

/// What a program receives when each line of `text` is pasted in pieces
/// of at most `max` characters (split between characters), the lines
/// joined by a line feed as C-j types it: for programs that treat a long or
/// multi-line paste differently from typed text, but take short one-line
/// pastes and C-j literally. An empty line is only its line feed. `max` 0
/// is [`paste_bytes`].
pub fn pieces_bytes(text: &str, bracketed: bool, max: usize) -> Vec<u8> {
    if max == 0 {
        return paste_bytes(text, bracketed);
    }
    let mut out = Vec::with_capacity(text.len() + text.len() / max * 12 + 12);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        let mut rest = line;
        while !rest.is_empty() {
            let cut = rest
                .char_indices()
                .nth(max)
                .map_or(rest.len(), |(at, _)| at);
            out.extend(paste_bytes(&rest[..cut], bracketed));
            rest = &rest[cut..];
        }
    }
    out
}

/// Paste `text` into the program of pane `%id`: as one paste, or (`max`
/// above 0) in pieces as [`pieces_bytes`] makes them.
pub fn paste(id: PaneId, text: &str, max: usize) -> Result<(), InputRefused> {
    pane::write_input(id, &pieces_bytes(text, pane::bracketed_paste(id), max))
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

    #[test]
    fn pieces_are_short_one_line_pastes_joined_by_line_feeds() {
        let b = |s: &str| format!("\x1b[200~{s}\x1b[201~");
        let got = |t: &str, max| String::from_utf8(pieces_bytes(t, true, max)).unwrap();
        assert_eq!(
            got("abcdefg\n\nxy\n", 3),
            b("abc") + &b("def") + &b("g") + "\n\n" + &b("xy") + "\n"
        );
        // Characters, not bytes: a piece never splits one.
        assert_eq!(got("ééé", 2), b("éé") + &b("é"));
        assert_eq!(got("a\nb", 0), b("a\rb"));
        assert_eq!(pieces_bytes("ab\nc", false, 1), b"a\x62\nc".to_vec());
        // Every byte of the text is there, in order, and no piece is longer
        // than asked or holds a newline.
        let text: String = (0..2000)
            .map(|i| if i % 97 == 0 { '\n' } else { 'x' })
            .collect();
        let s = got(&text, 500);
        let inner: Vec<&str> = s
            .split("\x1b[200~")
            .skip(1)
            .map(|p| p.split("\x1b[201~").next().unwrap())
            .collect();
        assert!(inner
            .iter()
            .all(|p| !p.is_empty() && p.chars().count() <= 500 && !p.contains('\n')));
        assert_eq!(s.replace("\x1b[200~", "").replace("\x1b[201~", ""), text);
    }
}
