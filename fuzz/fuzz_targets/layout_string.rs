//! tmux layout strings (`define-agent-template -l`): each input is checked
//! as given and again with its correct checksum in front, so the fuzzer
//! reaches the cell parser. An accepted string has a matching checksum, is
//! within the length limit, and has as many leaves as cells minus splits;
//! a refusal points inside the string.
#![no_main]

use agent_tmux::agent::layout::{
    check_layout, layout_checksum, layout_leaf_count, with_checksum, LAYOUT_NAMES, MAX_LAYOUT_LEN,
};
use agent_tmux::agent::{AgentError, Invalid, LayoutProblem};
use fuzz_checks::check_error;
use libfuzzer_sys::fuzz_target;

fn check(s: &str) {
    match layout_leaf_count(s) {
        Ok(leaves) => {
            assert!(s.len() <= MAX_LAYOUT_LEN);
            let stated = u16::from_str_radix(&s[..4], 16).expect("a hex checksum");
            assert_eq!(&s[4..5], ",");
            assert_eq!(stated, layout_checksum(&s[5..]));
            // Every cell has one `x` (between its width and height) and each
            // split one opening bracket; the rest are digits and commas.
            let count = |c: char| s[5..].matches(c).count();
            assert_eq!(leaves as usize, count('x') - count('{') - count('['));
            assert_eq!(check_layout(s, leaves), Ok(()));
            let more = leaves + 1;
            assert_eq!(
                check_layout(s, more),
                Err(Invalid::LayoutPanes {
                    layout: leaves,
                    template: more
                }
                .into())
            );
        }
        Err(e) => {
            check_error(&e);
            let AgentError::Invalid(Invalid::Layout { layout, problem }) = &e else {
                panic!("unexpected error for a layout string: {e:?}");
            };
            assert_eq!(layout, s);
            match *problem {
                LayoutProblem::Syntax { offset } => assert!(offset <= s.len()),
                LayoutProblem::Checksum { stated, computed } => {
                    assert_ne!(stated, computed);
                    assert_eq!(computed, layout_checksum(&s[5..]));
                }
                LayoutProblem::TooLong { len } => {
                    assert!(len == s.len() && len > MAX_LAYOUT_LEN)
                }
                LayoutProblem::Size | LayoutProblem::TooDeep => {}
                LayoutProblem::NotALayout => panic!("NotALayout from layout_leaf_count"),
            }
            if !LAYOUT_NAMES.contains(&s) {
                assert!(check_layout(s, 1).is_err());
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    check(&s);
    check(&with_checksum(&s));
});
