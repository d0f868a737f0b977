//! The templates of one server: the two built-ins and those users define,
//! by name.

use std::collections::BTreeMap;

use super::{RoleSpec, Template};
use crate::agent::error::{AgentError, Limit};
use crate::agent::layout::{template_name, MAX_TEMPLATES};

/// The built-in templates:
///
/// - `1m+2s`: manager:1 specialist:2, layout `main-vertical` (with tmux's
///   main pane at half the width: the manager on the left half, the two
///   specialists stacked on the right).
/// - `2m+2s`: manager:2 specialist:2, layout `tiled` (2x2: managers above,
///   specialists below).
pub fn builtin_templates() -> Vec<Template> {
    let role = |role: &str, count| RoleSpec {
        role: role.to_owned(),
        count,
        command: None,
    };
    vec![
        Template {
            name: "1m+2s".to_owned(),
            layout: Some("main-vertical".to_owned()),
            roles: vec![role("manager", 1), role("specialist", 2)],
            builtin: true,
            worktree: false,
        },
        Template {
            name: "2m+2s".to_owned(),
            layout: Some("tiled".to_owned()),
            roles: vec![role("manager", 2), role("specialist", 2)],
            builtin: true,
            worktree: false,
        },
    ]
}

/// The templates of one server: the built-ins and those users defined. A
/// user template may override a built-in of the same name (with force);
/// undefining it brings the built-in back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    /// What each name means now.
    current: BTreeMap<String, Template>,
    /// The built-ins, to bring one back when its override is undefined.
    builtins: BTreeMap<String, Template>,
}

impl Default for Templates {
    fn default() -> Templates {
        let builtins: BTreeMap<String, Template> = builtin_templates()
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect();
        Templates {
            current: builtins.clone(),
            builtins,
        }
    }
}

impl Templates {
    /// The built-in templates and no others.
    pub fn new() -> Templates {
        Templates::default()
    }

    /// The template called `name`.
    pub fn get(&self, name: &str) -> Result<&Template, AgentError> {
        template_name(name)?;
        self.current
            .get(name)
            .ok_or_else(|| AgentError::TemplateNotFound(name.to_owned()))
    }

    /// Defines `t` (as a user template, whatever its `builtin` says);
    /// returns whether it replaced a template of the same name. Replacing a
    /// user template needs nothing; replacing a built-in needs `force`.
    /// A new name is refused when [`MAX_TEMPLATES`] user templates exist.
    pub fn define(&mut self, mut t: Template, force: bool) -> Result<bool, AgentError> {
        t.builtin = false;
        let replaced = self.current.get(&t.name).map(|old| old.builtin);
        if replaced == Some(true) && !force {
            return Err(AgentError::BuiltinTemplate(t.name));
        }
        // Anything but replacing a user template adds one.
        if replaced != Some(false) {
            let count = self.user_count();
            if count >= MAX_TEMPLATES {
                return Err(Limit::Templates {
                    count,
                    max: MAX_TEMPLATES,
                }
                .into());
            }
        }
        self.current.insert(t.name.clone(), t);
        Ok(replaced.is_some())
    }

    /// Removes the user template `name`. If it overrode a built-in, the
    /// built-in comes back. A built-in itself can't be undefined.
    pub fn undefine(&mut self, name: &str) -> Result<(), AgentError> {
        match self.get(name)? {
            t if t.builtin => Err(AgentError::UndefineBuiltin(name.to_owned())),
            _ => {
                match self.builtins.get(name) {
                    Some(builtin) => self.current.insert(name.to_owned(), builtin.clone()),
                    None => self.current.remove(name),
                };
                Ok(())
            }
        }
    }

    /// Every template, in name order.
    pub fn iter(&self) -> impl Iterator<Item = &Template> {
        self.current.values()
    }

