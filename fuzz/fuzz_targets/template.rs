//! Templates as `define-agent-template` and `new-agent-layout -e` take
//! them. Input lines: the template name, the layout (empty: none), then
//! role specs `role:count[:command]`, with `-e role=command` lines for
//! command overrides. An accepted template has valid, distinct roles, counts
//! and commands within the limits, distinct valid labels, a layout that fits
//! its panes, and its specs parse back to it; overrides pass the plan only
//! when their roles are the template's, given once, with valid commands.
#![no_main]

use std::collections::BTreeSet;

use agent_tmux::agent::layout::{
    self, Layouts, Template, LAYOUT_NAMES, MAX_LABEL_LEN, MAX_PANES, MAX_ROLE_COUNT,
    MAX_ROLE_NAME_LEN, MAX_TEMPLATE_NAME_LEN,
};
use agent_tmux::agent::{parse_override, CreatePlan, Invalid};
use fuzz_checks::{check_error, is_name};
use libfuzzer_sys::fuzz_target;

fn check_template(t: &Template, name: &str, layout: Option<&str>, specs: &[&str]) {
    assert_eq!(t.name, name);
    assert!(is_name(name, MAX_TEMPLATE_NAME_LEN, "_.+-"));
    assert!(!t.builtin);
    assert_eq!(t.layout.as_deref(), layout);
    assert_eq!(t.roles.len(), specs.len());
    let mut roles = BTreeSet::new();
    for (r, spec) in t.roles.iter().zip(specs) {
        assert!(is_name(&r.role, MAX_ROLE_NAME_LEN, "_.-"));
        assert!(roles.insert(r.role.as_str()), "role {} twice", r.role);
        assert!((1..=MAX_ROLE_COUNT).contains(&r.count));
        assert!(spec.starts_with(&format!("{}:", r.role)));
        if let Some(c) = &r.command {
            assert!(layout::command(&r.role, c).is_ok());
            assert!(spec.ends_with(&format!(":{c}")));
        }
    }
    let panes = t.pane_count();
    assert!((1..=MAX_PANES).contains(&panes));
    let slots = t.slots();
    assert_eq!(slots.len(), panes as usize);
    let labels: BTreeSet<&str> = slots.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels.len(), slots.len(), "labels not distinct");
    for l in &labels {
        assert!(is_name(l, MAX_LABEL_LEN, "_.-"), "label {l:?}");
    }
    let mut expected = t
        .roles
        .iter()
        .flat_map(|r| std::iter::repeat_n(r, r.count as usize));
    for s in &slots {
        let r = expected.next().expect("a slot per pane");
        assert_eq!((&s.role, &s.command), (&r.role, &r.command));
    }
    if let Some(l) = layout {
        if !LAYOUT_NAMES.contains(&l) {
            assert_eq!(layout::layout_leaf_count(l), Ok(panes));
        }
    }
    // The specs as shown parse back to the same template.
    let shown: Vec<String> = t.roles.iter().map(ToString::to_string).collect();
    let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
    assert_eq!(Template::parse(name, layout, &shown).as_ref(), Ok(t));
}

fn check_overrides(t: &Template, args: &[&str]) {
    let mut overrides = Vec::new();
    for arg in args {
        match parse_override(arg) {
            Ok((role, command)) => {
                assert_eq!(format!("{role}={command}"), *arg);
                assert!(!role.contains('='));
                overrides.push((role, command));
            }
            Err(e) => {
                check_error(&e);
                assert!(!arg.contains('='));
                assert_eq!(e, Invalid::Override(arg.to_string()).into());
                return;
            }
        }
    }
    let fine = overrides.iter().enumerate().all(|(i, (role, command))| {
        t.roles.iter().any(|r| r.role == *role)
            && !overrides[..i].iter().any(|(r, _)| r == role)
            && layout::command(role, command).is_ok()
    });
    match Layouts::new().plan(t, &overrides, None, 1) {
        Ok(plan) => {
            assert!(fine, "accepted overrides {overrides:?}");
            assert_eq!(plan, CreatePlan::New);
            for s in t.slots_with(&overrides) {
                let want = overrides
                    .iter()
                    .find(|(r, _)| *r == s.role)
                    .map(|(_, c)| c.clone())
                    .or_else(|| t.roles.iter().find(|r| r.role == s.role)?.command.clone());
                assert_eq!(s.command, want);
            }
        }
        Err(e) => {
            assert!(!fine, "refused overrides {overrides:?}: {e}");
            check_error(&e);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let mut lines = input.split('\n');
    let name = lines.next().unwrap_or_default();
    let layout = lines.next().filter(|l| !l.is_empty());
    let (args, specs): (Vec<&str>, Vec<&str>) = lines.partition(|l| l.starts_with("-e "));
    let args: Vec<&str> = args.iter().map(|a| &a[3..]).collect();
    match Template::parse(name, layout, &specs) {
        Ok(t) => {
            check_template(&t, name, layout, &specs);
            check_overrides(&t, &args);
        }
        Err(e) => check_error(&e),
    }
});
