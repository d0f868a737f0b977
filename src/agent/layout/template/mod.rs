//! Layout templates: which roles a layout has, how many panes of each, what
//! they run, and how tmux arranges them.
//!
//! A user defines a template with a name and role specs
//! `role:count[:command]` (`define-agent-template review -l tiled
//! author:1:claude reviewer:2`); two are built in, `1m+2s` and `2m+2s`. A
//! template makes one [`Slot`] per pane: roles in the order given, each
//! repeated `count` times, each with a label that names it within its
//! layout (`m1`, `s1`, `s2`).
//!
//! Limits: template and role names as in [`super::template_name`] and
//! [`super::role_name`], 1 to [`MAX_ROLE_COUNT`] panes per role and at most
//! [`MAX_PANES`] in all, commands as in [`super::command`], and at most
//! [`MAX_TEMPLATES`](super::MAX_TEMPLATES) user templates.
//!
//! This file holds a template and its parsing; `store` holds the
//! templates of one server, built-ins included.

use std::collections::BTreeSet;
use std::fmt;

use crate::agent::error::{AgentError, Invalid, Limit};
use crate::agent::layout::geometry::check_layout;
use crate::agent::layout::{command, label, role_name, template_name, MAX_PANES, MAX_ROLE_COUNT};

mod store;

pub use store::{builtin_templates, Templates};

/// One role of a template: its name, how many panes it has, and the command
/// they run (`None`: the default shell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    pub role: String,
    pub count: u32,
    pub command: Option<String>,
}

impl fmt::Display for RoleSpec {
    /// The spec as a user types it: `role:count[:command]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.role, self.count)?;
        match &self.command {
            Some(command) => write!(f, ":{command}"),
            None => Ok(()),
        }
    }
}

/// A layout template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// `[A-Za-z0-9_.+-]{1,64}`.
    pub name: String,
    /// A tmux layout name or layout string (checked against the number of
    /// panes); `None` leaves the panes as the splits made them.
    pub layout: Option<String>,
    /// The roles, in definition order; never empty, role names distinct.
    pub roles: Vec<RoleSpec>,
    /// One of [`builtin_templates`], not defined by a user.
    pub builtin: bool,
    /// Its layouts give each pane a git worktree, as `new-agent-layout -w`
    /// (`define-agent-template -w`).
    pub worktree: bool,
}

/// One pane a template makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub role: String,
    /// Unique within the template: see [`Template::slots`].
    pub label: String,
    pub command: Option<String>,
}

impl Template {
    /// `name` and `role:count[:command]` specs as typed by a user
    /// (define-agent-template). The command is everything after the second
    /// `:`, so it may contain `:` itself. `layout` is a tmux layout name or a
    /// layout string with as many panes as the template.
    ///
    /// ```
    /// use agent_tmux::agent::layout::Template;
    /// let t = Template::parse("review", Some("tiled"), &["author:1:claude", "reviewer:2"]).unwrap();
    /// assert_eq!(t.pane_count(), 3);
    /// let labels: Vec<String> = t.slots().into_iter().map(|s| s.label).collect();
    /// assert_eq!(labels, ["a1", "r1", "r2"]);
    /// ```
    pub fn parse(name: &str, layout: Option<&str>, specs: &[&str]) -> Result<Template, AgentError> {
        template_name(name)?;
        if specs.is_empty() {
            return Err(Invalid::NoRoles.into());
        }
        let mut roles: Vec<RoleSpec> = Vec::with_capacity(specs.len());
        for spec in specs {
            let role = parse_spec(spec)?;
            if roles.iter().any(|r| r.role == role.role) {
                return Err(Invalid::DuplicateRole(role.role).into());
            }
            roles.push(role);
        }
        let count = roles.iter().fold(0u32, |n, r| n.saturating_add(r.count));
        if count > MAX_PANES {
            return Err(Limit::Panes {
                count,
                max: MAX_PANES,
            }
            .into());
        }
        let mut seen = BTreeSet::new();
        for slot in make_slots(&roles) {
            label(&slot.label)?;
            if !seen.insert(slot.label.clone()) {
                return Err(Invalid::DuplicateLabel(slot.label).into());
            }
        }
        if let Some(layout) = layout {
            check_layout(layout, count)?;
        }
        Ok(Template {
            name: name.to_owned(),
            layout: layout.map(str::to_owned),
            roles,
            builtin: false,
            worktree: false,
        })
    }

