//! The output of list commands, one shape for all: each row gets a format
//! tree (its formats added by the command), `-f filter` keeps the rows it
//! is true for, and then either `-J` prints one JSON document
//! `{"KEY": [row, ...]}`, or each row prints one line: `-F format`
//! expanded, else the command's default line.

use serde_json::{Map, Value as Json};

use super::util::{print_json, text};
use crate::tmux::format::Format;
use crate::tmux::{CmdError, Item};

/// A list command's `-F`, `-f` and `-J` (a command without one of these
/// flags never has it set).
pub struct List<'a> {
    item: &'a Item,
    /// `-F`.
    pub template: Option<&'a str>,
    filter: Option<&'a str>,
    /// `-J`.
    pub json: bool,
}

/// One row that the filter kept, with its format tree.
pub struct Row<'a, R> {
    pub row: R,
    pub ft: Format<'a>,
}

impl<'a> List<'a> {
    pub fn new(item: &'a Item) -> Result<Self, CmdError> {
        Ok(List {
            item,
            template: text(item.value_bytes('F'))?,
            filter: text(item.value_bytes('f'))?,
            json: item.has('J'),
        })
    }

    /// The rows `-f` keeps, in order. `formats` adds a row's formats to its
    /// tree; a row it returns false for (gone meanwhile) is left out.
    pub fn select<R>(
        &self,
        rows: impl IntoIterator<Item = R>,
        formats: impl Fn(&R, &mut Format<'a>) -> bool,
    ) -> Vec<Row<'a, R>> {
        rows.into_iter()
            .filter_map(|row| {
                let mut ft = self.item.format();
                let kept = formats(&row, &mut ft) && self.filter.is_none_or(|f| ft.matches(f));
                kept.then_some(Row { row, ft })
            })
            .collect()
    }

    /// Print the rows: with `-J` the document `{key: [json(row), ...]}`,
    /// else one line per row, `-F` expanded or `default(row)`.
    pub fn print<R>(
        &self,
        key: &str,
        rows: &[Row<'a, R>],
        json: impl Fn(&R) -> Json,
        default: impl Fn(&Row<'a, R>) -> String,
    ) {
        if self.json {
            // Moved in, not through `json!`, which would write numbers of
            // context values again (see `util::put`).
            let docs: Vec<Json> = rows.iter().map(|r| json(&r.row)).collect();
            let mut doc = Map::new();
            doc.insert(key.to_string(), Json::Array(docs));
            print_json(self.item, &Json::Object(doc));
        } else {
            self.print_lines(rows, default);
        }
    }

    /// One line per row: `-F` expanded, else `default(row)`.
    pub fn print_lines<R>(&self, rows: &[Row<'a, R>], default: impl Fn(&Row<'a, R>) -> String) {
        for r in rows {
            let line = match self.template {
                Some(t) => r.ft.expand(t),
                None => default(r),
            };
            self.item.print(&line);
        }
    }
}
