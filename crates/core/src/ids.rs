//! Typed identifiers. Records get globally unique UUIDv7 ids (generated at the
//! edge, never here); reference data (organisations, systems) has readable
//! slug ids that regions write in their data files.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

use crate::error::{DomainError, Field};

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }
    };
}

uuid_id!(
    /// An outage in the register.
    OutageId
);
uuid_id!(
    /// A person's account.
    UserId
);
uuid_id!(
    /// A care episode (vårdtillfälle).
    EpisodeId
);
uuid_id!(
    /// One immutable entry (an outage timeline entry, an audit record, …).
    EntryId
);

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $field:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name(String);

        impl $name {
            /// Parses a slug: 1–64 characters of `a-z`, `0-9` and `-`.
            pub fn parse(s: &str) -> Result<Self, DomainError> {
                let ok = !s.is_empty()
                    && s.len() <= 64
                    && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if ok {
                    Ok($name(s.to_owned()))
                } else {
                    Err(DomainError::InvalidId { field: $field, value: s.chars().take(80).collect() })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_id!(
    /// An organisation of the directory, e.g. `kommun-timra`.
    OrgId,
    Field::Organisation
);
slug_id!(
    /// A system of the catalogue, e.g. `lifecare-sp`.
    SystemId,
    Field::System
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_lowercase_digits_and_dashes_only() {
        assert!(OrgId::parse("kommun-timra").is_ok());
        assert!(SystemId::parse("lifecare-sp").is_ok());
        for bad in ["", "Kommun", "a b", "å", "x/y", &"a".repeat(65)] {
            assert!(OrgId::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
