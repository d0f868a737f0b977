//! `list-agent-prompts [-aJ] [-F format] [-f filter] [-t target-pane]`
//! (alias `lsapr`): prompt deliveries (`agent-prompt` receipts) with their
//! state: the unfinished ones, or with `-a` the finished ones the server
//! still remembers too; `-t` only those of one pane.

use agent_tmux::agent::prompt::Receipt;
use serde_json::json;

use super::layout_util::resolve_tmux_pane;
use super::list::List;
use super::util::text;
use crate::server::prompt;
use crate::tmux::format::Format;
use crate::tmux::{self, CmdResult, CommandSpec, Flow, Item, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"list-agent-prompts",
    alias: Some(c"lsapr"),
    args: c"aF:f:Jt:",
    usage: c"[-aJ] [-F format] [-f filter] [-t target-pane]",
    flags: READONLY,
    exec,
    ..CommandSpec::BASE
};

const DEFAULT_FORMAT: &str =
    "#{prompt_id}: pane=#{prompt_pane} state=#{prompt_state}#{?prompt_reason, (#{prompt_reason}),}";

/// Unix seconds of a time on the server's ms clock.
fn unix(ms: Option<u64>) -> String {
    ms.map(|m| {
        let ago = crate::server::state::now_ms().saturating_sub(m) / 1000;
        (tmux::now() - ago as i64).to_string()
    })
    .unwrap_or_default()
}

fn between(a: Option<u64>, b: Option<u64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => b.saturating_sub(a).to_string(),
        _ => String::new(),
    }
}

fn formats(r: &Receipt, ft: &mut Format<'_>) {
    let flag = |b: bool| if b { "1" } else { "0" };
    ft.pane(r.pane)
        .add("prompt_id", &r.id.to_string())
        .add("prompt_pane", &r.pane.to_string())
        .add("prompt_state", r.phase.name())
        .add("prompt_reason", &r.reason)
        .add("prompt_group", r.group.as_deref().unwrap_or(""))
        .add("prompt_text", &r.text)
        .add("prompt_length", &r.text.chars().count().to_string())
        .add("prompt_deferred", flag(r.deferred))
        .add("prompt_rescued", flag(r.rescued))
        .add("prompt_forced", flag(r.options.force))
        .add("prompt_created", &unix(Some(r.created_ms)))
        .add("prompt_pasted", &unix(r.pasted_ms))
        .add("prompt_finished", &unix(r.finished_ms))
        .add(
            "prompt_queued_ms",
            &between(Some(r.created_ms), r.pasted_ms),
        )
        .add("prompt_submit_ms", &between(r.entered_ms, r.finished_ms))
        .add(
            "prompt_total_ms",
            &between(Some(r.created_ms), r.finished_ms),
        );
}

fn to_json(r: &Receipt) -> serde_json::Value {
    let ms = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (Some(a), Some(b)) => json!(b.saturating_sub(a)),
        _ => serde_json::Value::Null,
    };
    json!({
        "id": r.id.to_string(),
        "pane": r.pane.to_string(),
        "state": r.phase.name(),
        "reason": r.reason,
        "group": r.group,
        "text": r.text,
        "deferred": r.deferred,
        "rescued": r.rescued,
        "forced": r.options.force,
        "queued_ms": ms(Some(r.created_ms), r.pasted_ms),
        "submit_ms": ms(r.entered_ms, r.finished_ms),
        "total_ms": ms(Some(r.created_ms), r.finished_ms),
    })
}

fn exec(item: &mut Item) -> CmdResult {
    let list = List::new(item)?;
    let pane = match text(item.value_bytes('t'))? {
        Some(t) => Some(resolve_tmux_pane(item, Some(t))?),
        None => None,
    };
    let rows: Vec<Receipt> = prompt::all()
        .into_iter()
        .filter(|r| item.has('a') || !r.phase.is_final())
        .filter(|r| pane.is_none_or(|p| p == r.pane))
        .collect();
    let rows = list.select(rows, |r, ft| {
        formats(r, ft);
        true
    });
    list.print("prompts", &rows, to_json, |r| r.ft.expand(DEFAULT_FORMAT));
    Ok(Flow::Done)
}
