//! Quoting arguments for tmux's command parser, so any text (a value, a
//! message, a prompt) reaches the command as one argument, unchanged, on one
//! control-mode line.
//!
//! Every argument is put in double quotes. Inside them tmux's parser expands
//! `\`, `$` and a leading `~`, so those are escaped with a backslash (a
//! backslash before any other character keeps it as is); `"` ends the quotes
//! and is escaped the same way; newline, carriage return and tab become `\n`,
//! `\r`, `\t` and other control characters a three-digit octal escape, so the
//! command stays on one line. Everything else (UTF-8 included) is written as
//! it is.

/// `arg` as one double-quoted tmux word.
pub fn quote(arg: &str) -> String {
    let mut out = String::with_capacity(arg.len() + 2);
    out.push('"');
    for ch in arg.chars() {
        match ch {
            '\\' | '"' | '$' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\{:03o}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A command line: the command name, then each argument quoted.
pub fn command(name: &str, args: &[&str]) -> String {
    let mut line = String::from(name);
    for a in args {
        line.push(' ');
        line.push_str(&quote(a));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_only_quoted() {
        assert_eq!(quote("abc"), "\"abc\"");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("héllo wörld ;"), "\"héllo wörld ;\"");
    }

    #[test]
    fn parser_specials_are_escaped() {
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
        assert_eq!(quote("\\"), "\"\\\\\"");
        assert_eq!(quote("$HOME"), "\"\\$HOME\"");
        assert_eq!(quote("~/x"), "\"\\~/x\"");
    }

    #[test]
    fn control_characters_stay_on_one_line() {
        assert_eq!(quote("a\nb\tc\r"), "\"a\\nb\\tc\\r\"");
        assert_eq!(quote("\u{1b}[1m\u{7f}"), "\"\\033[1m\\177\"");
        assert!(!quote("x\ny\n").contains('\n'));
    }

    #[test]
    fn command_quotes_every_argument() {
        assert_eq!(
            command("agent-share", &["-t", "$1", "k=v w"]),
            "agent-share \"-t\" \"\\$1\" \"k=v w\""
        );
    }
}