    /// How many user templates are defined, overrides of built-ins
    /// included.
    pub fn user_count(&self) -> usize {
        self.current.values().filter(|t| !t.builtin).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(t: &Template) -> Vec<String> {
        t.slots().into_iter().map(|s| s.label).collect()
    }

    #[test]
    fn builtins() {
        let b = builtin_templates();
        assert_eq!(b.len(), 2);
        let one = &b[0];
        assert_eq!(one.name, "1m+2s");
        assert!(one.builtin);
        assert_eq!(one.layout.as_deref(), Some("main-vertical"));
        assert_eq!(one.specs(), "manager:1 specialist:2");
        assert_eq!(labels(one), ["m1", "s1", "s2"]);
        let two = &b[1];
        assert_eq!(two.name, "2m+2s");
        assert_eq!(two.layout.as_deref(), Some("tiled"));
        assert_eq!(labels(two), ["m1", "m2", "s1", "s2"]);
        for t in &b {
            assert!(t.roles.iter().all(|r| r.command.is_none()));
            // A user could have typed them.
            let specs: Vec<String> = t.roles.iter().map(RoleSpec::to_string).collect();
            let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
            let parsed = Template::parse(&t.name, t.layout.as_deref(), &specs).unwrap();
            assert_eq!(parsed.roles, t.roles);
        }
    }

    #[test]
    fn registry_starts_with_the_builtins() {
        let ts = Templates::new();
        assert_eq!(ts, Templates::default());
        let names: Vec<&str> = ts.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["1m+2s", "2m+2s"]);
        assert!(ts.get("1m+2s").unwrap().builtin);
        assert_eq!(ts.user_count(), 0);
        assert_eq!(
            ts.get("nope").unwrap_err().to_string(),
            "unknown template: nope"
        );
        assert!(ts
            .get("bad name")
            .unwrap_err()
            .to_string()
            .starts_with("invalid template name: "));
    }

    #[test]
    fn define_replace_and_undefine_user_templates() {
        let mut ts = Templates::new();
        let a = Template::parse("team", None, &["a:1"]).unwrap();
        let b = Template::parse("team", Some("tiled"), &["b:2"]).unwrap();
        assert_eq!(ts.define(a.clone(), false), Ok(false));
        assert_eq!(ts.get("team"), Ok(&a));
        assert_eq!(ts.define(b.clone(), false), Ok(true));
        assert_eq!(ts.get("team"), Ok(&b));
        let names: Vec<&str> = ts.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["1m+2s", "2m+2s", "team"]);
        assert_eq!(ts.user_count(), 1);
        assert_eq!(ts.undefine("team"), Ok(()));
        assert_eq!(
            ts.get("team"),
            Err(AgentError::TemplateNotFound("team".into()))
        );
        assert_eq!(
            ts.undefine("team").unwrap_err().to_string(),
            "unknown template: team"
        );
    }

    #[test]
    fn builtins_need_force_and_come_back() {
        let mut ts = Templates::new();
        let mine = Template::parse("1m+2s", None, &["boss:1"]).unwrap();
        let before = ts.clone();
        assert_eq!(
            ts.define(mine.clone(), false).unwrap_err().to_string(),
            "template 1m+2s is built in: use -f to override it"
        );
        assert_eq!(ts, before);
        assert_eq!(ts.define(mine.clone(), true), Ok(true));
        assert_eq!(ts.get("1m+2s"), Ok(&mine));
        assert_eq!(ts.user_count(), 1);
        // Replacing the override is replacing a user template.
        let again = Template::parse("1m+2s", None, &["boss:2"]).unwrap();
        assert_eq!(ts.define(again, false), Ok(true));
        assert_eq!(ts.undefine("1m+2s"), Ok(()));
        assert_eq!(ts.get("1m+2s"), Ok(&builtin_templates()[0]));
        assert_eq!(
            ts.undefine("1m+2s").unwrap_err().to_string(),
            "template 1m+2s is built in and can't be undefined"
        );
        assert_eq!(ts, before);
    }

    #[test]
    fn defined_templates_are_never_builtin() {
        let mut ts = Templates::new();
        let mut t = Template::parse("x", None, &["a:1"]).unwrap();
        t.builtin = true;
        ts.define(t, false).unwrap();
        assert!(!ts.get("x").unwrap().builtin);
        assert_eq!(ts.undefine("x"), Ok(()));
    }

    #[test]
    fn user_template_limit() {
        let mut ts = Templates::new();
        for i in 0..MAX_TEMPLATES {
            let t = Template::parse(&format!("t{i}"), None, &["a:1"]).unwrap();
            assert_eq!(ts.define(t, false), Ok(false));
        }
        let t = Template::parse("one-more", None, &["a:1"]).unwrap();
        assert_eq!(
            ts.define(t, false).unwrap_err().to_string(),
            "too many templates: 256 defined (limit 256)"
        );
        // Replacing a user template still works at the limit; overriding a
        // built-in adds a user template, so it doesn't.
        let t = Template::parse("t0", None, &["b:1"]).unwrap();
        assert_eq!(ts.define(t, false), Ok(true));
        let t = Template::parse("2m+2s", None, &["b:1"]).unwrap();
        assert!(matches!(
            ts.define(t, true),
            Err(AgentError::Limit(Limit::Templates { .. }))
        ));
        assert_eq!(ts.user_count(), MAX_TEMPLATES);
        ts.undefine("t0").unwrap();
        let t = Template::parse("2m+2s", None, &["b:1"]).unwrap();
        assert_eq!(ts.define(t, true), Ok(true));
        assert_eq!(ts.user_count(), MAX_TEMPLATES);
    }
}
