//! `list-agent-profiles [-J] [-F format] [-f filter]`: the agent profiles in
//! effect (built-in ones, and the user's, which override built-in ones of
//! the same name), in name order, with their rules.

use serde_json::json;

use agent_tmux::agent::state::Profile;

use super::list::List;
use crate::server::state;
use crate::tmux::{CmdResult, CommandSpec, Flow, Item, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"list-agent-profiles",
    args: c"F:f:J",
    usage: c"[-J] [-F format] [-f filter]",
    flags: READONLY,
    exec,
    ..CommandSpec::BASE
};

const DEFAULT_FORMAT: &str = "#{profile_name}: commands=#{?profile_commands,#{profile_commands},-} debounce=#{profile_debounce}ms lines=#{profile_lines} rules=#{profile_rule_count}#{?profile_builtin, (built in),}#{?profile_overrides, (overrides built in),}";

fn exec(item: &mut Item) -> CmdResult {
    let list = List::new(item)?;
    let profiles: Vec<(Profile, bool)> = state::profiles(|ps| {
        ps.all()
            .map(|p| (p.clone(), ps.overrides(&p.name)))
            .collect()
    });
    let rows = list.select(profiles, |(p, overrides), ft| {
        let rules: Vec<String> = p.rules.iter().map(|r| r.spec()).collect();
        ft.add("profile_name", &p.name)
            .add("profile_commands", &p.commands.join(","))
            .add("profile_debounce", &p.debounce_ms.to_string())
            .add("profile_lines", &p.lines.to_string())
            .add("profile_rule_count", &p.rules.len().to_string())
            .add("profile_rules", &rules.join("\n"))
            .add("profile_needs_paste", if p.needs_paste { "1" } else { "0" })
            .add("profile_builtin", if p.builtin { "1" } else { "0" })
            .add("profile_overrides", if *overrides { "1" } else { "0" });
        true
    });
    list.print(
        "profiles",
        &rows,
        |(p, o)| profile_json(p, *o),
        |r| r.ft.expand(DEFAULT_FORMAT),
    );
    Ok(Flow::Done)
}

fn profile_json(p: &Profile, overrides: bool) -> serde_json::Value {
    json!({
        "name": p.name,
        "builtin": p.builtin,
        "overrides": overrides,
        "commands": p.commands,
        "debounce_ms": p.debounce_ms,
        "lines": p.lines,
        "needs_paste": p.needs_paste,
        "rules": p.rules.iter().map(|r| r.spec()).collect::<Vec<_>>(),
    })
}
