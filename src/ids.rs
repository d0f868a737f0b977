//! The ids that name things across every layer, each its own type with its
//! text form: tmux's sessions (`$N`), windows (`@N`) and panes (`%N`), and
//! the domain's managed layouts (`L<n>`) and managed panes (`M<n>`).
//!
//! `Display` writes the text form and `FromStr` reads exactly that form: the
//! prefix, then decimal digits only (no sign, no space), fitting in 32 bits.
//! tmux numbers its ids from 0; layouts and managed panes count from 1, so
//! `L0` and `M0` are refused. This module names nothing else of the crate:
//! the domain, the facade over tmux and the layers above all use it.

use std::fmt;
use std::str::FromStr;

/// A text that is not the id it was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseIdError {
    /// The prefix of the id that was expected (`$`, `@`, `%`, `L`, `M`).
    pub prefix: char,
}

impl fmt::Display for ParseIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an id of the form {}N", self.prefix)
    }
}

impl std::error::Error for ParseIdError {}

/// `prefix` then digits only, fitting in a `u32`; at least 1 unless `zero`.
fn parse(s: &str, prefix: char, zero: bool) -> Result<u32, ParseIdError> {
    let err = ParseIdError { prefix };
    let digits = s.strip_prefix(prefix).ok_or(err)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err);
    }
    digits.parse().ok().filter(|&n| zero || n != 0).ok_or(err)
}

macro_rules! id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, zero: $zero:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
        pub struct $name(pub u32);

        impl $name {
            /// The character its text form starts with.
            pub const PREFIX: char = $prefix;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", $prefix, self.0)
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;

            fn from_str(s: &str) -> Result<Self, ParseIdError> {
                parse(s, $prefix, $zero).map($name)
            }
        }
    };
}

id!(
    /// A tmux session, by its id (`$N`): stable for the session's life,
    /// never reused by the server, unlike its name.
    SessionId, '$', zero: true
);
id!(
    /// A tmux window, by its id (`@N`).
    WindowId, '@', zero: true
);
id!(
    /// A tmux pane, by its id (`%N`).
    PaneId, '%', zero: true
);
id!(
    /// A managed layout (`L<n>`, from 1).
    LayoutId, 'L', zero: false
);
id!(
    /// A managed pane (`M<n>`, from 1). A recreated pane gets a new id; the
    /// recreate chain links old and new.
    ManagedId, 'M', zero: false
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms() {
        assert_eq!(SessionId(3).to_string(), "$3");
        assert_eq!(WindowId(0).to_string(), "@0");
        assert_eq!(PaneId(12).to_string(), "%12");
        assert_eq!(LayoutId(4).to_string(), "L4");
        assert_eq!(ManagedId(7).to_string(), "M7");
        assert_eq!("$0".parse(), Ok(SessionId(0)));
        assert_eq!("%5".parse(), Ok(PaneId(5)));
        assert_eq!("@2".parse(), Ok(WindowId(2)));
        assert_eq!("$x".parse::<SessionId>(), Err(ParseIdError { prefix: '$' }));
        assert_eq!("5".parse::<PaneId>(), Err(ParseIdError { prefix: '%' }));
    }

    #[test]
    fn layout_and_managed_ids_parse() {
        let layout = |s: &str| s.parse::<LayoutId>().ok();
        let managed = |s: &str| s.parse::<ManagedId>().ok();
        assert_eq!(layout("L3"), Some(LayoutId(3)));
        assert_eq!(layout("L4294967295"), Some(LayoutId(u32::MAX)));
        assert_eq!(managed("M7"), Some(ManagedId(7)));
        assert_eq!(managed("M007"), Some(ManagedId(7)));
        for bad in [
            "",
            "L",
            "L0",
            "l3",
            "3",
            "L-1",
            "L+1",
            "L 1",
            "L1x",
            "L4294967296",
            "M3",
        ] {
            assert_eq!(layout(bad), None, "{bad:?}");
        }
        assert_eq!(managed("L7"), None);
        assert_eq!(managed("%7"), None);
        assert_eq!(managed("M0"), None);
    }

    #[test]
    fn round_trip() {
        for n in [0, 1, 99, u32::MAX] {
            let s = SessionId(n);
            assert_eq!(s.to_string().parse(), Ok(s));
            let p = PaneId(n);
            assert_eq!(p.to_string().parse(), Ok(p));
        }
        for n in [1, 99, u32::MAX] {
            let m = ManagedId(n);
            assert_eq!(m.to_string().parse(), Ok(m));
            let l = LayoutId(n);
            assert_eq!(l.to_string().parse(), Ok(l));
        }
    }
}
