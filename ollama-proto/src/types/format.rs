//! `format`: structured output, as `"json"` or a JSON Schema object.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Constrains the model's output (`format` on chat and generate requests).
#[derive(Debug, Clone, PartialEq)]
pub enum Format {
    /// `"json"`: any JSON value (a JSON grammar).
    Json,
    /// A JSON Schema object the output must match. Keep it an object: the server rejects
    /// anything else.
    Schema(Value),
}

impl Serialize for Format {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Json => s.serialize_str("json"),
            Self::Schema(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) if s == "json" => Ok(Self::Json),
            v @ Value::Object(_) => Ok(Self::Schema(v)),
            other => Err(D::Error::custom(format_args!(
                "invalid format {other}: expected \"json\" or a JSON Schema object"
            ))),
        }
    }
}

/// `format` as a request field: `null` and `""` mean "no format", as on the server (the Go
/// client and langchaingo send `"format":""`).
pub(crate) mod optional {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Format>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(v) => Format::deserialize(v).map(Some).map_err(D::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wire_forms() {
        assert_eq!(serde_json::to_string(&Format::Json).unwrap(), r#""json""#);
        let schema = json!({"type":"object","properties":{"a":{"type":"string"}}});
        let f = Format::Schema(schema.clone());
        assert_eq!(serde_json::to_value(&f).unwrap(), schema);
        assert_eq!(serde_json::from_value::<Format>(schema).unwrap(), f);
        assert_eq!(
            serde_json::from_str::<Format>(r#""json""#).unwrap(),
            Format::Json
        );
        for bad in [r#""xml""#, r#""""#, "1", "[]", "null"] {
            assert!(serde_json::from_str::<Format>(bad).is_err(), "{bad}");
        }
    }
}
