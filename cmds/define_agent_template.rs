//! `define-agent-template [-fu] [-l tmux-layout] name [role:count[:command] ...]`:
//! define (or redefine) a layout template, from a config file or the prompt.
//! Built-in templates are replaced only with `-f`; `-u` removes a user
//! template (restoring the built-in it overrode).

use agent_tmux::agent::layout::Template;

use super::util::{fail, text};
use crate::server::state;
use crate::tmux::{CmdError, CmdResult, CommandSpec, Flow, Item, Target};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"define-agent-template",
    alias: None,
    args: c"fl:qu",
    lower: 1,
    upper: -1,
    usage: c"[-fqu] [-l tmux-layout] name [role:count[:command] ...]",
    target: Target::None,
    flags: 0,
    wraps_upstream: false,
    confirms: true,
    exec,
};

fn exec(item: &mut Item) -> CmdResult {
    let name = text(item.arg_bytes(0))?.ok_or("no template name given")?;
    let specs: Vec<&str> = (1..item.count())
        .map(|i| text(item.arg_bytes(i)).map(Option::unwrap_or_default))
        .collect::<Result<_, CmdError>>()?;
    if item.has('u') {
        if !specs.is_empty() || item.has('l') {
            return Err("-u takes only a template name".into());
        }
        state::templates_mut(|t| t.undefine(name)).map_err(fail)?;
        return Ok(Flow::Done);
    }
    let layout = text(item.value_bytes('l'))?;
    let template = Template::parse(name, layout, &specs).map_err(fail)?;
    state::templates_mut(|t| t.define(template, item.has('f'))).map_err(fail)?;
    Ok(Flow::Done)
}
