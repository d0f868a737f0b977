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

use super::super::error::{AgentError, Invalid, LayoutProblem};

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

fn leaf_count(s: &str) -> Result<u32, LayoutProblem> {
    if s.len() > MAX_LAYOUT_LEN {
        return Err(LayoutProblem::TooLong { len: s.len() });
    }
    let bytes = s.as_bytes();
    if !has_checksum_prefix(bytes) {
        let bad = |(i, b): (usize, &u8)| {
            if i < 4 {
                !b.is_ascii_hexdigit()
            } else {
                *b != b','
            }
        };
        let offset = bytes.iter().take(5).enumerate().position(bad);
        return Err(LayoutProblem::Syntax {
            offset: offset.unwrap_or(bytes.len()),
        });
    }
    // The prefix is ASCII, so byte 5 is a character boundary.
    let stated =
        u16::from_str_radix(&s[..4], 16).map_err(|_| LayoutProblem::Syntax { offset: 0 })?;
    let computed = layout_checksum(&s[5..]);
    if stated != computed {
        return Err(LayoutProblem::Checksum { stated, computed });
    }
    let mut parser = Parser { s: bytes, pos: 5 };
    let mut root = parser.cell(0)?;
    if parser.pos != bytes.len() {
        return Err(parser.error());
    }
    root.fit_to_children();
    if !root.sizes_add_up() {
        return Err(LayoutProblem::Size);
    }
    Ok(root.leaves())
}

/// How a cell is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    /// `{...}`: children side by side, each as high as the cell.
    LeftRight,
    /// `[...]`: children one above the other, each as wide as the cell.
    TopBottom,
}

/// A parsed cell: its size and, when split, its children. Offsets are
/// parsed but not kept: tmux recomputes them.
#[derive(Debug)]
struct Cell {
    sx: u64,
    sy: u64,
    split: Option<(Split, Vec<Cell>)>,
}

impl Cell {
    fn leaves(&self) -> u32 {
        match &self.split {
            None => 1,
            Some((_, children)) => children.iter().map(Cell::leaves).sum(),
        }
    }

    /// What tmux does to the top cell before checking: its size is taken
    /// from its children (older tmux versions printed it wrongly).
    fn fit_to_children(&mut self) {
        if let Some((split, children)) = &self.split {
            let last = children.last().expect("a split has children");
            match split {
                Split::LeftRight => {
                    self.sx = children.iter().map(|c| c.sx + 1).sum::<u64>() - 1;
                    self.sy = last.sy;
                }
                Split::TopBottom => {
                    self.sx = last.sx;
                    self.sy = children.iter().map(|c| c.sy + 1).sum::<u64>() - 1;
                }
            }
        }
    }

    /// tmux's `layout_check`: children of a left-right split are as high as
    /// it, and their widths plus one-cell borders make its width; the same
    /// the other way round for a top-bottom split.
    fn sizes_add_up(&self) -> bool {
        let Some((split, children)) = &self.split else {
            return true;
        };
        let (along, across) = match split {
            Split::LeftRight => (self.sx, self.sy),
            Split::TopBottom => (self.sy, self.sx),
        };
        let size = |c: &Cell| match split {
            Split::LeftRight => (c.sx, c.sy),
            Split::TopBottom => (c.sy, c.sx),
        };
        let mut total = 0;
        for c in children {
            let (c_along, c_across) = size(c);
            if c_across != across || !c.sizes_add_up() {
                return false;
            }
            total += c_along + 1;
        }
        total - 1 == along
    }
}

