//! The stand-in's record set: what it answers, changed from tests or over HTTP.

use std::collections::BTreeSet;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use crate::name::RecordName;

/// The record types the stand-in serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RecordKind {
    /// An IPv4 address.
    A,
    /// An IPv6 address.
    #[serde(rename = "AAAA")]
    Aaaa,
    /// An alias of another name.
    #[serde(rename = "CNAME")]
    Cname,
    /// Free text, such as a verification token.
    #[serde(rename = "TXT")]
    Txt,
}

impl RecordKind {
    /// Every kind, in the order listed in messages.
    pub const ALL: [RecordKind; 4] = [RecordKind::A, RecordKind::Aaaa, RecordKind::Cname, RecordKind::Txt];

    /// The type as DNS writes it: `A`, `AAAA`, `CNAME`, `TXT`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::A => "A",
            RecordKind::Aaaa => "AAAA",
            RecordKind::Cname => "CNAME",
            RecordKind::Txt => "TXT",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecordKind {
    type Err = InvalidRecord;

    /// Reads a type in any case (`txt`, `TXT`).
    fn from_str(raw: &str) -> Result<Self, InvalidRecord> {
        RecordKind::ALL
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| InvalidRecord(format!("type must be one of A, AAAA, CNAME or TXT, not {raw:?}")))
    }
}

/// Why a record cannot be served, in words for whoever sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidRecord(pub String);

/// The longest TXT value accepted: far more than any verification token, small enough that an
/// answer still fits a TCP message.
const MAX_TXT_LEN: usize = 4000;

/// One record: a name, a type and a value, all checked and in canonical form (lower-case names
/// without the trailing dot, addresses as Rust writes them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DnsRecord {
    /// The owner name, e.g. `_zelly.shop.example.com`.
    pub name: String,
    /// The record type.
    #[serde(rename = "type")]
    pub kind: RecordKind,
    /// An address for A/AAAA, a name for CNAME, text for TXT.
    pub value: String,
}

impl DnsRecord {
    /// Checks and canonicalises a record: the name must be a DNS name, an A or AAAA value an
    /// address of that family, a CNAME value a DNS name, and a TXT value 1–4000 bytes.
    pub fn new(kind: RecordKind, name: &str, value: &str) -> Result<Self, InvalidRecord> {
        let name = RecordName::parse(name).map_err(|err| InvalidRecord(format!("name: {err}")))?;
        let value = match kind {
            RecordKind::A => Ipv4Addr::from_str(value.trim())
                .map_err(|_| InvalidRecord(format!("an A record's value must be an IPv4 address, not {value:?}")))?
                .to_string(),
            RecordKind::Aaaa => Ipv6Addr::from_str(value.trim())
                .map_err(|_| InvalidRecord(format!("an AAAA record's value must be an IPv6 address, not {value:?}")))?
                .to_string(),
            RecordKind::Cname => RecordName::parse(value).map_err(|err| InvalidRecord(format!("value: {err}")))?.to_string(),
            // TXT is kept byte for byte: a token with a stray space must fail the check as it
            // would in real DNS.
            RecordKind::Txt if value.is_empty() => return Err(InvalidRecord("a TXT record's value must not be empty".into())),
            RecordKind::Txt if value.len() > MAX_TXT_LEN => {
                return Err(InvalidRecord(format!("a TXT record's value must be at most {MAX_TXT_LEN} bytes")));
            }
            RecordKind::Txt => value.to_owned(),
        };
        Ok(Self { name: name.to_string(), kind, value })
    }

    /// A TXT record.
    pub fn txt(name: &str, value: &str) -> Result<Self, InvalidRecord> {
        Self::new(RecordKind::Txt, name, value)
    }

    /// A CNAME record from `name` to `target`.
    pub fn cname(name: &str, target: &str) -> Result<Self, InvalidRecord> {
        Self::new(RecordKind::Cname, name, target)
    }

    /// An A record.
    pub fn a(name: &str, address: Ipv4Addr) -> Result<Self, InvalidRecord> {
        Self::new(RecordKind::A, name, &address.to_string())
    }

    /// An AAAA record.
    pub fn aaaa(name: &str, address: Ipv6Addr) -> Result<Self, InvalidRecord> {
        Self::new(RecordKind::Aaaa, name, &address.to_string())
    }
}

impl FromStr for DnsRecord {
    type Err = InvalidRecord;

    /// Reads `type:name:value`, e.g. `TXT:_zelly.shop.example.com:zelly-verify-abc` or
    /// `AAAA:shop.example.com:2001:db8::1` (everything after the second colon is the value).
    fn from_str(raw: &str) -> Result<Self, InvalidRecord> {
        let mut parts = raw.trim().splitn(3, ':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(kind), Some(name), Some(value)) => DnsRecord::new(kind.parse()?, name, value),
            _ => Err(InvalidRecord(format!("a record is written type:name:value, not {raw:?}"))),
        }
    }
}

