use super::profile::{builtins, parse_rule, Target};
use super::*;

fn claude() -> Profile {
    builtins().into_iter().find(|p| p.name == "claude").unwrap()
}
fn codex() -> Profile {
    builtins().into_iter().find(|p| p.name == "codex").unwrap()
}
fn read(p: &Profile, screen: &str) -> Option<(AgentState, String)> {
    let lines: Vec<String> = screen.lines().map(str::to_string).collect();
    p.read_screen(&ScreenView {
        lines: &lines,
        title: "",
    })
}
fn st(s: AgentState, r: &str) -> Option<(AgentState, String)> {
    Some((s, r.to_string()))
}

#[test]
fn aggregate_order() {
    use AgentState::*;
    assert_eq!(aggregate([Idle, Waiting, Working]), Some(Waiting));
    assert_eq!(aggregate([Idle, Working, Starting]), Some(Working));
    assert_eq!(aggregate([Idle, Starting, Exited]), Some(Starting));
    assert_eq!(aggregate([Exited, Idle]), Some(Idle));
    assert_eq!(aggregate([Exited]), Some(Exited));
    assert_eq!(aggregate([]), None);
}

#[test]
fn names_round_trip() {
    for s in AgentState::ALL {
        assert_eq!(s.name().parse::<AgentState>(), Ok(s));
    }
    assert!("busy".parse::<AgentState>().is_err());
}

#[test]
fn osc7501_as_codex_sends_it() {
    use AgentState::*;
    assert_eq!(
        parse_osc7501("state=idle:app=codex"),
        Some(st(Idle, "ready"))
    );
    assert_eq!(
        parse_osc7501("state=working:app=codex"),
        Some(st(Working, "working"))
    );
    assert_eq!(
        parse_osc7501("state=blocked:app=codex:kind=permission"),
        Some(st(Waiting, "permission"))
    );
    assert_eq!(
        parse_osc7501("state=blocked;kind=question"),
        Some(st(Waiting, "question"))
    );
    assert_eq!(
        parse_osc7501("state=done:app=codex"),
        Some(st(Idle, "done"))
    );
    assert_eq!(parse_osc7501("state=clear"), Some(None));
    assert_eq!(parse_osc7501("?"), None, "Claude's query is no report");
    assert_eq!(parse_osc7501("state=dancing"), None);
    // A kind that is not a plain word is not shown as the reason.
    assert_eq!(
        parse_osc7501("state=blocked:kind=Bad Kind\n"),
        Some(st(Waiting, "blocked"))
    );
}

#[test]
fn claude_screens_from_observed() {
    use AgentState::*;
    let p = claude();
    let rule = "─".repeat(40);
    let idle = format!("{rule}\n❯ \n{rule}\n  ⏸ manual mode on · ? for shortcuts · ← for agents");
    assert_eq!(read(&p, &idle), st(Idle, "ready"));
    let working =
        format!("✶ Slithering… (0s · ↓ 3 tokens)\n\n{rule}\n❯ \n{rule}\n  esc to interrupt");
    assert_eq!(read(&p, &working), st(Working, "working"));
    let spinner_only = format!("✻ Cogitating… (3s · ↑ 10 tokens)\n{rule}\n❯ \n{rule}");
    assert_eq!(read(&p, &spinner_only), st(Working, "working"));
    let done = "● Done.\n\n✻ Cogitated for 2s · done 6:32 AM\n";
    assert_eq!(read(&p, done), st(Idle, "done"));
    let perm = " Do you want to create agent-made.txt?\n ❯ 1. Yes\n   2. Yes, and switch to accept edits\n   3. No\n\n Esc to cancel · Tab to amend";
    assert_eq!(read(&p, perm), st(Waiting, "permission"));
    let q = " ☐ Color\n\n Which colour?\n ❯ 1. Red\n    warm\n   2. Blue\n   3. Type something.\n   4. Chat about this\n\n Enter to select · ↑/↓ to navigate · Esc to cancel";
    assert_eq!(read(&p, q), st(Waiting, "question"));
    let trust = " Do you trust the files in this folder?\n ❯ 1. Yes, proceed\n   2. No, exit\n\n Enter to confirm · Esc to exit";
    assert_eq!(read(&p, trust), st(Waiting, "trust"));
    assert_eq!(
        read(&p, "▐▛███▛█   Claude Code v2.1.328\n"),
        None,
        "banner: nothing yet"
    );
    // As tests/agents/results showed it: a no-break space after the prompt
    // sign, the composer empty or with typed text.
    let pad = " ".repeat(60);
    let real = format!(
        "{pad}◐ medium · /effort\n{rule}\n❯\u{a0}\n{rule}\n  ⏸ manual mode on · ? for shortcuts · ← for agents"
    );
    assert_eq!(read(&p, &real), st(Idle, "ready"));
    let typed = format!("{rule}\n❯\u{a0}Tell me a story\n{rule}\n  ⏸ manual mode on");
    assert_eq!(read(&p, &typed), st(Idle, "ready"));
    // The transcript mentioning "Do you want to" above an idle box is idle.
    let talk = format!("● Do you want to know more?\n{rule}\n❯ \n{rule}\n  ? for shortcuts");
    assert_eq!(read(&p, &talk), st(Idle, "ready"));
}

