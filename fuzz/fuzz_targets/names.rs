//! Every name of the domain (group name, key, agent type, template name,
//! role name, pane label, idempotency key) and the `L<n>`/`M<n>` ids: each
//! is accepted exactly when it has the documented syntax, and a refusal
//! names the field and carries the input.
#![no_main]

use agent_tmux::agent::layout::{
    self, MAX_LABEL_LEN, MAX_LAYOUT_KEY_LEN, MAX_ROLE_NAME_LEN, MAX_TEMPLATE_NAME_LEN,
};
use agent_tmux::agent::validate::{self, MAX_AGENT_TYPE_LEN, MAX_GROUP_NAME_LEN, MAX_KEY_LEN};
use agent_tmux::agent::{AgentError, Invalid};
use agent_tmux::ids::{LayoutId, ManagedId};
use fuzz_checks::{check_error, is_name};
use libfuzzer_sys::fuzz_target;

type Check = fn(&str) -> Result<(), AgentError>;

const NAMES: [(Check, usize, &str); 7] = [
    (validate::group_name, MAX_GROUP_NAME_LEN, "_.-"),
    (validate::key, MAX_KEY_LEN, "_.-"),
    (validate::agent_type, MAX_AGENT_TYPE_LEN, "_.-"),
    (layout::template_name, MAX_TEMPLATE_NAME_LEN, "_.+-"),
    (layout::role_name, MAX_ROLE_NAME_LEN, "_.-"),
    (layout::label, MAX_LABEL_LEN, "_.-"),
    (layout::layout_key, MAX_LAYOUT_KEY_LEN, "_.-"),
];

fn check_id(s: &str, prefix: char, parsed: Option<u32>) {
    let digits = s
        .strip_prefix(prefix)
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    let want = digits
        .and_then(|d| d.parse::<u32>().ok())
        .filter(|&n| n != 0);
    assert_eq!(parsed, want, "{s:?}");
    if let Some(n) = parsed {
        assert_eq!(digits.unwrap().trim_start_matches('0'), n.to_string());
    }
}

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    for (check, max, punct) in NAMES {
        match check(&s) {
            Ok(()) => assert!(is_name(&s, max, punct), "accepted {s:?}"),
            Err(e) => {
                assert!(!is_name(&s, max, punct), "refused {s:?}: {e}");
                match &e {
                    AgentError::Invalid(Invalid::Name { name, .. }) => assert_eq!(*name, *s),
                    other => panic!("unexpected error for a name: {other:?}"),
                }
                check_error(&e);
            }
        }
    }
    check_id(&s, 'L', s.parse::<LayoutId>().ok().map(|id| id.0));
    check_id(&s, 'M', s.parse::<ManagedId>().ok().map(|id| id.0));
});
