//! DNS names as this crate keeps and compares them: lower case, without the trailing dot.

use std::fmt;

/// A DNS name in canonical form: lower-case ASCII without the trailing dot, in labels of 1–63
/// letters, digits, hyphens or underscores, at most 253 characters in all.
///
/// Underscores are allowed, unlike in host names, because verification records live at
/// `_zelly.…`. Internationalised names must come in their ASCII (punycode, `xn--…`) form, which
/// is what travels in DNS messages.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordName(String);

/// Why a text is not a DNS name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a valid DNS name: {reason}")]
pub struct InvalidName {
    /// The text as it was given.
    pub name: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl RecordName {
    /// Canonicalises `raw` (surrounding spaces, one trailing dot and upper case are dropped) and
    /// checks that what remains is a DNS name.
    pub fn parse(raw: &str) -> Result<Self, InvalidName> {
        let invalid = |reason| InvalidName { name: raw.to_owned(), reason };
        let trimmed = raw.trim();
        let name = trimmed.strip_suffix('.').unwrap_or(trimmed).to_ascii_lowercase();
        if name.is_empty() {
            return Err(invalid("it is empty"));
        }
        if name.len() > 253 {
            return Err(invalid("it is longer than 253 characters"));
        }
        for label in name.split('.') {
            if label.is_empty() {
                return Err(invalid("it has an empty label (two dots in a row, or a leading dot)"));
            }
            if label.len() > 63 {
                return Err(invalid("a label is longer than 63 characters"));
            }
            if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return Err(invalid(
                    "labels may hold only letters, digits, hyphens and underscores (write international names in punycode, xn--…)",
                ));
            }
        }
        Ok(Self(name))
    }

    /// The name, e.g. `_zelly.shop.example.com`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecordName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RecordName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Whether two names are the same DNS name: case and one trailing dot do not count.
pub fn same_name(a: &str, b: &str) -> bool {
    let bare = |s: &str| {
        let s = s.trim();
        s.strip_suffix('.').unwrap_or(s).to_owned()
    };
    bare(a).eq_ignore_ascii_case(&bare(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(raw: &str) -> Option<String> {
        RecordName::parse(raw).ok().map(|n| n.to_string())
    }

    #[test]
    fn case_spaces_and_the_trailing_dot_are_normalised_away() {
        assert_eq!(canonical("Shop.Example.COM.").as_deref(), Some("shop.example.com"));
        assert_eq!(canonical("  shop.example.com ").as_deref(), Some("shop.example.com"));
        assert_eq!(canonical("_Zelly.shop.example.com").as_deref(), Some("_zelly.shop.example.com"));
    }

    #[test]
    fn empty_labels_and_odd_characters_are_rejected() {
        for bad in ["", ".", "shop..example.com", ".example.com", "shop.example.com..", "a b.com", "shöp.example.com", "x/y.com"] {
            assert_eq!(canonical(bad), None, "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_label_over_63_characters_and_a_name_over_253_are_rejected() {
        assert!(RecordName::parse(&format!("{}.com", "a".repeat(63))).is_ok());
        assert!(RecordName::parse(&format!("{}.com", "a".repeat(64))).is_err());
        let long = vec!["abcdefghi"; 26].join("."); // 26 × 9 + 25 dots = 259 characters
        assert!(RecordName::parse(&long).is_err());
    }

    #[test]
    fn the_error_names_the_text_and_the_reason() {
        let err = RecordName::parse("shop..example.com").expect_err("accepted");
        assert!(err.to_string().contains("\"shop..example.com\""), "{err}");
        assert!(err.to_string().contains("empty label"), "{err}");
    }

    #[test]
    fn names_differing_only_in_case_or_trailing_dot_are_the_same() {
        assert!(same_name("Stores.Zelly.App.", "stores.zelly.app"));
        assert!(!same_name("stores.zelly.app", "stores.zelly.app.evil.com"));
    }
}
