//! `agent-share key=value` (and `-j`): the first input byte says whether the
//! value is JSON, the rest is the argument. An accepted assignment splits at
//! the first `=`, has a valid key and a checked value, and can be shared; a
//! refusal is the first problem in the documented order (no `=`, the value,
//! the key).
#![no_main]

use agent_tmux::agent::validate::{self, MAX_KEY_LEN, MAX_VALUE_BYTES};
use agent_tmux::agent::{parse_assignment, Invalid, Registry, SessionId, Value};
use fuzz_checks::{check_error, is_name};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((flags, rest)) = data.split_first() else {
        return;
    };
    let json = flags & 1 == 1;
    let pair = String::from_utf8_lossy(rest);
    match parse_assignment(&pair, json) {
        Ok((key, value)) => {
            let (k, v) = pair.split_once('=').expect("accepted without '='");
            assert_eq!(key, k);
            assert!(is_name(key, MAX_KEY_LEN, "_.-"), "accepted key {key:?}");
            assert_eq!(value.is_json(), json);
            let size = value.check().expect("an accepted value passes its check");
            assert!(size <= MAX_VALUE_BYTES);
            if json {
                assert_eq!(Value::parse_json(v).as_ref(), Ok(&value));
            } else {
                assert_eq!(value.as_display(), v);
            }
            // What was accepted can be shared, and reads back as it was.
            let mut r = Registry::new();
            let _ = r.join(SessionId(1), "g", 0).expect("join");
            let out = r.share(SessionId(1), key, value.clone(), 0).expect("share");
            assert_eq!(out.key, key);
            assert_eq!(r.get(SessionId(1), key).expect("get").value, value);
        }
        Err(e) => {
            check_error(&e);
            let want = match pair.split_once('=') {
                None => Invalid::Assignment(pair.to_string()).into(),
                Some((k, v)) => Value::parse(v, json)
                    .and_then(|_| validate::key(k))
                    .expect_err("refused, yet value and key are fine"),
            };
            assert_eq!(e, want);
        }
    }
});
