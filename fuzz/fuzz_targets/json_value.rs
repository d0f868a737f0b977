//! JSON context values (`agent-share -j`): an accepted value is within the
//! value limit as measured on its compact form, that form is what it shows,
//! shows no control character, and parses back to the same value; a refusal
//! is serde's parse error or the value limit.
#![no_main]

use agent_tmux::agent::{AgentError, Field, Invalid, Limit, Value, MAX_VALUE_BYTES};
use fuzz_checks::check_error;
use libfuzzer_sys::fuzz_target;

/// Whether `j` holds a number that is not an integer: serde_json (without
/// its float_roundtrip feature) may read a float's shortest form back one
/// unit in the last place off, so those don't always round trip exactly.
fn has_float(j: &serde_json::Value) -> bool {
    match j {
        serde_json::Value::Number(n) => n.is_f64(),
        serde_json::Value::Array(a) => a.iter().any(has_float),
        serde_json::Value::Object(o) => o.values().any(has_float),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Value::parse_json(&text) {
        Ok(value) => {
            let Value::Json(json) = &value else {
                panic!("parse_json made a text value");
            };
            let shown = value.as_display();
            assert_eq!(value.to_string(), shown);
            assert_eq!(value.size(), shown.len());
            assert!(value.size() <= MAX_VALUE_BYTES);
            assert_eq!(value.check(), Ok(value.size()));
            assert!(
                !shown.chars().any(char::is_control),
                "control character shown: {shown:?}"
            );
            let again = Value::parse_json(&shown);
            if has_float(json) {
                assert!(again.is_ok() || matches!(again, Err(AgentError::Limit(_))));
            } else {
                assert_eq!(again, Ok(value.clone()), "{shown:?} does not round trip");
            }
        }
        Err(e) => {
            check_error(&e);
            match &e {
                AgentError::Invalid(Invalid::Json(_)) => {
                    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
                }
                AgentError::Limit(Limit::TooLong {
                    field: Field::Value,
                    len,
                    max,
                }) => {
                    assert_eq!(*max, MAX_VALUE_BYTES);
                    assert!(*len > MAX_VALUE_BYTES);
                }
                other => panic!("unexpected error for a JSON value: {other:?}"),
            }
        }
    }
});