/// A recursive descent over the bytes of a layout string.
struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self) -> LayoutProblem {
        LayoutProblem::Syntax { offset: self.pos }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), LayoutProblem> {
        if self.peek() != Some(c) {
            return Err(self.error());
        }
        self.pos += 1;
        Ok(())
    }

    /// A decimal number of at least one digit that fits in 32 bits, as
    /// tmux's `%u`.
    fn number(&mut self) -> Result<u64, LayoutProblem> {
        let start = self.pos;
        let mut n: u64 = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            n = n * 10 + u64::from(c - b'0');
            if n > u64::from(u32::MAX) {
                return Err(LayoutProblem::Syntax { offset: start });
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error());
        }
        Ok(n)
    }

    /// `WxH,X,Y` then `,ID`, `{cells}`, `[cells]` or nothing; `depth` is how
    /// many splits contain this cell.
    fn cell(&mut self, depth: usize) -> Result<Cell, LayoutProblem> {
        let sx = self.number()?;
        self.expect(b'x')?;
        let sy = self.number()?;
        self.expect(b',')?;
        self.number()?;
        self.expect(b',')?;
        self.number()?;

        // `,N` is a pane id, unless `x` follows: then it starts the next
        // sibling cell and belongs to the caller.
        if self.peek() == Some(b',') {
            let saved = self.pos;
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos = saved;
            } else {
                self.number()?;
                if self.peek() == Some(b'x') {
                    self.pos = saved;
                }
            }
        }

        let (split, close) = match self.peek() {
            Some(b'{') => (Split::LeftRight, b'}'),
            Some(b'[') => (Split::TopBottom, b']'),
            _ => {
                return Ok(Cell {
                    sx,
                    sy,
                    split: None,
                })
            }
        };
        if depth >= MAX_LAYOUT_DEPTH {
            return Err(LayoutProblem::TooDeep);
        }
        let mut children = Vec::new();
        loop {
            self.pos += 1; // the opening bracket or a comma
            children.push(self.cell(depth + 1)?);
            if self.peek() != Some(b',') {
                break;
            }
        }
        self.expect(close)?;
        Ok(Cell {
            sx,
            sy,
            split: Some((split, children)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Printed by tmux (`display -p '#{window_layout}'`) for real windows.
    const FROM_TMUX: [(&str, u32); 4] = [
        // 80x24: split-window -h; split-window
        (
            "d67e,80x24,0,0{40x24,0,0,0,39x24,41,0[39x12,41,0,1,39x11,41,13,2]}",
            3,
        ),
        // 120x40: split-window -h; split-window; split-window -h; tiled
        (
            "81a9,120x40,0,0[120x19,0,0{59x19,0,0,0,60x19,60,0,1},120x20,0,20{59x20,0,20,2,60x20,60,20,3}]",
            4,
        ),
        // 200x50: split-window; split-window -h x2; split-window
        (
            "5a26,200x50,0,0[200x25,0,0,0,200x24,0,26{100x24,0,26,1,49x24,101,26,2,49x24,151,26[49x12,151,26,3,49x11,151,39,4]}]",
            5,
        ),
        // The same shape as the first with other pane ids; tmux 3.5a's
        // select-layout takes it.
        (
            "1780,80x24,0,0{40x24,0,0,1,39x24,41,0[39x12,41,0,2,39x11,41,13,3]}",
            3,
        ),
    ];

    fn problem(s: &str) -> LayoutProblem {
        match layout_leaf_count(s) {
            Err(AgentError::Invalid(Invalid::Layout { problem, .. })) => problem,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn checksum_reproduces_tmux() {
        for (s, _) in FROM_TMUX {
            let stated = u16::from_str_radix(&s[..4], 16).unwrap();
            assert_eq!(layout_checksum(&s[5..]), stated, "{s}");
            assert_eq!(with_checksum(&s[5..]), s);
        }
        assert_eq!(layout_checksum(""), 0);
        assert_eq!(layout_checksum("A"), 0x41);
        // The low bit rotates into the top.
        assert_eq!(layout_checksum("AA"), 0x8020 + 0x41);
    }

    #[test]
    fn tmux_layouts_validate_and_count_their_panes() {
        for (s, n) in FROM_TMUX {
            assert_eq!(layout_leaf_count(s), Ok(n), "{s}");
            assert_eq!(check_layout(s, n), Ok(()));
        }
    }

    #[test]
    fn leaves_without_ids_and_single_panes() {
        assert_eq!(layout_leaf_count(&with_checksum("80x24,0,0,0")), Ok(1));
        assert_eq!(layout_leaf_count(&with_checksum("80x24,0,0")), Ok(1));
        let s = with_checksum("80x24,0,0{40x24,0,0,39x24,41,0}");
        assert_eq!(layout_leaf_count(&s), Ok(2));
        // A split with one child is what tmux accepts too.
        assert_eq!(
            layout_leaf_count(&with_checksum("80x24,0,0[80x24,0,0,5]")),
            Ok(1)
        );
        let s = "898f,80x24,0,0{40x24,0,0,1,39x24,41,0[39x24,41,0[39x12,41,0,2,39x11,41,13,3]]}";
        assert_eq!(layout_leaf_count(s), Ok(3));
        // So does an id before a split (it means nothing there).
        let s = "d637,80x24,0,0{40x24,0,0,1,39x24,41,0,7[39x12,41,0,2,39x11,41,13,3]}";
        assert_eq!(layout_leaf_count(s), Ok(3));
        // Leaves without ids, as tmux 3.5a's select-layout takes them.
        let s = "fba4,80x24,0,0{40x24,0,0,39x24,41,0[39x12,41,0,39x11,41,13]}";
        assert_eq!(layout_leaf_count(s), Ok(3));
    }

    #[test]
    fn the_top_cell_size_is_taken_from_its_children() {
        // tmux corrects the top cell (old versions printed it wrong).
        let s = with_checksum("99x99,0,0{40x24,0,0,1,39x24,41,0,2}");
        assert_eq!(layout_leaf_count(&s), Ok(2));
        let s = "2130,99x99,0,0{40x24,0,0,1,39x24,41,0[39x12,41,0,2,39x11,41,13,3]}";
        assert_eq!(layout_leaf_count(s), Ok(3));
    }

    #[test]
    fn checksum_mismatch() {
        // tmux 3.5a refuses this one too ("invalid layout").
        let s = "b25f,80x24,0,0{40x24,0,0,1,39x24,41,0[39x12,41,0,2,39x11,41,13,3]}";
        assert_eq!(
            problem(s),
            LayoutProblem::Checksum {
                stated: 0xb25f,
                computed: 0x1780
            }
        );
        assert_eq!(
            layout_leaf_count(s).unwrap_err().to_string(),
            format!("invalid layout: {s:?} (checksum b25f does not match, expected 1780)")
        );
        // Upper-case hex is the same number, as for tmux's sscanf.
        let upper = "D67E,80x24,0,0{40x24,0,0,0,39x24,41,0[39x12,41,0,1,39x11,41,13,2]}";
        assert_eq!(layout_leaf_count(upper), Ok(3));
    }

    #[test]
    fn syntax_errors_name_the_offset() {
        let cases = [
            ("", 0),
            ("b25", 3),
            ("xb25,80x24,0,0", 0),
            ("b25f80x24,0,0", 4),
        ];
        for (s, offset) in cases {
            assert_eq!(problem(s), LayoutProblem::Syntax { offset }, "{s:?}");
        }
        let bodies = [
            ("80x24,0", 7),                  // no Y
            ("80x24,0,0,", 9),               // comma without an id
            ("80x24,0,0,1x", 9),             // a sibling where none can be
            ("80y24,0,0", 2),                // not x
            ("x24,0,0", 0),                  // no width
            ("80x24,0,0{}", 10),             // empty split
            ("80x24,0,0{40x24,0,0,1", 21),   // unclosed
            ("80x24,0,0{40x24,0,0,1]", 21),  // wrong closer
            ("80x24,0,0,1 ", 11),            // trailing junk
            ("80x24,0,0{40x24,0,0,1,}", 22), // trailing comma
            ("80x24,0,0,99999999999", 10),   // id overflows
            ("80x24,0,0[80x24,0,0,1][", 22), // two roots
            ("80x24,-1,0", 6),               // negative
        ];
        for (body, at) in bodies {
            let s = with_checksum(body);
            assert_eq!(
                problem(&s),
                LayoutProblem::Syntax { offset: at + 5 },
                "{body}"
            );
        }
    }

    #[test]
    fn sizes_must_add_up() {
        // Refused by tmux 3.5a with "size mismatch after applying layout".
        for s in [
            "d73f,80x24,0,0{40x24,0,0,1,39x23,41,0[39x12,41,0,2,39x10,41,13,3]}",
            "66f2,80x24,0,0[80x12,0,0{40x12,0,0,1,40x12,41,0,2},80x11,0,13,3]",
            "17c0,80x24,0,0{40x24,0,0,1,39x24,41,0[39x12,41,0,2,39x12,41,13,3]}",
        ] {
            assert_eq!(problem(s), LayoutProblem::Size, "{s}");
        }
        for body in [
            // Inside: widths 40 + 1 + 40 != 80.
            "80x24,0,0[80x12,0,0{40x12,0,0,1,40x12,41,0,2},80x11,0,13,3]",
            // Children of different heights.
            "80x24,0,0{40x24,0,0,1,39x23,41,0,2}",
            // Inside: 12 + 1 + 12 != 24.
            "80x24,0,0{40x24,0,0,1,39x24,41,0[39x12,41,0,2,39x12,41,13,3]}",
            // Inside: child wider than its top-bottom parent.
            "80x24,0,0{40x24,0,0,1,39x24,41,0[40x12,41,0,2,39x11,41,13,3]}",
        ] {
            assert_eq!(problem(&with_checksum(body)), LayoutProblem::Size, "{body}");
        }
        let s = with_checksum("80x24,0,0{40x24,0,0,1,39x23,41,0,2}");
        assert_eq!(
            layout_leaf_count(&s).unwrap_err().to_string(),
            format!("invalid layout: {s:?} (cell sizes do not add up)")
        );
    }

    #[test]
    fn nesting_and_length_limits() {
        // Each level: a one-child split, as deep as allowed, then one more.
        let nested = |levels: usize| {
            let mut body = "1x1,0,0,0".to_owned();
            for _ in 0..levels {
                body = format!("1x1,0,0[{body}]");
            }
            with_checksum(&body)
        };
        assert_eq!(layout_leaf_count(&nested(MAX_LAYOUT_DEPTH)), Ok(1));
        assert_eq!(
            problem(&nested(MAX_LAYOUT_DEPTH + 1)),
            LayoutProblem::TooDeep
        );
        assert!(nested(MAX_LAYOUT_DEPTH + 1).len() < MAX_LAYOUT_LEN);

        let long = format!("0000,{}", "1".repeat(MAX_LAYOUT_LEN));
        assert_eq!(
            problem(&long),
            LayoutProblem::TooLong {
                len: MAX_LAYOUT_LEN + 5
            }
        );
        assert!(layout_leaf_count(&long)
            .unwrap_err()
            .to_string()
            .ends_with("\"... (too long: 8197 bytes, limit 8192)"));
    }

    #[test]
    fn names_and_strings_for_templates() {
        for name in LAYOUT_NAMES {
            assert_eq!(check_layout(name, 3), Ok(()));
            assert_eq!(check_layout(name, 1), Ok(()));
        }
        assert_eq!(check_layout(FROM_TMUX[0].0, 3), Ok(()));
        assert_eq!(
            check_layout(FROM_TMUX[0].0, 4).unwrap_err().to_string(),
            "layout has 3 panes but the template has 4"
        );
        assert_eq!(
            check_layout(FROM_TMUX[1].0, 3),
            Err(Invalid::LayoutPanes {
                layout: 4,
                template: 3
            }
            .into())
        );
        for bad in ["main", "Tiled", "tiled ", "", "grid", "\u{1b}[2J"] {
            let e = check_layout(bad, 3).unwrap_err();
            assert_eq!(
                e,
                Invalid::Layout {
                    layout: bad.into(),
                    problem: LayoutProblem::NotALayout
                }
                .into()
            );
            assert!(e.to_string().starts_with("invalid layout: "), "{e}");
        }
        assert!(check_layout("\u{1b}[2J", 1)
            .unwrap_err()
            .to_string()
            .starts_with(r#"invalid layout: "\u{1b}[2J" (not a layout name"#));
        // A layout string with a problem says what the problem is.
        assert_eq!(
            check_layout("d67e,80x24,0,0", 1),
            Err(Invalid::Layout {
                layout: "d67e,80x24,0,0".into(),
                problem: LayoutProblem::Checksum {
                    stated: 0xd67e,
                    computed: layout_checksum("80x24,0,0")
                }
            }
            .into())
        );
    }

    #[test]
    fn non_ascii_is_a_syntax_error_not_a_panic() {
        for s in ["é234,1x1,0,0", "1234,1x1,0,0é", "12é,1x1"] {
            assert!(layout_leaf_count(s).is_err(), "{s}");
        }
        let s = with_checksum("1x1,0,0,é");
        assert!(layout_leaf_count(&s).is_err());
    }
}
