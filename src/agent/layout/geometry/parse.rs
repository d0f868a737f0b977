//! The layout-string parser: the prefix and checksum, the cell grammar
//! (`WxH,X,Y[,ID]` then `{...}`, `[...]` or nothing) and whether the cell
//! sizes add up as tmux requires.

use super::{has_checksum_prefix, layout_checksum, MAX_LAYOUT_DEPTH, MAX_LAYOUT_LEN};
use crate::agent::error::LayoutProblem;

/// How many leaves layout string `s` has, or what is wrong with it: the
/// work of [`super::layout_leaf_count`].
pub(super) fn leaf_count(s: &str) -> Result<u32, LayoutProblem> {
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
