//! JSON Schemas for Ollama from Rust types: a [tool](crate::types::Tool) from an arguments
//! type and a [format](crate::types::Format) from an answer type (feature `schemars`), and [`ollama_schema`], the clean-up Ollama needs
//! for any schema.
//!
//! Ollama does not resolve `$ref`, so every subschema is inlined; `$schema` and `title` are
//! dropped (noise in the prompt); every constraint is kept (`enum`, `minimum`, `pattern`,
//! `required`…). A field of type `Option<T>` is not in `required`.

use serde_json::{Map, Value};

#[cfg(feature = "schemars")]
use crate::types::{Format, Tool};

/// Numeric `format` annotations schemars adds (`"uint32"`, `"double"`…): not JSON Schema
/// formats, so they are dropped; the `minimum`/`maximum` that come with them stay.
const NUMERIC_FORMATS: [&str; 12] = [
    "int8", "int16", "int32", "int64", "int", "uint8", "uint16", "uint32", "uint64", "uint",
    "float", "double",
];

/// Rewrites a JSON Schema into the form Ollama understands: `$defs`/`definitions` inlined at
/// every `$ref`, `$schema`, `title` and numeric `format` annotations removed, everything else
/// kept in its order.
///
/// A reference that cannot be inlined (a recursive type, or a `$ref` to somewhere else) becomes
/// `{}`, "any value", keeping its `description`: the schema stays finite and valid, and only that
/// one recursive field is unconstrained.
///
/// ```
/// use ollama_proto::tools::ollama_schema;
/// use serde_json::json;
///
/// let schema = json!({
///     "$schema": "https://json-schema.org/draft/2020-12/schema",
///     "title": "Trip",
///     "type": "object",
///     "properties": {"to": {"$ref": "#/$defs/City"}},
///     "required": ["to"],
///     "$defs": {"City": {"title": "City", "type": "string", "enum": ["Paris", "Rome"]}}
/// });
/// assert_eq!(ollama_schema(schema), json!({
///     "type": "object",
///     "properties": {"to": {"type": "string", "enum": ["Paris", "Rome"]}},
///     "required": ["to"]
/// }));
/// ```
pub fn ollama_schema(schema: Value) -> Value {
    let mut schema = schema;
    let defs = match &mut schema {
        Value::Object(root) => {
            let mut defs = Map::new();
            for key in ["$defs", "definitions"] {
                if let Some(Value::Object(d)) = root.remove(key) {
                    defs.extend(d);
                }
            }
            defs
        }
        _ => Map::new(),
    };
    let mut walk = Walk {
        defs: &defs,
        stack: Vec::new(),
        expansions: MAX_EXPANSIONS,
    };
    walk.inline(schema)
}

/// At most this many `$ref`s are expanded: definitions that refer to each other several times
/// over could otherwise grow the schema exponentially. Past it, references become `{}`.
pub const MAX_EXPANSIONS: usize = 4096;

struct Walk<'a> {
    defs: &'a Map<String, Value>,
    /// The definitions being expanded (a cycle guard).
    stack: Vec<String>,
    /// Expansions left.
    expansions: usize,
}

impl Walk<'_> {
    /// Inlines references below `value` (the depth of expansion is bounded by the number of
    /// definitions, their count by [`MAX_EXPANSIONS`]).
    fn inline(&mut self, value: Value) -> Value {
        match value {
            Value::Object(mut object) => {
                object.remove("$schema");
                // Only schemas reach here, never a `properties` map: `title` is the keyword.
                if matches!(object.get("title"), Some(Value::String(_))) {
                    object.remove("title");
                }
                if matches!(object.get("format"), Some(Value::String(f)) if NUMERIC_FORMATS.contains(&f.as_str()))
                {
                    object.remove("format");
                }
                let reference = match object.remove("$ref") {
                    Some(Value::String(r)) => Some(r),
                    Some(other) => {
                        object.insert("$ref".to_owned(), other);
                        None
                    }
                    None => None,
                };
                let mut out = Map::new();
                if let Some(name) = reference.as_deref().and_then(def_name) {
                    let cyclic = self.stack.iter().any(|s| s == name);
                    if let (Some(def), false, 1..) = (self.defs.get(name), cyclic, self.expansions)
                    {
                        self.expansions -= 1;
                        self.stack.push(name.to_owned());
                        if let Value::Object(expanded) = self.inline(def.clone()) {
                            out = expanded;
                        }
                        self.stack.pop();
                    }
                }
                for (key, v) in object {
                    // Property maps hold names, not schemas: recurse into their values only.
                    let v = if key == "properties" || key == "patternProperties" {
                        match v {
                            Value::Object(props) => Value::Object(
                                props
                                    .into_iter()
                                    .map(|(k, p)| (k, self.inline(p)))
                                    .collect(),
                            ),
                            other => other,
                        }
                    } else if matches!(key.as_str(), "enum" | "const" | "default" | "examples") {
                        v
                    } else {
                        self.inline(v)
                    };
                    out.insert(key, v);
                }
                Value::Object(out)
            }
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|v| self.inline(v)).collect())
            }
            other => other,
        }
    }
}

