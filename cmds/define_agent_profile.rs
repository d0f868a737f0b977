//! `define-agent-profile [-pu] [-c command[,command]] [-d debounce] [-l lines]
//! name [rule ...]`: define (or replace) an agent profile, the rules agent
//! state reads a CLI's screen and title with. A rule is
//! `[title:]STATE[:REASON]=PATTERN` (a regular expression); a profile named
//! like a built-in one overrides it. `-u` removes a user profile (restoring
//! the built-in it overrode). Everything is checked before anything changes.

use agent_tmux::agent::state::Profile;

use super::util::text;
use crate::server::state;
use crate::tmux::{CmdError, CmdResult, CommandSpec, Flow, Item};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"define-agent-profile",
    args: c"c:d:l:pu",
    lower: 1,
    upper: -1,
    usage: c"[-pu] [-c command[,command]] [-d debounce] [-l lines] name [rule ...]",
    exec,
    ..CommandSpec::BASE
};

fn number<T: std::str::FromStr>(
    item: &Item,
    flag: char,
    what: &'static str,
    allowed: &str,
) -> Result<Option<T>, CmdError> {
    let Some(v) = text(item.value_bytes(flag))? else {
        return Ok(None);
    };
    v.trim()
        .parse::<T>()
        .map(Some)
        .map_err(|_| CmdError::BadValue {
            what,
            value: v.to_string(),
            allowed: allowed.to_string(),
        })
}

fn exec(item: &mut Item) -> CmdResult {
    let name = text(item.arg_bytes(0))?.ok_or(CmdError::Usage("no profile name given"))?;
    let rules: Vec<&str> = (1..item.count())
        .map(|i| text(item.arg_bytes(i)).map(Option::unwrap_or_default))
        .collect::<Result<_, CmdError>>()?;
    let fail = |e: agent_tmux::agent::state::ProfileError| {
        CmdError::Failed(format!("define-agent-profile: {e}"))
    };
    if item.has('u') {
        if !rules.is_empty() || item.has('c') || item.has('d') || item.has('l') || item.has('p') {
            return Err(CmdError::Usage("-u takes only a profile name"));
        }
        state::profiles_mut(|p| p.remove(name)).map_err(fail)?;
        return Ok(Flow::Done);
    }
    let commands: Vec<String> = text(item.value_bytes('c'))?
        .map(|c| c.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let debounce = number::<u64>(item, 'd', "debounce", "milliseconds")?;
    let lines = number::<u32>(item, 'l', "lines", "a number of lines")?;
    let profile =
        Profile::define(name, &commands, &rules, debounce, lines, item.has('p')).map_err(fail)?;
    state::profiles_mut(|p| p.define(profile)).map_err(fail)?;
    Ok(Flow::Done)
}
