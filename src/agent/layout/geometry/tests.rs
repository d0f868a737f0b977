//! Tests of layout names and strings, through the module's public
//! functions: strings tmux printed, each kind of error, the limits.

use super::*;

/// Printed by tmux (`display -p '#{window_layout}'`) for real windows.
const FROM_TMUX: [(&str, u32); 4] = [
    // 80x24: split-window -h; split-window
    (
        "d67e,80x24,0,0{40x24,0,0,0,39x24,41,0[39x12,41,0,1,39x11,41,13,2]}",
        3,
    ),
    // 120x40: split-window -h; split-window; split-window -h; tiled
    (
        "81a9,120x40,0,0[120x19,0,0{59x19,0,0,0,60x19,60,0,1},120x20,0,20{59x20,0,20,2,60x20,60,20,3}]",
        4,
    ),
    // 200x50: split-window; split-window -h x2; split-window
    (
        "5a26,200x50,0,0[200x25,0,0,0,200x24,0,26{100x24,0,26,1,49x24,101,26,2,49x24,151,26[49x12,151,26,3,49x11,151,39,4]}]",
        5,
    ),
    // The same shape as the first with other pane ids; tmux 3.5a's
    // select-layout takes it.
    (
        "1780,80x24,0,0{40x24,0,0,1,39x24,41,0[39x12,41,0,2,39x11,41,13,3]}",
        3,
    ),
];

fn problem(s: &str) -> LayoutProblem {
    match layout_leaf_count(s) {
        Err(AgentError::Invalid(Invalid::Layout { problem, .. })) => problem,
        other => panic!("{s}: {other:?}"),
    }
}

#[test]
fn checksum_reproduces_tmux() {
    for (s, _) in FROM_TMUX {
        let stated = u16::from_str_radix(&s[..4], 16).unwrap();
        assert_eq!(layout_checksum(&s[5..]), stated, "{s}");
        assert_eq!(with_checksum(&s[5..]), s);
    }
    assert_eq!(layout_checksum(""), 0);
    assert_eq!(layout_checksum("A"), 0x41);
    // The low bit rotates into the top.
    assert_eq!(layout_checksum("AA"), 0x8020 + 0x41);
}

#[test]
fn tmux_layouts_validate_and_count_their_panes() {
    for (s, n) in FROM_TMUX {
        assert_eq!(layout_leaf_count(s), Ok(n), "{s}");
        assert_eq!(check_layout(s, n), Ok(()));
    }
}

#[test]
fn leaves_without_ids_and_single_panes() {
    assert_eq!(layout_leaf_count(&with_checksum("80x24,0,0,0")), Ok(1));
    assert_eq!(layout_leaf_count(&with_checksum("80x24,0,0")), Ok(1));
    let s = with_checksum("80x24,0,0{40x24,0,0,39x24,41,0}");
    assert_eq!(layout_leaf_count(&s), Ok(2));
    // A split with one child is what tmux accepts too.
    assert_eq!(
        layout_leaf_count(&with_checksum("80x24,0,0[80x24,0,0,5]")),
        Ok(1)
    );
    let s = "898f,80x24,0,0{40x24,0,0,1,39x24,41,0[39x24,41,0[39x12,41,0,2,39x11,41,13,3]]}";
    assert_eq!(layout_leaf_count(s), Ok(3));
    // So does an id before a split (it means nothing there).
    let s = "d637,80x24,0,0{40x24,0,0,1,39x24,41,0,7[39x12,41,0,2,39x11,41,13,3]}";
    assert_eq!(layout_leaf_count(s), Ok(3));
    // Leaves without ids, as tmux 3.5a's select-layout takes them.
    let s = "fba4,80x24,0,0{40x24,0,0,39x24,41,0[39x12,41,0,39x11,41,13]}";
    assert_eq!(layout_leaf_count(s), Ok(3));
}

#[test]
fn the_top_cell_size_is_taken_from_its_children() {
    // tmux corrects the top cell (old versions printed it wrong).
    let s = with_checksum("99x99,0,0{40x24,0,0,1,39x24,41,0,2}");
    assert_eq!(layout_leaf_count(&s), Ok(2));
    let s = "2130,99x99,0,0{40x24,0,0,1,39x24,41,0[39x12,41,0,2,39x11,41,13,3]}";
    assert_eq!(layout_leaf_count(s), Ok(3));
}

#[test]
fn checksum_mismatch() {
    // tmux 3.5a refuses this one too ("invalid layout").
    let s = "b25f,80x24,0,0{40x24,0,0,1,39x24,41,0[39x12,41,0,2,39x11,41,13,3]}";
    assert_eq!(
        problem(s),
        LayoutProblem::Checksum {
            stated: 0xb25f,
            computed: 0x1780
        }
    );
    assert_eq!(
        layout_leaf_count(s).unwrap_err().to_string(),
        format!("invalid layout: {s:?} (checksum b25f does not match, expected 1780)")
    );
    // Upper-case hex is the same number, as for tmux's sscanf.
    let upper = "D67E,80x24,0,0{40x24,0,0,0,39x24,41,0[39x12,41,0,1,39x11,41,13,2]}";
    assert_eq!(layout_leaf_count(upper), Ok(3));
}

