//! Validated input values: raw request fields become these at the edge, so code inside never
//! re-checks them. Every failure names the field and says what is wrong.

use crate::{MAX_MESSAGE_CHARS, MAX_SUBJECT_CHARS};
use std::collections::BTreeMap;

/// Field name → human sentence, collected while parsing one request.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` for `field` (the first problem per field wins).
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    /// Runs `parse`, recording its error under `field`; `None` when it failed.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

pub(crate) fn trimmed_len_between(
    raw: &str,
    what: &str,
    min: usize,
    max: usize,
) -> Result<String, String> {
    let t = raw.trim();
    let n = t.chars().count();
    if n < min {
        return Err(if min == 1 {
            format!("{what} must not be empty")
        } else {
            format!("{what} must be at least {min} characters")
        });
    }
    if n > max {
        return Err(format!("{what} must be at most {max} characters (got {n})"));
    }
    Ok(t.to_owned())
}

/// Message content: 1..=10,000 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    pub fn parse(raw: &str) -> Result<Self, String> {
        trimmed_len_between(raw, "content", 1, MAX_MESSAGE_CHARS).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A conversation subject: 1..=255 characters after trimming, no line breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = trimmed_len_between(raw, "subject", 1, MAX_SUBJECT_CHARS)?;
        if s.contains(['\n', '\r']) {
            return Err("subject must be a single line".into());
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A display name: 1..=100 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = trimmed_len_between(raw, "name", 1, 100)?;
        if s.chars().any(char::is_control) {
            return Err("name must not contain control characters".into());
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An email address, lower-cased; a pragmatic check (one `@`, a dotted domain, no spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let e = raw.trim().to_lowercase();
        let invalid = || "email must be a valid email address".to_string();
        if e.is_empty() {
            return Err("email must not be empty".into());
        }
        if e.len() > 254 || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = e.split_once('@').ok_or_else(invalid)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(invalid());
        }
        Ok(Self(e))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A new password: 8..=128 characters (not trimmed: spaces count).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let n = raw.chars().count();
        if n < 8 {
            return Err("password must be at least 8 characters".into());
        }
        if n > 128 {
            return Err("password must be at most 128 characters".into());
        }
        Ok(Self(raw.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A client-made id (a UUID string) that makes a send idempotent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientMessageId(String);

impl ClientMessageId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let t = raw.trim();
        let ok = t.len() == 36
            && t.char_indices().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => c == '-',
                _ => c.is_ascii_hexdigit(),
            });
        if ok {
            Ok(Self(t.to_ascii_lowercase()))
        } else {
            Err(
                "clientMessageId must be a UUID such as 3f2b8c1e-7d4a-4e2b-9c1a-0b5d6e7f8a90"
                    .into(),
            )
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_content_is_trimmed_and_bounded() {
        assert_eq!(MessageBody::parse("  hi \n").unwrap().as_str(), "hi");
        assert_eq!(
            MessageBody::parse("   ").unwrap_err(),
            "content must not be empty"
        );
        let long = "é".repeat(MAX_MESSAGE_CHARS + 1);
        assert!(
            MessageBody::parse(&long)
                .unwrap_err()
                .contains("at most 10000")
        );
        assert!(MessageBody::parse(&"é".repeat(MAX_MESSAGE_CHARS)).is_ok());
    }

    #[test]
    fn emails_are_lowercased_and_malformed_ones_refused() {
        assert_eq!(
            Email::parse(" Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in [
            "", "ann", "ann@", "@x.io", "a@b", "a b@c.io", "a@@c.io", "a@c..io",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn subjects_must_be_one_line() {
        assert!(Subject::parse("a\nb").is_err());
        assert!(Subject::parse(&"x".repeat(256)).is_err());
        assert_eq!(Subject::parse(" Billing ").unwrap().as_str(), "Billing");
    }

    #[test]
    fn client_message_ids_must_be_uuids() {
        assert!(ClientMessageId::parse("3F2B8C1E-7D4A-4E2B-9C1A-0B5D6E7F8A90").is_ok());
        assert!(ClientMessageId::parse("not-a-uuid").is_err());
        assert!(ClientMessageId::parse("3f2b8c1e7d4a4e2b9c1a0b5d6e7f8a90").is_err());
    }

    #[test]
    fn password_debug_never_shows_the_secret() {
        let p = Password::parse("correct horse").unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
    }

    #[test]
    fn field_errors_keep_the_first_problem_per_field() {
        let mut f = FieldErrors::new();
        assert!(f.check("email", Email::parse("x")).is_none());
        f.add("email", "second");
        assert_eq!(f.0["email"], "email must be a valid email address");
        assert!(f.into_result().is_err());
    }
}