#[test]
fn codex_screens_from_observed() {
    use AgentState::*;
    let p = codex();
    assert_eq!(
        read(&p, "› Ask Codex to do anything\n\n  scripted-model default · /p\n  ← for agents · ? for shortcuts"),
        st(Idle, "ready")
    );
    assert_eq!(
        read(&p, "• Working (0s • esc to interrupt)\n\n› \n"),
        st(Working, "working")
    );
    assert_eq!(
        read(&p, "• Once upon a time\n\n  Worked for 3s • 06:14\n"),
        st(Idle, "done")
    );
    // While text streams the footer still says "? for shortcuts": no idle.
    assert_eq!(
        read(
            &p,
            "• Once upon a time there\n\n›\n  ← for agents · ? for shortcuts"
        ),
        None
    );
    let perm = "Would you like to run the following command?\n  Reason: x\n  $ touch f\n› 1. Yes, proceed (y)\n  2. Yes, and don't ask again (p)\n  3. No (esc)\n  Press enter to confirm or esc to cancel";
    assert_eq!(read(&p, perm), st(Waiting, "permission"));
    // Its question dialog has "esc to interrupt" in the footer: waiting wins.
    let q = "  Question 1/1 (1 unanswered)\n  Colour?\n› 1. Red   A warm banner\n  2. Blue\n  tab to add notes | enter to submit answer | esc to interrupt";
    assert_eq!(read(&p, q), st(Waiting, "question"));
    assert_eq!(
        p.read_title("[ . ] Action Required | PROMPT | proj"),
        st(Waiting, "permission")
    );
    assert_eq!(
        p.read_title("⠴ Tell me a story | proj"),
        st(Working, "working")
    );
    assert_eq!(p.read_title("Tell me a story | proj"), None);
}

#[test]
fn rules_parse_and_refuse_clearly() {
    let r = parse_rule("title:waiting:login=Sign in").unwrap();
    assert_eq!(
        (r.target, r.state, r.reason.as_str()),
        (Target::Title, AgentState::Waiting, "login")
    );
    assert_eq!(r.spec(), "title:waiting:login=Sign in");
    let r = parse_rule("working=a=b").unwrap();
    assert_eq!(r.pattern.as_str(), "a=b", "the first = splits");
    assert_eq!(r.reason, "working");
    assert_eq!(parse_rule("idle=x").unwrap().reason, "ready");
    assert_eq!(parse_rule("waiting=x").unwrap().reason, "input");
    let e = parse_rule("working=(unclosed").unwrap_err();
    assert!(
        matches!(&e, ProfileError::BadPattern { pattern, .. } if pattern == "(unclosed"),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "bad pattern: (unclosed: unclosed group");
    assert_eq!(
        parse_rule("exited=x").unwrap_err(),
        ProfileError::BadState("exited".into())
    );
    assert_eq!(
        parse_rule("waiting:Bad=x").unwrap_err(),
        ProfileError::BadReason("Bad".into())
    );
    assert_eq!(
        parse_rule("no pattern").unwrap_err(),
        ProfileError::BadRule("no pattern".into())
    );
    assert!(matches!(
        parse_rule("idle="),
        Err(ProfileError::BadPattern { .. })
    ));
    let long = format!("idle={}", "a".repeat(2000));
    assert!(matches!(
        parse_rule(&long),
        Err(ProfileError::BadPattern { .. })
    ));
    // A pattern too large once compiled is refused, not built.
    assert!(matches!(
        parse_rule(r"idle=(\w{50}){50}"),
        Err(ProfileError::BadPattern { .. })
    ));
}

