use super::*;

const P: PaneId = PaneId(3);

fn look(gate: Gate) -> Look {
    Look {
        gate,
        input: Input::Unknown,
        human_ms: None,
        program: Some(100),
        refuses: None,
    }
}

fn opts() -> Options {
    Options::default()
}

fn phases(out: &[Action]) -> Vec<String> {
    out.iter()
        .filter_map(|a| match a {
            Action::Changed { id, phase, .. } => Some(format!("{id} {phase}")),
            _ => None,
        })
        .collect()
}

fn pastes(out: &[Action]) -> Vec<String> {
    out.iter()
        .filter_map(|a| match a {
            Action::Paste { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn has(out: &[Action], f: impl Fn(&Action) -> bool) -> bool {
    out.iter().any(f)
}

fn enter(out: &[Action]) -> bool {
    has(out, |a| matches!(a, Action::Enter { .. }))
}

fn armed(out: &[Action], t: Timer) -> Option<u64> {
    out.iter().find_map(|a| match a {
        Action::Arm { timer, ms, .. } if *timer == t => Some(*ms),
        _ => None,
    })
}

#[test]
fn ids_read_and_write_p_n() {
    assert_eq!(ReceiptId(7).to_string(), "P7");
    assert_eq!("P12".parse::<ReceiptId>(), Ok(ReceiptId(12)));
    for bad in ["P0", "P", "p1", "P-1", "P1x", "12", " P1"] {
        assert!(bad.parse::<ReceiptId>().is_err(), "{bad}");
    }
}

#[test]
fn idle_agent_queued_pasted_entered_submitted_when_it_starts_working() {
    let mut r = Receipts::default();
    let idle = look(Gate::Idle);
    let (id, out) = r.submit(P, "hi".into(), None, opts(), &idle, 0).unwrap();
    assert_eq!(phases(&out), ["P1 queued", "P1 pasted"]);
    assert_eq!(pastes(&out), ["hi"]);
    assert_eq!(armed(&out, Timer::Enter), Some(1000));
    // Nothing happens before Enter, even if the agent starts working.
    assert!(phases(&r.observe(P, &look(Gate::Working), 500)).is_empty());
    let out = r.fire(id, Timer::Enter, &idle, 1000);
    assert!(enter(&out));
    assert_eq!(armed(&out, Timer::Check), Some(3000));
    assert_eq!(r.get(id).unwrap().phase, Phase::Pasted);
    let out = r.observe(P, &look(Gate::Working), 1200);
    assert_eq!(phases(&out), ["P1 submitted"]);
    assert_eq!(r.get(id).unwrap().finished_ms, Some(1200));
    // The stale check timer does nothing.
    assert!(r.fire(id, Timer::Check, &idle, 4000).is_empty());
}

#[test]
fn a_dialog_right_after_enter_or_an_empty_input_box_is_submitted_too() {
    let mut r = Receipts::default();
    let idle = look(Gate::Idle);
    let (a, _) = r.submit(P, "a".into(), None, opts(), &idle, 0).unwrap();
    r.fire(a, Timer::Enter, &idle, 1000);
    let out = r.observe(P, &look(Gate::Waiting("permission".into())), 1100);
    assert_eq!(phases(&out), ["P1 submitted"]);
    let (b, _) = r.submit(P, "b".into(), None, opts(), &idle, 2000).unwrap();
    r.fire(b, Timer::Enter, &idle, 3000);
    let empty = Look {
        input: Input::Empty,
        ..idle.clone()
    };
    assert_eq!(phases(&r.observe(P, &empty, 3100)), ["P2 submitted"]);
}

#[test]
fn a_plain_program_ends_sent_once_enter_is_written() {
    let mut r = Receipts::default();
    let plain = look(Gate::Plain);
    let (id, _) = r.submit(P, "x".into(), None, opts(), &plain, 0).unwrap();
    let out = r.fire(id, Timer::Enter, &plain, 1000);
    assert!(enter(&out));
    assert_eq!(phases(&out), ["P1 sent"]);
}

#[test]
fn working_agent_defers_in_order_and_pastes_the_next_only_after_the_previous_is_submitted() {
    let mut r = Receipts::default();
    let working = look(Gate::Working);
    let (a, out) = r
        .submit(P, "one".into(), None, opts(), &working, 0)
        .unwrap();
    assert_eq!(phases(&out), ["P1 queued", "P1 queued"]);
    assert!(pastes(&out).is_empty());
    assert_eq!(r.get(a).unwrap().reason, "deferred: the agent is working");
    let (b, out) = r
        .submit(P, "two".into(), None, opts(), &working, 10)
        .unwrap();
    assert!(pastes(&out).is_empty());
    // Idle: only the first is pasted.
    let idle = look(Gate::Idle);
    let out = r.observe(P, &idle, 5000);
    assert_eq!(pastes(&out), ["one"]);
    assert!(r.get(a).unwrap().deferred);
    assert!(
        pastes(&r.observe(P, &idle, 5001)).is_empty(),
        "never pasted twice"
    );
    r.fire(a, Timer::Enter, &idle, 6000);
    let out = r.observe(P, &working, 6100);
    assert_eq!(phases(&out), ["P1 submitted", "P2 queued"]);
    assert!(pastes(&out).is_empty(), "the second waits for the new turn");
    let out = r.observe(P, &idle, 9000);
    assert_eq!(pastes(&out), ["two"]);
    assert_eq!(r.queued(P), [b]);
}

#[test]
fn never_pasted_into_a_dialog_or_while_starting_unless_forced() {
    let mut r = Receipts::default();
    let dialog = look(Gate::Waiting("permission".into()));
    let (a, out) = r.submit(P, "a".into(), None, opts(), &dialog, 0).unwrap();
    assert!(pastes(&out).is_empty());
    assert_eq!(
        r.get(a).unwrap().reason,
        "deferred: the agent is waiting (permission)"
    );
    assert!(pastes(&r.observe(P, &look(Gate::Starting), 10)).is_empty());
    assert!(pastes(&r.observe(P, &look(Gate::Working), 20)).is_empty());
    assert_eq!(pastes(&r.observe(P, &look(Gate::Idle), 30)), ["a"]);
    let mut r = Receipts::default();
    let forced = Options {
        force: true,
        ..opts()
    };
    let (_, out) = r.submit(P, "f".into(), None, forced, &dialog, 0).unwrap();
    assert_eq!(pastes(&out), ["f"], "-f overrides");
}

#[test]
fn now_only_refuses_instead_of_waiting() {
    let mut r = Receipts::default();
    let n = Options {
        now_only: true,
        ..opts()
    };
    let e = r
        .submit(P, "a".into(), None, n.clone(), &look(Gate::Working), 0)
        .unwrap_err();
    assert_eq!(
        e.render(P),
        "not prompting pane %3: the agent is working (-n)"
    );
    let e = r
        .submit(
            P,
            "a".into(),
            None,
            n.clone(),
            &look(Gate::Waiting("question".into())),
            0,
        )
        .unwrap_err();
    assert_eq!(
        e.render(P),
        "not prompting pane %3: the agent is waiting (question) (-n)"
    );
    assert!(r.iter().next().is_none(), "nothing queued");
    let idle = look(Gate::Idle);
    r.submit(P, "first".into(), None, opts(), &idle, 0).unwrap();
    let e = r
        .submit(P, "b".into(), None, n.clone(), &idle, 0)
        .unwrap_err();
    assert_eq!(
        e.render(P),
        "not prompting pane %3: 1 prompt(s) ahead in its queue (-n)"
    );
    let forced = Options { force: true, ..n };
    assert!(r
        .submit(P, "c".into(), None, forced, &look(Gate::Working), 0)
        .is_ok());
}

#[test]
fn rescue_once_closes_what_is_in_the_way_then_enter_again_and_never_pastes_twice() {
    let mut r = Receipts::default();
    let idle = Look {
        input: Input::Holds,
        ..look(Gate::Idle)
    };
    let (id, out) = r
        .submit(P, "/review".into(), None, opts(), &idle, 0)
        .unwrap();
    assert_eq!(pastes(&out).len(), 1);
    r.fire(id, Timer::Enter, &idle, 1000);
    // The picker took the Enter: still idle, text still there.
    let out = r.fire(id, Timer::Check, &idle, 4000);
    assert!(has(&out, |a| matches!(a, Action::Rescue { .. })));
    assert!(!enter(&out));
    assert_eq!(armed(&out, Timer::RescueEnter), Some(RESCUE_ENTER_MS));
    let out = r.fire(id, Timer::RescueEnter, &idle, 4200);
    assert!(enter(&out));
    assert!(pastes(&out).is_empty());
    let out = r.observe(P, &look(Gate::Working), 4300);
    assert_eq!(phases(&out), ["P1 submitted"]);
    assert!(r.get(id).unwrap().rescued);
}

#[test]
fn after_one_rescue_it_fails_with_the_reason_and_leaves_the_text() {
    let mut r = Receipts::default();
    let idle = Look {
        input: Input::Holds,
        ..look(Gate::Idle)
    };
    let (id, _) = r.submit(P, "stuck".into(), None, opts(), &idle, 0).unwrap();
    r.fire(id, Timer::Enter, &idle, 1000);
    r.fire(id, Timer::Check, &idle, 4000);
    r.fire(id, Timer::RescueEnter, &idle, 4200);
    let out = r.fire(id, Timer::Check, &idle, 7200);
    assert_eq!(phases(&out), ["P1 failed"]);
    assert!(!has(&out, |a| matches!(
        a,
        Action::Rescue { .. } | Action::Enter { .. } | Action::Paste { .. }
    )));
    let reason = &r.get(id).unwrap().reason;
    assert!(
        reason.starts_with("not submitted: the agent did not start within 3 s, even after"),
        "{reason}"
    );
    assert!(reason.ends_with("the text is left in its input"));
    // Without rescue (profile can't): fails at the first check.
    let mut r = Receipts::default();
    let o = Options {
        rescue: false,
        ..opts()
    };
    let (id, _) = r.submit(P, "x".into(), None, o, &idle, 0).unwrap();
    r.fire(id, Timer::Enter, &idle, 1000);
    assert_eq!(
        phases(&r.fire(id, Timer::Check, &idle, 4000)),
        ["P1 failed"]
    );
}

#[test]
fn a_slow_start_within_the_submit_time_is_submitted_without_rescue() {
    let mut r = Receipts::default();
    let idle = look(Gate::Idle);
    let (id, _) = r.submit(P, "slow".into(), None, opts(), &idle, 0).unwrap();
    r.fire(id, Timer::Enter, &idle, 1000);
    let out = r.observe(P, &look(Gate::Working), 3900);
    assert_eq!(phases(&out), ["P1 submitted"]);
    assert!(!r.get(id).unwrap().rescued);
}

#[test]
fn human_typing_after_the_paste_stops_the_enter_unless_forced() {
    let mut r = Receipts::default();
    let idle = look(Gate::Idle);
    let (id, _) = r.submit(P, "a".into(), None, opts(), &idle, 0).unwrap();
    let typed = Look {
        human_ms: Some(500),
        ..idle.clone()
    };
    let out = r.fire(id, Timer::Enter, &typed, 1000);
    assert!(!enter(&out));
    assert_eq!(
        r.get(id).unwrap().reason,
        "a human typed into pane %3 after the paste: Enter not sent (-f sends it anyway)"
    );
    let f = Options {
        force: true,
        ..opts()
    };
    let (id, _) = r.submit(P, "b".into(), None, f, &idle, 2000).unwrap();
    let typed = Look {
        human_ms: Some(2500),
        ..idle
    };
    assert!(enter(&r.fire(id, Timer::Enter, &typed, 3000)));
}

#[test]
fn a_human_typing_while_it_is_deferred_holds_it_for_the_guard_time() {
    let mut r = Receipts::default();
    let (id, _) = r
        .submit(P, "a".into(), None, opts(), &look(Gate::Working), 0)
        .unwrap();
    let typed = Look {
        human_ms: Some(4000),
        ..look(Gate::Idle)
    };
    let out = r.observe(P, &typed, 5000);
    assert!(pastes(&out).is_empty());
    assert_eq!(armed(&out, Timer::Guard), Some(2000));
    assert_eq!(
        r.get(id).unwrap().reason,
        "deferred: a human typed into pane %3"
    );
    assert!(
        r.observe(P, &typed, 5500).is_empty(),
        "one timer, no repeated change"
    );
    assert_eq!(pastes(&r.fire(id, Timer::Guard, &typed, 7000)), ["a"]);
}

#[test]
fn the_pane_dying_fails_everything_queued_and_a_respawn_stops_the_enter() {
    let mut r = Receipts::default();
    let idle = look(Gate::Idle);
    let (a, _) = r.submit(P, "a".into(), None, opts(), &idle, 0).unwrap();
    r.submit(P, "b".into(), None, opts(), &idle, 0).unwrap();
    let respawned = Look {
        program: Some(200),
        ..idle.clone()
    };
    let out = r.fire(a, Timer::Enter, &respawned, 1000);
    assert!(!enter(&out));
    assert_eq!(
        r.get(a).unwrap().reason,
        "pane %3 exited before Enter was sent"
    );
    // The second goes to the new program.
    assert_eq!(pastes(&out), ["b"]);
    let out = r.pane_gone(P, "pane %3 exited", 2000);
    assert_eq!(phases(&out), ["P2 failed"]);
    assert!(r.queued(P).is_empty());
}

#[test]
fn exited_agents_are_refused_and_an_exit_after_enter_fails() {
    let mut r = Receipts::default();
    let e = r
        .submit(P, "a".into(), None, opts(), &look(Gate::Exited), 0)
        .unwrap_err();
    assert_eq!(e.render(P), "the agent in pane %3 has exited");
    let idle = look(Gate::Idle);
    let (id, _) = r.submit(P, "a".into(), None, opts(), &idle, 0).unwrap();
    r.fire(id, Timer::Enter, &idle, 1000);
    let out = r.observe(P, &look(Gate::Exited), 1500);
    assert_eq!(phases(&out), ["P1 failed"]);
    assert_eq!(
        r.get(id).unwrap().reason,
        "pane %3 exited before its prompt was seen submitted"
    );
}

#[test]
fn twenty_queued_prompts_go_one_at_a_time_in_order() {
    let mut r = Receipts::default();
    let idle = look(Gate::Idle);
    let working = look(Gate::Working);
    let mut ids = Vec::new();
    let mut pasted = Vec::new();
    for i in 0..20 {
        let (id, out) = r
            .submit(P, format!("p{i}"), None, opts(), &idle, i)
            .unwrap();
        ids.push(id);
        pasted.extend(pastes(&out));
    }
    let mut t = 100;
    for &id in &ids {
        t += 1000;
        assert!(enter(&r.fire(id, Timer::Enter, &idle, t)));
        t += 100;
        r.observe(P, &working, t);
        t += 100;
        pasted.extend(pastes(&r.observe(P, &idle, t)));
    }
    let want: Vec<String> = (0..20).map(|i| format!("p{i}")).collect();
    assert_eq!(pasted, want);
    assert!(ids
        .iter()
        .all(|&id| r.get(id).unwrap().phase == Phase::Submitted));
}

#[test]
fn cancel_withdraws_only_queued_deliveries() {
    let mut r = Receipts::default();
    let working = look(Gate::Working);
    let (a, _) = r.submit(P, "a".into(), None, opts(), &working, 0).unwrap();
    let (ok, out) = r.cancel(a, "timed out".into(), &working, 10);
    assert!(ok);
    assert_eq!(phases(&out), ["P1 failed"]);
    let idle = look(Gate::Idle);
    let (b, _) = r.submit(P, "b".into(), None, opts(), &idle, 20).unwrap();
    assert!(!r.cancel(b, "x".into(), &idle, 30).0, "pasted: goes on");
}

#[test]
fn limits_queue_and_history() {
    let mut r = Receipts::default();
    let working = look(Gate::Working);
    for _ in 0..MAX_QUEUED {
        r.submit(P, "x".into(), None, opts(), &working, 0).unwrap();
    }
    let e = r
        .submit(P, "x".into(), None, opts(), &working, 0)
        .unwrap_err();
    assert_eq!(e, Refused::Full);
    r.pane_gone(P, "gone", 1);
    for i in 0..(MAX_HISTORY as u64 + 5) {
        let (id, _) = r
            .submit(PaneId(9), "x".into(), None, opts(), &working, i)
            .unwrap();
        r.cancel(id, "c".into(), &working, i);
    }
    assert_eq!(r.iter().count(), MAX_HISTORY);
}

#[test]
fn special_texts_per_profile() {
    for p in ["claude", "codex"] {
        let e = special_text(Some(p), "!echo hi").unwrap_err();
        assert!(e.contains("runs it as a shell command"), "{e}");
        for ok in ["/etc/hosts", "@README.md sum", "# note", "?", "a!b", " !x"] {
            assert_eq!(special_text(Some(p), ok), Ok(()), "{p} {ok}");
        }
    }
    assert_eq!(special_text(None, "!echo"), Ok(()));
    let e = special_text(Some("claude"), "a\tb").unwrap_err();
    assert!(e.starts_with("prompt text contains a tab: claude"), "{e}");
    for p in [None, Some("codex"), Some("fake")] {
        assert_eq!(special_text(p, "a\tb\nc"), Ok(()), "{p:?}");
    }
    assert_eq!(special_text(Some("claude"), "multi\nline"), Ok(()));
}

#[test]
fn claude_texts_go_in_pieces_others_whole() {
    assert_eq!(piece_chars(Some("claude")), CLAUDE_PIECE_CHARS);
    const { assert!(CLAUDE_PIECE_CHARS > 0 && CLAUDE_PIECE_CHARS <= 800) };
    for p in [None, Some("codex"), Some("gemini"), Some("fake")] {
        assert_eq!(piece_chars(p), 0, "{p:?}");
    }
}

#[test]
fn the_paste_carries_the_pieces_option() {
    let mut r = Receipts::default();
    let o = Options {
        piece_chars: 7,
        ..Options::default()
    };
    let (_, out) = r
        .submit(P, "x".into(), None, o, &look(Gate::Idle), 0)
        .unwrap();
    assert!(has(&out, |a| matches!(
        a,
        Action::Paste { piece_chars: 7, .. }
    )));
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::to_string).collect()
}

#[test]
fn input_boxes_are_read_per_profile() {
    let claude_empty = lines("✻ Cooked for 1s\n\n────\n❯ \n────\n  ? for shortcuts");
    assert_eq!(read_input(Some("claude"), &claude_empty), Input::Empty);
    let claude_text = lines("────\n❯ hello\n────\n  ? for shortcuts");
    assert_eq!(read_input(Some("claude"), &claude_text), Input::Holds);
    let multi = lines("────\n❯ \n  second line\n────");
    assert_eq!(read_input(None, &multi), Input::Holds);
    let dialog = lines("────\n Do you want to create x?\n ❯ 1. Yes\n   2. No");
    assert_eq!(read_input(Some("claude"), &dialog), Input::Unknown);
    let codex = lines("› Ask Codex to do anything\n\n  model · /p");
    assert_eq!(read_input(Some("codex"), &codex), Input::Empty);
    let codex = lines("› explain this\n");
    assert_eq!(read_input(Some("codex"), &codex), Input::Holds);
    assert_eq!(read_input(Some("codex"), &lines("nothing")), Input::Unknown);
}

#[test]
fn a_pane_refusing_input_fails_the_paste_or_the_enter_with_its_reason() {
    let mut r = Receipts::default();
    let off = Look {
        refuses: Some("input off".into()),
        ..look(Gate::Idle)
    };
    let (a, out) = r.submit(P, "a".into(), None, opts(), &off, 0).unwrap();
    assert!(pastes(&out).is_empty());
    assert_eq!(r.get(a).unwrap().reason, "input off");
    let (b, _) = r
        .submit(P, "b".into(), None, opts(), &look(Gate::Plain), 0)
        .unwrap();
    let out = r.fire(b, Timer::Enter, &off, 1000);
    assert!(!enter(&out));
    assert_eq!(phases(&out), ["P2 failed"]);
}
