//! `define-agent-template [-fquw] [-l tmux-layout] name [role:count[:command] ...]`:
//! define (or redefine) a layout template, from a config file or the prompt.
//! `-w`: its layouts give each pane a git worktree (as `new-agent-layout -w`).
//! Built-in templates are replaced only with `-f`; `-u` removes a user
//! template (restoring the built-in it overrode).

use agent_tmux::agent::layout::Template;

use super::util::text;
use crate::server::state;
use crate::tmux::{CmdError, CmdResult, CommandSpec, Flow, Item};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"define-agent-template",
    args: c"fl:quw",
    lower: 1,
    upper: -1,
    usage: c"[-fquw] [-l tmux-layout] name [role:count[:command] ...]",
    confirms: true,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    let name = text(item.arg_bytes(0))?.ok_or(CmdError::Usage("no template name given"))?;
    let specs: Vec<&str> = (1..item.count())
        .map(|i| text(item.arg_bytes(i)).map(Option::unwrap_or_default))
        .collect::<Result<_, CmdError>>()?;
    if item.has('u') {
        if !specs.is_empty() || item.has('l') || item.has('w') {
            return Err(CmdError::Usage("-u takes only a template name"));
        }
        state::templates_mut(|t| t.undefine(name))?;
        return Ok(Flow::Done);
    }
    let layout = text(item.value_bytes('l'))?;
    let mut template = Template::parse(name, layout, &specs)?;
    template.worktree = item.has('w');
    state::templates_mut(|t| t.define(template, item.has('f')))?;
    Ok(Flow::Done)
}