    /// How many panes the template makes.
    pub fn pane_count(&self) -> u32 {
        self.roles.iter().map(|r| r.count).sum()
    }

    /// One slot per pane in creation order: roles in definition order, each
    /// repeated `count` times. A slot's label is the role's first character
    /// and the pane's number within the role from 1 (`m1`, `s1`, `s2`)
    /// when the roles all start with different characters; otherwise the
    /// whole role name and the number (`reviewer1`).
    pub fn slots(&self) -> Vec<Slot> {
        make_slots(&self.roles)
    }

    /// [`Template::slots`] with the command of every slot of a role given in
    /// `overrides` (role, command) replaced. Roles not in the template are
    /// ignored here: [`super::Layouts::plan`] refuses them.
    pub fn slots_with(&self, overrides: &[(String, String)]) -> Vec<Slot> {
        let mut slots = self.slots();
        for slot in &mut slots {
            if let Some((_, command)) = overrides.iter().find(|(role, _)| *role == slot.role) {
                slot.command = Some(command.clone());
            }
        }
        slots
    }

    /// The role specs as a user would type them, space separated.
    pub fn specs(&self) -> String {
        let specs: Vec<String> = self.roles.iter().map(RoleSpec::to_string).collect();
        specs.join(" ")
    }
}

/// `role:count[:command]`.
fn parse_spec(spec: &str) -> Result<RoleSpec, AgentError> {
    let (role, rest) = spec
        .split_once(':')
        .ok_or_else(|| Invalid::RoleSpec(spec.to_owned()))?;
    role_name(role)?;
    let (count, cmd) = match rest.split_once(':') {
        Some((count, cmd)) => (count, Some(cmd)),
        None => (rest, None),
    };
    let bad_count = || Invalid::Count {
        role: role.to_owned(),
        count: count.to_owned(),
    };
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_count().into());
    }
    let n: u32 = count.parse().map_err(|_| bad_count())?;
    if !(1..=MAX_ROLE_COUNT).contains(&n) {
        return Err(bad_count().into());
    }
    if let Some(cmd) = cmd {
        command(role, cmd)?;
    }
    Ok(RoleSpec {
        role: role.to_owned(),
        count: n,
        command: cmd.map(str::to_owned),
    })
}

