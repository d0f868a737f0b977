//! Finding the few escape sequences agent state needs in a pane's raw
//! output, before tmux parses it: OSC 7501 (agent state reports), OSC 9 and
//! OSC 777 (desktop notifications) and, optionally, bells. tmux 3.5a's own
//! parser ignores these OSCs, so reading them here needs no patch to it.
//!
//! Outside a sequence the scanner only looks for ESC (and BEL when bells
//! are wanted), so output without them costs one fast search. A sequence
//! split across reads is carried over (at most [`MAX_PAYLOAD`] bytes of it).

/// The longest OSC payload kept; longer ones are dropped.
pub const MAX_PAYLOAD: usize = 1024;

/// What the scanner found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// `OSC 7501 ; payload`.
    State(String),
    /// `OSC 9 ; text` or `OSC 777 ; notify ; title ; body` (the payload).
    Notify(String),
    /// A BEL outside any sequence.
    Bell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Mode {
    #[default]
    Ground,
    /// Saw ESC.
    Esc,
    /// Inside `ESC ]`, reading the number.
    Number,
    /// Inside an OSC we want (7501, 9, 777), reading the payload.
    Body,
    /// Inside an OSC we want, saw ESC (maybe `ESC \`).
    BodyEsc,
    /// Inside an OSC (or other string) we do not want: skip to its end.
    Skip,
    SkipEsc,
}

/// Scanner state of one pane.
#[derive(Debug, Clone, Default)]
pub struct Scanner {
    mode: Mode,
    number: u32,
    digits: u8,
    payload: Vec<u8>,
    overflow: bool,
}

/// `ESC ]`, which starts an OSC.
static OSC_START: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\x1b]"));

/// Scan `rest`, which starts in ground state, up to the first `ESC ]`
/// (its offset is returned), appending the bells before it (if wanted) to
/// `out`. Between two OSCs nothing but `ESC ]` and BEL matters: any other
/// ESC only swallows the byte after it (a BEL straight after an ESC is no
/// bell), so two fast searches over the whole read do, rather than one
/// search per ESC (agent output has a colour or cursor sequence every few
/// dozen bytes).
fn ground(rest: &[u8], bells: bool, out: &mut Vec<Signal>) -> Option<usize> {
    let osc = OSC_START.find(rest);
    if bells {
        let upto = osc.unwrap_or(rest.len());
        for k in memchr::memchr_iter(0x07, &rest[..upto]) {
            if k == 0 || rest[k - 1] != 0x1b {
                out.push(Signal::Bell);
            }
        }
    }
    osc
}

impl Scanner {
    /// Scan `data`, appending what is found to `out`.
    pub fn feed(&mut self, data: &[u8], bells: bool, out: &mut Vec<Signal>) {
        let mut i = 0;
        while i < data.len() {
            if self.mode == Mode::Ground {
                match ground(&data[i..], bells, out) {
                    Some(k) => {
                        // `ESC ]` at k: an OSC starts.
                        self.number = 0;
                        self.digits = 0;
                        self.mode = Mode::Number;
                        i += k + 2;
                        continue;
                    }
                    None => {
                        if data.last() == Some(&0x1b) {
                            self.mode = Mode::Esc;
                        }
                        return;
                    }
                }
            }
            let b = data[i];
            i += 1;
            self.step(b, out);
        }
    }

