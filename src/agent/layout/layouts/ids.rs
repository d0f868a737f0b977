//! The text forms of layout and managed-pane ids: `L<n>` and `M<n>`,
//! counting from 1.

use crate::agent::layout::{LayoutId, ManagedId};

/// `"L3"` → 3. Ids count from 1.
pub fn parse_layout_id(s: &str) -> Option<LayoutId> {
    parse_id(s, 'L')
}

/// `"M7"` → 7. Ids count from 1.
pub fn parse_managed_id(s: &str) -> Option<ManagedId> {
    parse_id(s, 'M')
}

fn parse_id(s: &str, prefix: char) -> Option<u32> {
    let digits = s.strip_prefix(prefix)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse() {
        assert_eq!(parse_layout_id("L3"), Some(3));
        assert_eq!(parse_layout_id("L4294967295"), Some(u32::MAX));
        assert_eq!(parse_managed_id("M7"), Some(7));
        assert_eq!(parse_managed_id("M007"), Some(7));
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
            assert_eq!(parse_layout_id(bad), None, "{bad:?}");
        }
        assert_eq!(parse_managed_id("L7"), None);
        assert_eq!(parse_managed_id("%7"), None);
    }
}
