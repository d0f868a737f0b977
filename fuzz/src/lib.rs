//! Checks shared by the fuzz targets: what every accepted name and every
//! error message must look like, whatever the input.

use agent_tmux::agent::AgentError;

/// Most characters in any error message. Offending inputs are shown cut to
/// 80 characters, each escaped to at most 10 (`\u{10ffff}`), inside a fixed
/// text of a few hundred characters.
pub const MAX_ERROR_CHARS: usize = 1200;

/// An error renders to a message that is not empty, is one line without
/// any control character (it reaches terminals), is bounded however long
/// the input was, and is what `render` gives without session names.
pub fn check_error(e: &AgentError) {
    let msg = e.to_string();
    assert!(!msg.is_empty(), "empty message for {e:?}");
    assert!(
        !msg.chars().any(char::is_control),
        "control character in the message {msg:?} of {e:?}"
    );
    let chars = msg.chars().count();
    assert!(chars <= MAX_ERROR_CHARS, "{chars} characters in {msg:?}");
    assert_eq!(msg, e.render(|id| id.to_string()));
}

/// Whether `s` is a name: 1 to `max` bytes of ASCII letters, digits and
/// `punct` (written independently of the domain's own check).
pub fn is_name(s: &str, max: usize, punct: &str) -> bool {
    (1..=max).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || punct.contains(c))
}

/// Whether `c` is refused in texts: C0 controls but tab and newline, DEL,
/// C1 controls (written independently of the domain's own check).
pub fn is_refused(c: char) -> bool {
    c.is_control() && c != '\t' && c != '\n'
}