#[test]
fn profiles_define_override_remove() {
    let mut ps = Profiles::default();
    let names: Vec<String> = ps.all().map(|p| p.name.clone()).collect();
    assert_eq!(names, ["claude", "codex", "gemini"]);
    let mine = Profile::define(
        "claude",
        &["myclaude".into()],
        &["idle=^> $"],
        Some(50),
        Some(5),
        false,
    )
    .unwrap();
    ps.define(mine).unwrap();
    assert!(ps.overrides("claude"));
    assert_eq!(ps.get("claude").unwrap().debounce_ms, 50);
    assert_eq!(
        ps.choose(None, &["myclaude".into()]).unwrap().name,
        "claude"
    );
    assert!(
        ps.choose(None, &["claude".into()]).is_none(),
        "the override's commands count"
    );
    ps.remove("claude").unwrap();
    assert!(ps.get("claude").unwrap().builtin);
    assert_eq!(
        ps.remove("claude"),
        Err(ProfileError::NotUser("claude".into()))
    );
    assert_eq!(
        ps.remove("nope"),
        Err(ProfileError::NoSuchProfile("nope".into()))
    );
    // The agent type wins over the command; then the first command name.
    assert_eq!(
        ps.choose(Some("codex"), &["claude".into()]).unwrap().name,
        "codex"
    );
    assert_eq!(
        ps.choose(Some("custom"), &["node".into(), "codex".into()])
            .unwrap()
            .name,
        "codex"
    );
    assert!(Profile::define("bad name", &[], &[], None, None, false).is_err());
    assert_eq!(
        Profile::define("x", &[], &[], Some(5), None, false).unwrap_err(),
        ProfileError::BadDebounce("5".into())
    );
    assert_eq!(
        Profile::define("x", &[], &[], None, Some(0), false).unwrap_err(),
        ProfileError::BadLines("0".into())
    );
}

fn pane(profile: Option<&Profile>) -> PaneAgent {
    PaneAgent::new(0, profile)
}

fn sc(s: AgentState, r: &str) -> Option<(AgentState, String)> {
    Some((s, r.to_string()))
}

fn to(c: Option<Change>) -> Option<(AgentState, String)> {
    c.map(|c| (c.to, c.reason))
}

#[test]
fn starting_until_recognized_then_screen_drives() {
    use AgentState::*;
    let p = claude();
    let mut a = pane(Some(&p));
    assert_eq!(a.current().state, Starting);
    assert_eq!(
        a.activity(true, 10),
        None,
        "a banner drawing is still starting"
    );
    assert_eq!(a.activity(false, 20), None);
    assert_eq!(a.paste(true, 25), None);
    assert_eq!(
        to(a.observe(Source::Screen, sc(Idle, "ready"), 30)),
        sc(Idle, "ready")
    );
    assert_eq!(a.current().since, 30);
    assert_eq!(
        a.observe(Source::Screen, sc(Idle, "ready"), 40),
        None,
        "unchanged"
    );
    assert_eq!(
        to(a.observe(Source::Screen, sc(Working, "working"), 50)),
        sc(Working, "working")
    );
    assert_eq!(a.current().source, Source::Screen);
    assert_eq!(
        to(a.observe(Source::Screen, sc(Waiting, "permission"), 60)),
        sc(Waiting, "permission")
    );
    assert_eq!(
        to(a.observe(Source::Screen, sc(Working, "working"), 70)),
        sc(Working, "working")
    );
    // Between screens no rule matches: output is working, quiet is waiting.
    assert_eq!(a.activity(true, 75), None);
    assert_eq!(
        to(a.observe(Source::Screen, None, 80)),
        sc(Working, "output")
    );
    assert_eq!(a.current().source, Source::Activity);
    assert_eq!(to(a.activity(false, 90)), sc(Waiting, "unknown"));
    assert_eq!(
        to(a.observe(Source::Screen, sc(Idle, "done"), 95)),
        sc(Idle, "done")
    );
    assert_eq!(to(a.exited(0, 100)), sc(Exited, "0"));
    assert_eq!(
        a.observe(Source::Screen, sc(Idle, "ready"), 110),
        None,
        "exited stays"
    );
}