fn make_slots(roles: &[RoleSpec]) -> Vec<Slot> {
    let firsts: BTreeSet<char> = roles.iter().filter_map(|r| r.role.chars().next()).collect();
    let short = firsts.len() == roles.len();
    let mut slots = Vec::new();
    for r in roles {
        let stem = if short {
            &r.role[..r.role.chars().next().map_or(0, char::len_utf8)]
        } else {
            r.role.as_str()
        };
        for i in 1..=r.count {
            slots.push(Slot {
                role: r.role.clone(),
                label: format!("{stem}{i}"),
                command: r.command.clone(),
            });
        }
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::error::{Field, LayoutProblem};

    fn labels(t: &Template) -> Vec<String> {
        t.slots().into_iter().map(|s| s.label).collect()
    }

    fn err(name: &str, layout: Option<&str>, specs: &[&str]) -> String {
        Template::parse(name, layout, specs)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn parse_specs_in_order() {
        let t = Template::parse("t", None, &["lead:1:claude --x", "dev:3", "qa:1:a:b: c"]).unwrap();
        assert_eq!(t.name, "t");
        assert_eq!(t.layout, None);
        assert!(!t.builtin);
        assert_eq!(
            t.roles,
            vec![
                RoleSpec {
                    role: "lead".into(),
                    count: 1,
                    command: Some("claude --x".into())
                },
                RoleSpec {
                    role: "dev".into(),
                    count: 3,
                    command: None
                },
                RoleSpec {
                    role: "qa".into(),
                    count: 1,
                    command: Some("a:b: c".into())
                },
            ]
        );
        assert_eq!(t.pane_count(), 5);
        assert_eq!(t.specs(), "lead:1:claude --x dev:3 qa:1:a:b: c");
        let slots = t.slots();
        assert_eq!(labels(&t), ["l1", "d1", "d2", "d3", "q1"]);
        assert_eq!(slots[0].command.as_deref(), Some("claude --x"));
        assert_eq!(slots[2].role, "dev");
        assert_eq!(slots[2].command, None);
        assert_eq!(slots[4].command.as_deref(), Some("a:b: c"));
    }

    #[test]
    fn labels_use_full_names_when_first_characters_clash() {
        let t = Template::parse("t", None, &["reviewer:2", "runner:1", "author:1"]).unwrap();
        assert_eq!(labels(&t), ["reviewer1", "reviewer2", "runner1", "author1"]);
        // Case matters: M and m are different first characters.
        let t = Template::parse("t", None, &["Manager:1", "minion:2"]).unwrap();
        assert_eq!(labels(&t), ["M1", "m1", "m2"]);
        let t = Template::parse("t", None, &["worker:16"]).unwrap();
        assert_eq!(labels(&t).last().unwrap(), "w16");
    }

    #[test]
    fn labels_must_be_valid_and_distinct() {
        // 64-character role names fit, but not with a number behind them
        // when the full name is the label.
        let long = "r".repeat(64);
        let other = format!("r{}", "x".repeat(10));
        let t = Template::parse("t", None, &[&format!("{long}:1")]).unwrap();
        assert_eq!(labels(&t), ["r1"]);
        let e =
            Template::parse("t", None, &[&format!("{long}:1"), &format!("{other}:1")]).unwrap_err();
        assert_eq!(
            e,
            Invalid::Name {
                field: Field::Label,
                name: format!("{long}1")
            }
            .into()
        );
        assert!(e.to_string().starts_with("invalid pane label: "));
        // a1..a11 and a11 (from role a1) collide.
        assert_eq!(
            err("t", None, &["a:11", "a1:1"]),
            "duplicate pane label: a11 (roles sharing a first character are labelled by \
             their full names: rename one)"
        );
    }

    #[test]
    fn parse_errors() {
        let cases: &[(&str, &[&str], &str)] = &[
            ("t", &[], "no roles: give at least one role:count"),
            (
                "t",
                &["manager"],
                r#"invalid role spec: "manager" (expected role:count[:command])"#,
            ),
            (
                "t",
                &[":1"],
                r#"invalid role name: "" (allowed: A-Z a-z 0-9 _ . -, 1 to 64 characters)"#,
            ),
            (
                "t",
                &["a b:1"],
                r#"invalid role name: "a b" (allowed: A-Z a-z 0-9 _ . -, 1 to 64 characters)"#,
            ),
            (
                "t",
                &["m+x:1"],
                r#"invalid role name: "m+x" (allowed: A-Z a-z 0-9 _ . -, 1 to 64 characters)"#,
            ),
            (
                "t",
                &["m:"],
                r#"invalid count for role m: "" (allowed: 1 to 16)"#,
            ),
            (
                "t",
                &["m:0"],
                r#"invalid count for role m: "0" (allowed: 1 to 16)"#,
            ),
            (
                "t",
                &["m:17"],
                r#"invalid count for role m: "17" (allowed: 1 to 16)"#,
            ),
            (
                "t",
                &["m:-1"],
                r#"invalid count for role m: "-1" (allowed: 1 to 16)"#,
            ),
            (
                "t",
                &["m:+1"],
                r#"invalid count for role m: "+1" (allowed: 1 to 16)"#,
            ),
            (
                "t",
                &["m: 1"],
                r#"invalid count for role m: " 1" (allowed: 1 to 16)"#,
            ),
            (
                "t",
                &["m:x"],
                r#"invalid count for role m: "x" (allowed: 1 to 16)"#,
            ),
            (
                "t",
                &["m:99999999999999999999"],
                r#"invalid count for role m: "99999999999999999999" (allowed: 1 to 16)"#,
            ),
            ("t", &["m:1:"], "empty command for role m"),
            ("t", &["m:1:  "], "empty command for role m"),
            ("t", &["m:1:a\nb"], "command contains a control character"),
            (
                "t",
                &["m:1:a\u{1b}b"],
                "command contains a control character",
            ),
            ("t", &["m:1", "s:1", "m:2"], "duplicate role: m"),
            ("t", &["m:16", "s:1"], "too many panes: 17 (limit 16)"),
            (
                "a b",
                &["m:1"],
                r#"invalid template name: "a b" (allowed: A-Z a-z 0-9 _ . + -, 1 to 64 characters)"#,
            ),
            (
                "",
                &["m:1"],
                r#"invalid template name: "" (allowed: A-Z a-z 0-9 _ . + -, 1 to 64 characters)"#,
            ),
        ];
        for (name, specs, want) in cases {
            assert_eq!(&err(name, None, specs), want, "{name} {specs:?}");
        }
        let big = format!("m:1:{}", "c".repeat(4097));
        assert_eq!(
            err("t", None, &[&big]),
            "command too long: 4097 bytes (limit 4096)"
        );
    }

    #[test]
    fn pane_limit_boundary() {
        let t = Template::parse("t", None, &["a:8", "b:8"]).unwrap();
        assert_eq!(t.pane_count(), 16);
        let many: Vec<String> = (0..17).map(|i| format!("r{i}:1")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(err("t", None, &many), "too many panes: 17 (limit 16)");
        // Counts add up without overflowing.
        let huge: Vec<String> = (0..1000).map(|i| format!("r{i}:16")).collect();
        let huge: Vec<&str> = huge.iter().map(String::as_str).collect();
        assert_eq!(err("t", None, &huge), "too many panes: 16000 (limit 16)");
    }

    #[test]
    fn layouts_are_checked_against_the_pane_count() {
        let three = "d67e,80x24,0,0{40x24,0,0,0,39x24,41,0[39x12,41,0,1,39x11,41,13,2]}";
        let t = Template::parse("t", Some(three), &["m:1", "s:2"]).unwrap();
        assert_eq!(t.layout.as_deref(), Some(three));
        assert_eq!(
            err("t", Some(three), &["m:2", "s:2"]),
            "layout has 3 panes but the template has 4"
        );
        let t = Template::parse("t", Some("even-vertical"), &["m:5"]).unwrap();
        assert_eq!(t.layout.as_deref(), Some("even-vertical"));
        assert_eq!(
            Template::parse("t", Some("grid"), &["m:1"]),
            Err(Invalid::Layout {
                layout: "grid".into(),
                problem: LayoutProblem::NotALayout
            }
            .into())
        );
        assert!(err("t", Some("grid"), &["m:1"]).starts_with(r#"invalid layout: "grid" ("#));
    }

    #[test]
    fn slots_with_overrides() {
        let t = Templates::new().get("1m+2s").unwrap().clone();
        let slots = t.slots_with(&[("specialist".into(), "codex".into())]);
        let commands: Vec<Option<&str>> = slots.iter().map(|s| s.command.as_deref()).collect();
        assert_eq!(commands, [None, Some("codex"), Some("codex")]);
        assert_eq!(t.slots_with(&[]), t.slots());
    }
}
