//! Texts as raw bytes: `text_from_bytes` accepts exactly UTF-8 and reports
//! the first bad byte; a message, a goal and a text value are accepted
//! exactly when within their limits and free of refused control characters
//! (a message also not empty); an accepted message is delivered to a group
//! and consumed once, unchanged.
#![no_main]

use agent_tmux::agent::inbox::InboxLimits;
use agent_tmux::agent::validate::{self, MAX_GOAL_BYTES, MAX_MESSAGE_BYTES, MAX_VALUE_BYTES};
use agent_tmux::agent::{text_from_bytes, AgentError, Invalid, Registry, SendTo, SessionId, Value};
use fuzz_checks::{check_error, is_refused};
use libfuzzer_sys::fuzz_target;

type Check = fn(&str) -> Result<(), AgentError>;

fn delivered_once(text: &str) {
    let mut r = Registry::new();
    let [one, two, three] = [1, 2, 3].map(SessionId);
    for id in [one, two, three] {
        let _ = r.join(id, "g", 0).expect("join");
    }
    let out = r
        .send(Some(one), "one", SendTo::Group("g"), text, 5, |_| {
            InboxLimits::count(2)
        })
        .expect("an accepted message is sent");
    let to: Vec<SessionId> = out.delivered.iter().map(|d| d.to).collect();
    assert_eq!(to, [two, three]);
    for id in [two, three] {
        let got = r.consume(id, None).expect("consume");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].text, text);
        assert_eq!((got[0].seq, got[0].from), (1, Some(one)));
        assert!(r.consume(id, None).expect("consume").is_empty());
    }
    assert_eq!(r.inbox(one).expect("inbox").delivered(), 0);
}

fuzz_target!(|data: &[u8]| {
    let text = match text_from_bytes(data) {
        Ok(text) => {
            assert_eq!(text.as_bytes(), data);
            text
        }
        Err(e) => {
            check_error(&e);
            let want = std::str::from_utf8(data).expect_err("refused valid UTF-8");
            assert_eq!(
                e,
                Invalid::Utf8 {
                    offset: want.valid_up_to()
                }
                .into()
            );
            return;
        }
    };
    let clean = !text.chars().any(is_refused);
    let checks: [(Check, usize, bool); 3] = [
        (validate::message, MAX_MESSAGE_BYTES, false),
        (validate::goal, MAX_GOAL_BYTES, true),
        (validate::text_value, MAX_VALUE_BYTES, true),
    ];
    for (check, max, empty_ok) in checks {
        let want = clean && text.len() <= max && (empty_ok || !text.is_empty());
        match check(text) {
            Ok(()) => assert!(want, "accepted {text:?}"),
            Err(e) => {
                assert!(!want, "refused {text:?}: {e}");
                check_error(&e);
            }
        }
    }
    assert_eq!(
        Value::text(text).map(|v| v.as_display()),
        validate::text_value(text).map(|()| text.to_owned())
    );
    if validate::message(text).is_ok() {
        delivered_once(text);
    }
});