#[test]
fn syntax_errors_name_the_offset() {
    let cases = [
        ("", 0),
        ("b25", 3),
        ("xb25,80x24,0,0", 0),
        ("b25f80x24,0,0", 4),
    ];
    for (s, offset) in cases {
        assert_eq!(problem(s), LayoutProblem::Syntax { offset }, "{s:?}");
    }
    let bodies = [
        ("80x24,0", 7),                  // no Y
        ("80x24,0,0,", 9),               // comma without an id
        ("80x24,0,0,1x", 9),             // a sibling where none can be
        ("80y24,0,0", 2),                // not x
        ("x24,0,0", 0),                  // no width
        ("80x24,0,0{}", 10),             // empty split
        ("80x24,0,0{40x24,0,0,1", 21),   // unclosed
        ("80x24,0,0{40x24,0,0,1]", 21),  // wrong closer
        ("80x24,0,0,1 ", 11),            // trailing junk
        ("80x24,0,0{40x24,0,0,1,}", 22), // trailing comma
        ("80x24,0,0,99999999999", 10),   // id overflows
        ("80x24,0,0[80x24,0,0,1][", 22), // two roots
        ("80x24,-1,0", 6),               // negative
    ];
    for (body, at) in bodies {
        let s = with_checksum(body);
        assert_eq!(
            problem(&s),
            LayoutProblem::Syntax { offset: at + 5 },
            "{body}"
        );
    }
}

#[test]
fn sizes_must_add_up() {
    // Refused by tmux 3.5a with "size mismatch after applying layout".
    for s in [
        "d73f,80x24,0,0{40x24,0,0,1,39x23,41,0[39x12,41,0,2,39x10,41,13,3]}",
        "66f2,80x24,0,0[80x12,0,0{40x12,0,0,1,40x12,41,0,2},80x11,0,13,3]",
        "17c0,80x24,0,0{40x24,0,0,1,39x24,41,0[39x12,41,0,2,39x12,41,13,3]}",
    ] {
        assert_eq!(problem(s), LayoutProblem::Size, "{s}");
    }
    for body in [
        // Inside: widths 40 + 1 + 40 != 80.
        "80x24,0,0[80x12,0,0{40x12,0,0,1,40x12,41,0,2},80x11,0,13,3]",
        // Children of different heights.
        "80x24,0,0{40x24,0,0,1,39x23,41,0,2}",
        // Inside: 12 + 1 + 12 != 24.
        "80x24,0,0{40x24,0,0,1,39x24,41,0[39x12,41,0,2,39x12,41,13,3]}",
        // Inside: child wider than its top-bottom parent.
        "80x24,0,0{40x24,0,0,1,39x24,41,0[40x12,41,0,2,39x11,41,13,3]}",
    ] {
        assert_eq!(problem(&with_checksum(body)), LayoutProblem::Size, "{body}");
    }
    let s = with_checksum("80x24,0,0{40x24,0,0,1,39x23,41,0,2}");
    assert_eq!(
        layout_leaf_count(&s).unwrap_err().to_string(),
        format!("invalid layout: {s:?} (cell sizes do not add up)")
    );
}

#[test]
fn nesting_and_length_limits() {
    // Each level: a one-child split, as deep as allowed, then one more.
    let nested = |levels: usize| {
        let mut body = "1x1,0,0,0".to_owned();
        for _ in 0..levels {
            body = format!("1x1,0,0[{body}]");
        }
        with_checksum(&body)
    };
    assert_eq!(layout_leaf_count(&nested(MAX_LAYOUT_DEPTH)), Ok(1));
    assert_eq!(
        problem(&nested(MAX_LAYOUT_DEPTH + 1)),
        LayoutProblem::TooDeep
    );
    assert!(nested(MAX_LAYOUT_DEPTH + 1).len() < MAX_LAYOUT_LEN);

    let long = format!("0000,{}", "1".repeat(MAX_LAYOUT_LEN));
    assert_eq!(
        problem(&long),
        LayoutProblem::TooLong {
            len: MAX_LAYOUT_LEN + 5
        }
    );
    assert!(layout_leaf_count(&long)
        .unwrap_err()
        .to_string()
        .ends_with("\"... (too long: 8197 bytes, limit 8192)"));
}

#[test]
fn names_and_strings_for_templates() {
    for name in LAYOUT_NAMES {
        assert_eq!(check_layout(name, 3), Ok(()));
        assert_eq!(check_layout(name, 1), Ok(()));
    }
    assert_eq!(check_layout(FROM_TMUX[0].0, 3), Ok(()));
    assert_eq!(
        check_layout(FROM_TMUX[0].0, 4).unwrap_err().to_string(),
        "layout has 3 panes but the template has 4"
    );
    assert_eq!(
        check_layout(FROM_TMUX[1].0, 3),
        Err(Invalid::LayoutPanes {
            layout: 4,
            template: 3
        }
        .into())
    );
    for bad in ["main", "Tiled", "tiled ", "", "grid", "\u{1b}[2J"] {
        let e = check_layout(bad, 3).unwrap_err();
        assert_eq!(
            e,
            Invalid::Layout {
                layout: bad.into(),
                problem: LayoutProblem::NotALayout
            }
            .into()
        );
        assert!(e.to_string().starts_with("invalid layout: "), "{e}");
    }
    assert!(check_layout("\u{1b}[2J", 1)
        .unwrap_err()
        .to_string()
        .starts_with(r#"invalid layout: "\u{1b}[2J" (not a layout name"#));
    // A layout string with a problem says what the problem is.
    assert_eq!(
        check_layout("d67e,80x24,0,0", 1),
        Err(Invalid::Layout {
            layout: "d67e,80x24,0,0".into(),
            problem: LayoutProblem::Checksum {
                stated: 0xd67e,
                computed: layout_checksum("80x24,0,0")
            }
        }
        .into())
    );
}

#[test]
fn non_ascii_is_a_syntax_error_not_a_panic() {
    for s in ["é234,1x1,0,0", "1234,1x1,0,0é", "12é,1x1"] {
        assert!(layout_leaf_count(s).is_err(), "{s}");
    }
    let s = with_checksum("1x1,0,0,é");
    assert!(layout_leaf_count(&s).is_err());
}