#[test]
fn no_profile_falls_back_to_activity() {
    use AgentState::*;
    let mut a = pane(None);
    assert_eq!(a.current().state, Starting);
    // The launch's output is starting, its first quiet idle (ready).
    assert_eq!(a.activity(true, 10), None, "the launch is not work");
    assert_eq!(to(a.activity(false, 20)), sc(Idle, "quiet"));
    assert_eq!(a.current().source, Source::Activity);
    assert_eq!(to(a.activity(true, 22)), sc(Working, "output"));
    assert_eq!(to(a.activity(false, 24)), sc(Idle, "quiet"));
    // An exact source outranks activity from then on.
    assert_eq!(
        to(a.observe(Source::Osc, sc(Working, "working"), 30)),
        sc(Working, "working")
    );
    assert_eq!(a.activity(false, 40), None);
    assert_eq!(
        to(a.observe(Source::Osc, None, 50)),
        sc(Idle, "quiet"),
        "state=clear"
    );
}

#[test]
fn the_more_recent_change_wins_exact_first_on_ties() {
    use AgentState::*;
    let mut a = pane(Some(&claude()));
    a.paste(true, 0);
    a.report(&Report::PromptSubmitted, 10);
    assert_eq!(a.current().state, Working);
    a.observe(Source::Screen, sc(Working, "working"), 11);
    a.report(
        &Report::PermissionRequest {
            tool: "Write".into(),
        },
        20,
    );
    assert_eq!(
        (a.current().state, a.current().source),
        (Waiting, Source::Hook)
    );
    a.observe(Source::Screen, sc(Waiting, "permission"), 21);
    // The human answers: no hook says so, the screen does, later.
    assert_eq!(
        to(a.observe(Source::Screen, sc(Working, "working"), 30)),
        sc(Working, "working")
    );
    assert_eq!(a.current().source, Source::Screen);
    // Same instant: the hook (more exact) decides.
    a.observe(Source::Screen, sc(Idle, "ready"), 40);
    a.report(&Report::PromptSubmitted, 40);
    assert_eq!(
        (a.current().state, a.current().source),
        (Working, Source::Hook)
    );
    // A hook report repeated is new each time.
    a.observe(Source::Screen, sc(Idle, "done"), 50);
    assert_eq!(a.current().state, Idle);
    a.report(&Report::PromptSubmitted, 60);
    assert_eq!(a.current().state, Working);
}

#[test]
fn never_idle_while_the_screen_shows_a_dialog() {
    use AgentState::*;
    let mut a = pane(Some(&claude()));
    a.paste(true, 0);
    a.observe(Source::Screen, sc(Waiting, "permission"), 10);
    // A later Stop report (or OSC idle) cannot make it idle.
    assert_eq!(a.report(&Report::Stop, 20), None);
    assert_eq!(
        (a.current().state, a.current().reason.as_str()),
        (Waiting, "permission")
    );
    a.observe(Source::Osc, sc(Idle, "done"), 30);
    assert_eq!(a.current().state, Waiting);
    // A notification "waiting for your input" means idle: still waiting.
    a.report(
        &Report::Notification {
            message: "Claude is waiting for your input".into(),
        },
        35,
    );
    assert_eq!(a.current().state, Waiting);
    // Once the dialog is gone, the report's idle shows.
    assert_eq!(
        to(a.observe(Source::Screen, None, 40)),
        sc(Idle, "notification")
    );
    // OSC 7501 blocked guards the same way against a screen reading idle.
    a.observe(Source::Osc, sc(Waiting, "question"), 50);
    a.observe(Source::Screen, sc(Idle, "ready"), 60);
    assert_eq!(
        (a.current().state, a.current().reason.as_str()),
        (Waiting, "question")
    );
    // But a hook's old waiting does not pin it: hooks are events.
    let mut b = pane(Some(&claude()));
    b.paste(true, 0);
    b.report(
        &Report::PermissionRequest {
            tool: "Bash".into(),
        },
        10,
    );
    b.observe(Source::Screen, sc(Idle, "ready"), 20);
    assert_eq!(b.current().state, Idle);
}

