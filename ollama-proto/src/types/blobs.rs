//! Blobs: `HEAD /api/blobs/:digest` and `POST /api/blobs/:digest` (raw bytes).

use std::fmt;
use std::str::FromStr;

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::UsageError;

/// A blob digest: `sha256:` or `sha256-` followed by 64 hex digits (the server's
/// `^sha256[:-][0-9a-fA-F]{64}$`). Holding one means it is well-formed; it is kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobDigest(String);

impl BlobDigest {
    /// Checks the form; a bad digest is [`UsageError::InvalidRequest`].
    pub fn parse(s: &str) -> Result<Self, UsageError> {
        let ok = s.len() == 71
            && s.starts_with("sha256")
            && matches!(s.as_bytes()[6], b':' | b'-')
            && s.as_bytes()[7..].iter().all(u8::is_ascii_hexdigit);
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(UsageError::InvalidRequest(format!(
                "invalid blob digest {s:?}: expected sha256:<64 hex digits>"
            )))
        }
    }

    /// The digest as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BlobDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for BlobDigest {
    type Err = UsageError;

    fn from_str(s: &str) -> Result<Self, UsageError> {
        Self::parse(s)
    }
}

impl Serialize for BlobDigest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for BlobDigest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// `HEAD /api/blobs/:digest`: does the server have this blob? Output `true` on 200, `false`
/// on 404. Not a JSON request, so it has no serde form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobExists(pub BlobDigest);

/// `POST /api/blobs/:digest` with the raw file as body (`Content-Type:
/// application/octet-stream`). The server answers 201 when created and 200 when it already had
/// it; a digest that does not match the bytes is a 400. Not a JSON request.
#[derive(Clone, PartialEq, Eq)]
pub struct CreateBlob {
    /// The sha256 of `data`.
    pub digest: BlobDigest,
    /// The file contents.
    pub data: Bytes,
}

impl CreateBlob {
    /// Upload `data` under `digest`.
    pub fn new(digest: BlobDigest, data: impl Into<Bytes>) -> Self {
        Self {
            digest,
            data: data.into(),
        }
    }
}

impl fmt::Debug for CreateBlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateBlob")
            .field("digest", &self.digest)
            .field("data", &format_args!("{} bytes", self.data.len()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_forms() {
        let hex = "6995872bfe4c521a67b32da386cd21d5c6e819b6e0d62f79f64ec83be99f5763";
        for ok in [
            format!("sha256:{hex}"),
            format!("sha256-{hex}"),
            format!("sha256:{}", hex.to_uppercase()),
        ] {
            assert_eq!(BlobDigest::parse(&ok).unwrap().as_str(), ok);
        }
        for bad in [
            String::new(),
            hex.to_owned(),
            format!("sha256:{}", &hex[1..]),
            format!("sha256:{hex}0"),
            format!("sha256_{hex}"),
            format!("SHA256:{hex}"),
            format!("sha256:{}g", &hex[1..]),
            format!("sha256:{}é", &hex[2..]),
        ] {
            assert!(
                matches!(BlobDigest::parse(&bad), Err(UsageError::InvalidRequest(_))),
                "{bad}"
            );
        }
    }
}