/// What the HTTP API accepts: checked by [`DnsRecord::new`] before it is kept.
#[derive(Debug, Deserialize)]
pub(crate) struct RecordBody {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

impl RecordBody {
    pub(crate) fn parse(&self) -> Result<DnsRecord, InvalidRecord> {
        DnsRecord::new(self.kind.parse()?, &self.name, &self.value)
    }
}

/// The stand-in's records, shared by its DNS and HTTP sides and by the test that started it.
/// Cloning shares the same set.
#[derive(Debug, Clone, Default)]
pub struct Records {
    set: Arc<RwLock<BTreeSet<DnsRecord>>>,
}

impl Records {
    /// A set holding `records`.
    pub fn new(records: impl IntoIterator<Item = DnsRecord>) -> Self {
        Self { set: Arc::new(RwLock::new(records.into_iter().collect())) }
    }

    /// Adds `record`; `false` when it was already there (adding is idempotent).
    pub fn add(&self, record: DnsRecord) -> bool {
        self.write().insert(record)
    }

    /// Removes `record`; `false` when it was not there.
    pub fn remove(&self, record: &DnsRecord) -> bool {
        self.write().remove(record)
    }

    /// Every record, sorted by name, type and value.
    pub fn list(&self) -> Vec<DnsRecord> {
        self.read().iter().cloned().collect()
    }

    /// Removes every record.
    pub fn clear(&self) {
        self.write().clear();
    }

    /// The records at `name` (canonical form).
    pub(crate) fn at(&self, name: &str) -> Vec<DnsRecord> {
        self.read().iter().filter(|r| r.name == name).cloned().collect()
    }

    /// Whether `name` exists: it has records, or names below it do (an "empty non-terminal":
    /// `shop.example.com` exists once `_zelly.shop.example.com` does, and is NODATA, not
    /// NXDOMAIN).
    pub(crate) fn name_exists(&self, name: &str) -> bool {
        let suffix = format!(".{name}");
        self.read().iter().any(|r| r.name == name || r.name.ends_with(&suffix))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeSet<DnsRecord>> {
        self.set.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeSet<DnsRecord>> {
        self.set.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_names_and_cname_targets_are_kept_in_canonical_form() {
        let record = DnsRecord::cname("Shop.Example.COM.", "Stores.Zelly.App.").expect("a CNAME");
        assert_eq!(record.name, "shop.example.com");
        assert_eq!(record.value, "stores.zelly.app");
    }

    #[test]
    fn a_bad_type_address_or_name_is_refused_with_a_reason() {
        let refused = |kind: &str, name: &str, value: &str| {
            let body = RecordBody { name: name.into(), kind: kind.into(), value: value.into() };
            match body.parse() {
                Ok(record) => panic!("{record:?} was accepted"),
                Err(InvalidRecord(reason)) => reason,
            }
        };
        assert!(refused("MX", "example.com", "mail.example.com").contains("type must be one of"));
        assert!(refused("A", "example.com", "::1").contains("IPv4"));
        assert!(refused("AAAA", "example.com", "1.2.3.4").contains("IPv6"));
        assert!(refused("TXT", "", "token").contains("name"));
        assert!(refused("TXT", "example.com", "").contains("empty"));
        assert!(refused("CNAME", "example.com", "not a name").contains("value"));
    }

    #[test]
    fn a_record_is_read_from_type_name_value_with_colons_in_the_value() {
        let record: DnsRecord = "aaaa:shop.example.com:2001:db8::1".parse().expect("an AAAA record");
        assert_eq!(record, DnsRecord::aaaa("shop.example.com", "2001:db8::1".parse().expect("an address")).expect("a record"));
        assert!("TXT:only-two".parse::<DnsRecord>().is_err());
    }

    #[test]
    fn adding_is_idempotent_and_removing_says_whether_anything_went() {
        let records = Records::default();
        let txt = DnsRecord::txt("_zelly.shop.example.com", "token").expect("a TXT record");
        assert!(records.add(txt.clone()));
        assert!(!records.add(txt.clone()));
        assert_eq!(records.list(), vec![txt.clone()]);
        assert!(records.remove(&txt));
        assert!(!records.remove(&txt));
        assert!(records.list().is_empty());
    }

    #[test]
    fn a_parent_of_a_record_exists_but_a_sibling_does_not() {
        let records = Records::new([DnsRecord::txt("_zelly.shop.example.com", "token").expect("a TXT record")]);
        assert!(records.name_exists("shop.example.com"));
        assert!(!records.name_exists("op.example.com"));
        assert!(!records.name_exists("other.example.com"));
    }
}