#[test]
fn idle_needs_bracketed_paste_when_the_profile_says() {
    use AgentState::*;
    let mut a = pane(Some(&claude()));
    assert_eq!(
        a.observe(Source::Screen, sc(Idle, "ready"), 10)
            .map(|c| c.reason),
        Some("not-ready".into())
    );
    assert_eq!(a.current().state, Starting);
    assert_eq!(to(a.paste(true, 20)), sc(Idle, "ready"));
    // A user profile without -p does not wait for it.
    let mine = Profile::define("m", &[], &["idle=x"], None, None, false).unwrap();
    let mut b = pane(Some(&mine));
    assert_eq!(
        to(b.observe(Source::Screen, sc(Idle, "ready"), 10)),
        sc(Idle, "ready")
    );
}

#[test]
fn reports_map_and_keep_the_conversation() {
    use AgentState::*;
    let mut a = pane(None);
    a.report(
        &Report::SessionStart {
            conversation_id: "c-1".into(),
            cwd: "/w".into(),
        },
        5,
    );
    assert_eq!(
        (a.current().state, a.current().reason.as_str()),
        (Idle, "session-start")
    );
    assert_eq!(a.conversation_id.as_deref(), Some("c-1"));
    for (r, want) in [
        (Report::PromptSubmitted, (Working, "prompt")),
        (
            Report::ToolUse {
                tool: "Read".into(),
            },
            (Working, "tool"),
        ),
        (
            Report::PermissionRequest {
                tool: "Bash".into(),
            },
            (Waiting, "permission"),
        ),
        (
            Report::Notification {
                message: "Claude needs your permission to use Bash".into(),
            },
            (Waiting, "permission"),
        ),
        (
            Report::Notification {
                message: "Hi".into(),
            },
            (Waiting, "notification"),
        ),
        (
            Report::ToolDone {
                tool: "Read".into(),
            },
            (Working, "tool"),
        ),
        // Claude's question dialog, whichever hook reports it.
        (
            Report::ToolUse {
                tool: QUESTION_TOOL.into(),
            },
            (Waiting, "question"),
        ),
        (
            Report::PermissionRequest {
                tool: QUESTION_TOOL.into(),
            },
            (Waiting, "question"),
        ),
        (
            Report::ToolDone {
                tool: QUESTION_TOOL.into(),
            },
            (Working, "tool"),
        ),
        (Report::Stop, (Idle, "stop")),
        (Report::SessionEnd, (Exited, "session-end")),
        (
            Report::TurnComplete {
                conversation_id: None,
                cwd: "".into(),
            },
            (Idle, "turn-complete"),
        ),
    ] {
        assert_eq!(r.observation(), (want.0, want.1.to_string()), "{r:?}");
    }
    // A restart forgets everything, the conversation too.
    assert_eq!(to(a.restart(10, None)), sc(Starting, "launch"));
    assert_eq!(a.conversation_id, None);
}

#[test]
fn notifications_and_bells_are_events() {
    use AgentState::*;
    let mut a = pane(None);
    a.activity(true, 1);
    a.activity(false, 2);
    assert_eq!(
        to(a.event(Source::Notification, Waiting, "notification", 10)),
        sc(Waiting, "notification")
    );
    a.observe(Source::Osc, sc(Working, "working"), 20);
    assert_eq!(a.current().state, Working);
    assert_eq!(
        to(a.event(Source::Notification, Waiting, "bell", 30)),
        sc(Waiting, "bell")
    );
}

#[test]
fn an_osc_report_outranks_screen_rules_but_not_newer_hooks() {
    use AgentState::*;
    let mut a = pane(Some(&codex()));
    a.paste(true, 0);
    a.observe(Source::Osc, sc(Working, "working"), 10);
    // Codex's footer reads idle mid-stream (seen in tests/agents/results).
    assert_eq!(a.observe(Source::Screen, sc(Idle, "ready"), 20), None);
    assert_eq!(
        (a.current().state, a.current().source),
        (Working, Source::Osc)
    );
    a.report(
        &Report::PermissionRequest {
            tool: "exec".into(),
        },
        30,
    );
    assert_eq!(
        (a.current().state, a.current().source),
        (Waiting, Source::Hook)
    );
    assert_eq!(
        to(a.observe(Source::Osc, sc(Idle, "done"), 40)),
        sc(Idle, "done")
    );
    // state=clear: the rest count again, the more recent first (the hook).
    assert_eq!(
        to(a.observe(Source::Osc, None, 50)),
        sc(Waiting, "permission")
    );
    assert_eq!(
        to(a.observe(Source::Screen, sc(Idle, "done"), 60)),
        sc(Idle, "done")
    );
}