/// `#/$defs/Name` or `#/definitions/Name` → `Name` (JSON-pointer escapes undone).
fn def_name(reference: &str) -> Option<&str> {
    reference
        .strip_prefix("#/$defs/")
        .or_else(|| reference.strip_prefix("#/definitions/"))
        .filter(|n| !n.contains('~') && !n.contains('/'))
}

/// The schema of `T` as Ollama wants it: generated for deserialising (what the model must
/// produce), every subschema inlined, then [`ollama_schema`].
#[cfg(feature = "schemars")]
pub fn schema_for<T: schemars::JsonSchema + ?Sized>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator();
    ollama_schema(generator.into_root_schema_for::<T>().to_value())
}

/// `GetWeather` → `get_weather`; `HTTPRequest` → `http_request`.
#[cfg(any(feature = "schemars", test))]
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if i > 0
                && (prev_lower || (next_lower && chars[i - 1].is_uppercase()))
                && !out.ends_with('_')
            {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(feature = "schemars")]
impl Tool {
    /// A function tool whose arguments are `T`.
    ///
    /// - **name:** `T`'s name in snake_case (`GetWeather` → `get_weather`), or the name given
    ///   with `#[schemars(rename = "getWeather")]` on the type, as written;
    /// - **description:** `T`'s doc comment;
    /// - **parameters:** `T`'s fields with their doc comments as descriptions, inlined and
    ///   cleaned by [`ollama_schema`].
    ///
    /// ```
    /// use ollama_proto::types::Tool;
    ///
    /// /// Get the current weather for a city.
    /// #[derive(schemars::JsonSchema)]
    /// struct GetWeather {
    ///     /// The city, e.g. Paris.
    ///     city: String,
    ///     /// Days ahead, 0 for today.
    ///     #[schemars(range(max = 7))]
    ///     days: Option<u8>,
    /// }
    ///
    /// let tool = Tool::from_type::<GetWeather>();
    /// assert_eq!(serde_json::to_value(&tool).unwrap(), serde_json::json!({
    ///     "type": "function",
    ///     "function": {
    ///         "name": "get_weather",
    ///         "description": "Get the current weather for a city.",
    ///         "parameters": {
    ///             "type": "object",
    ///             "properties": {
    ///                 "city": {"description": "The city, e.g. Paris.", "type": "string"},
    ///                 "days": {
    ///                     "description": "Days ahead, 0 for today.",
    ///                     "type": ["integer", "null"],
    ///                     "minimum": 0,
    ///                     "maximum": 7
    ///                 }
    ///             },
    ///             "required": ["city"]
    ///         }
    ///     }
    /// }));
    /// ```
    pub fn from_type<T: schemars::JsonSchema + ?Sized>() -> Self {
        let mut parameters = schema_for::<T>();
        let description = match &mut parameters {
            Value::Object(p) => match p.remove("description") {
                Some(Value::String(d)) => Some(d),
                _ => None,
            },
            _ => None,
        };
        let name = T::schema_name();
        // A Rust type name is snake_cased; a name given with `rename` is used as written.
        let name = match name.chars().next() {
            Some(c) if c.is_uppercase() => snake_case(&name),
            _ => name.into_owned(),
        };
        let mut tool = Self::function(name, "", parameters);
        tool.function.description = description;
        tool
    }
}

#[cfg(feature = "schemars")]
impl Format {
    /// A `format` asking for a JSON value of type `T` (see [`ollama_schema`] for what is
    /// changed; the type's doc comment stays as `description`).
    ///
    /// ```
    /// use ollama_proto::types::Format;
    ///
    /// #[derive(schemars::JsonSchema)]
    /// struct Capital {
    ///     capital: String,
    /// }
    ///
    /// assert_eq!(
    ///     Format::from_type::<Capital>(),
    ///     Format::Schema(serde_json::json!({
    ///         "type": "object",
    ///         "properties": {"capital": {"type": "string"}},
    ///         "required": ["capital"]
    ///     }))
    /// );
    /// ```
    pub fn from_type<T: schemars::JsonSchema + ?Sized>() -> Self {
        Self::Schema(schema_for::<T>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_names() {
        for (from, to) in [
            ("GetWeather", "get_weather"),
            ("get_weather", "get_weather"),
            ("HTTPRequest", "http_request"),
            ("ReadFile2", "read_file2"),
            ("A", "a"),
            ("", ""),
            ("Ünïcode", "ünïcode"),
        ] {
            assert_eq!(snake_case(from), to, "{from}");
        }
    }
}