    fn step(&mut self, b: u8, out: &mut Vec<Signal>) {
        match self.mode {
            Mode::Ground => {}
            Mode::Esc => {
                self.mode = match b {
                    b']' => {
                        self.number = 0;
                        self.digits = 0;
                        Mode::Number
                    }
                    0x1b => Mode::Esc,
                    _ => Mode::Ground,
                }
            }
            Mode::Number => match b {
                b'0'..=b'9' if self.digits < 6 => {
                    self.number = self.number * 10 + (b - b'0') as u32;
                    self.digits += 1;
                }
                b';' if self.digits > 0 && matches!(self.number, 7501 | 9 | 777) => {
                    self.payload.clear();
                    self.overflow = false;
                    self.mode = Mode::Body;
                }
                0x07 => self.mode = Mode::Ground,
                0x1b => self.mode = Mode::SkipEsc,
                _ => self.mode = Mode::Skip,
            },
            Mode::Body => match b {
                0x07 => self.finish(out),
                0x1b => self.mode = Mode::BodyEsc,
                0x18 | 0x1a => self.mode = Mode::Ground,
                _ => {
                    if self.payload.len() < MAX_PAYLOAD {
                        self.payload.push(b);
                    } else {
                        self.overflow = true;
                    }
                }
            },
            Mode::BodyEsc => {
                if b == b'\\' {
                    self.finish(out);
                } else {
                    // ESC anything else ends the string (as tmux's parser
                    // does); that byte starts a new sequence.
                    self.mode = Mode::Esc;
                    self.step(b, out);
                }
            }
            Mode::Skip => match b {
                0x07 | 0x18 | 0x1a => self.mode = Mode::Ground,
                0x1b => self.mode = Mode::SkipEsc,
                _ => {}
            },
            Mode::SkipEsc => {
                if b == b'\\' {
                    self.mode = Mode::Ground;
                } else {
                    self.mode = Mode::Esc;
                    self.step(b, out);
                }
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<Signal>) {
        self.mode = Mode::Ground;
        if self.overflow {
            return;
        }
        let text = String::from_utf8_lossy(&self.payload).into_owned();
        self.payload.clear();
        out.push(match self.number {
            7501 => Signal::State(text),
            _ => Signal::Notify(text),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(chunks: &[&[u8]], bells: bool) -> Vec<Signal> {
        let mut s = Scanner::default();
        let mut out = Vec::new();
        for c in chunks {
            s.feed(c, bells, &mut out);
        }
        out
    }

    /// The scanner one byte at a time (what `feed` did before its ground
    /// state searched whole reads): the model `feed` must agree with.
    fn scan_bytewise(chunks: &[&[u8]], bells: bool) -> Vec<Signal> {
        let mut s = Scanner::default();
        let mut out = Vec::new();
        for c in chunks {
            for &b in *c {
                if s.mode == Mode::Ground {
                    if b == 0x07 && bells {
                        out.push(Signal::Bell);
                    } else if b == 0x1b {
                        s.mode = Mode::Esc;
                    }
                } else {
                    s.step(b, &mut out);
                }
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn whole_read_search_agrees_with_bytewise(
            bytes in proptest::collection::vec(
                proptest::sample::select(&b"\x1b\x07\x18]\\;90157x"[..]), 0..80),
            cuts in proptest::collection::vec(0usize..80, 0..4),
            bells: bool,
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut at = 0;
            for c in cuts {
                chunks.push(&bytes[at..c]);
                at = c;
            }
            chunks.push(&bytes[at..]);
            proptest::prop_assert_eq!(scan(&chunks, bells), scan_bytewise(&chunks, bells));
        }
    }

    #[test]
    fn finds_state_reports_and_notifications() {
        let out = scan(
            &[b"text\x1b[1mbold\x1b]0;title\x07\x1b]7501;state=working:app=codex\x07more\x1b]9;hello\x1b\\\x1b]777;notify;T;B\x07"],
            false,
        );
        assert_eq!(
            out,
            vec![
                Signal::State("state=working:app=codex".into()),
                Signal::Notify("hello".into()),
                Signal::Notify("notify;T;B".into()),
            ]
        );
    }

    #[test]
    fn split_across_reads_every_way() {
        let whole: &[u8] = b"ab\x1b]7501;state=blocked:kind=permission\x1b\\cd\x07";
        for cut in 0..whole.len() {
            let out = scan(&[&whole[..cut], &whole[cut..]], true);
            assert_eq!(
                out,
                vec![
                    Signal::State("state=blocked:kind=permission".into()),
                    Signal::Bell
                ],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn bells_only_outside_strings_and_when_wanted() {
        assert_eq!(scan(&[b"\x07\x1b]2;t\x07"], true), vec![Signal::Bell]);
        assert_eq!(scan(&[b"\x07"], false), vec![]);
        // OSC 97501 and OSC 75 are not ours.
        assert_eq!(scan(&[b"\x1b]97501;x\x07\x1b]75;y\x07"], false), vec![]);
    }

    #[test]
    fn long_payloads_are_dropped() {
        let mut v = b"\x1b]9;".to_vec();
        v.extend(std::iter::repeat_n(b'x', MAX_PAYLOAD + 1));
        v.extend(b"\x07\x1b]9;ok\x07");
        assert_eq!(scan(&[&v], false), vec![Signal::Notify("ok".into())]);
    }
}