#[test]
fn a_launch_is_starting_until_the_profile_says_ready() {
    use AgentState::*;
    // Claude Code draws its composer before it turns bracketed paste on,
    // then redraws the banner (no rule matches) while output flows.
    let mut a = pane(Some(&claude()));
    a.activity(true, 5);
    assert_eq!(
        to(a.observe(Source::Screen, sc(Idle, "ready"), 10)),
        sc(Starting, "not-ready")
    );
    let c = a.observe(Source::Screen, None, 20);
    assert_eq!(a.current().state, Starting, "not working(output): {c:?}");
    assert_eq!(a.activity(false, 30), None, "nor waiting(unknown)");
    assert_eq!(a.current().state, Starting);
    a.activity(true, 35);
    a.paste(true, 40);
    assert_eq!(a.current().state, Starting);
    assert_eq!(
        to(a.observe(Source::Screen, sc(Idle, "ready"), 50)),
        sc(Idle, "ready")
    );
    // Ready once: output no rule knows is working from now on.
    assert_eq!(
        to(a.observe(Source::Screen, None, 60)),
        sc(Working, "output")
    );
    // A respawn, or another program with another profile, starts again.
    a.restart(70, Some(&claude()));
    a.activity(true, 75);
    a.observe(Source::Screen, sc(Working, "working"), 80);
    assert_eq!(a.current().state, Working);
    a.set_profile(Some(&codex()), 90);
    assert_eq!(a.current().state, Starting);
}

#[test]
fn a_hook_saying_ready_is_not_undone_by_bracketed_paste() {
    use AgentState::*;
    let mut a = pane(Some(&claude()));
    a.activity(true, 5);
    a.observe(Source::Screen, sc(Idle, "ready"), 10);
    assert_eq!(a.current().state, Starting);
    // SessionStart is the CLI's word that it is ready, paste or not.
    a.report(
        &Report::SessionStart {
            conversation_id: "c".into(),
            cwd: "/p".into(),
        },
        20,
    );
    assert_eq!(
        (a.current().state, a.current().reason.as_str()),
        (Idle, "session-start")
    );
    // The screen rules read idle afterwards, still without paste: idle.
    a.observe(Source::Screen, sc(Idle, "done"), 30);
    assert_eq!(
        (a.current().state, a.current().reason.as_str()),
        (Idle, "done")
    );
    // Once ready, bracketed paste going off (as at /exit) is no restart.
    let mut b = pane(Some(&claude()));
    b.paste(true, 0);
    b.report(
        &Report::SessionStart {
            conversation_id: "c".into(),
            cwd: "/p".into(),
        },
        10,
    );
    b.observe(Source::Screen, sc(Idle, "ready"), 20);
    assert_eq!(b.paste(false, 30), None);
    assert_eq!(b.current().state, Idle);
}

#[test]
fn codex_turn_complete_gives_way_to_osc_7501() {
    use AgentState::*;
    let done = Report::TurnComplete {
        conversation_id: Some("thread-1".into()),
        cwd: "/p".into(),
    };
    let mut a = pane(Some(&codex()));
    a.paste(true, 0);
    a.observe(Source::Osc, sc(Idle, "ready"), 5);
    a.observe(Source::Osc, sc(Working, "working"), 10);
    // Codex runs notify for its side request while the turn goes on.
    assert_eq!(a.report(&done, 20), None);
    assert_eq!(
        (a.current().state, a.current().source),
        (Working, Source::Osc)
    );
    assert_eq!(a.conversation_id.as_deref(), Some("thread-1"));
    assert_eq!(
        to(a.observe(Source::Osc, sc(Idle, "done"), 30)),
        sc(Idle, "done")
    );
    // Other hook reports are not weak.
    a.report(&Report::PromptSubmitted, 40);
    assert_eq!(a.current().source, Source::Hook);
    // Without OSC 7501 (state=clear, or a CLI that never sends it) the
    // notify counts like a Stop.
    let mut b = pane(None);
    b.report(&Report::PromptSubmitted, 10);
    assert_eq!(to(b.report(&done, 20)), sc(Idle, "turn-complete"));
}
