//! A deterministic JSON value that satisfies a `format` schema: what a structured answer holds.
//!
//! Covers what structured-output schemas use: `type` (one or a list), `properties` (every one
//! filled), `required`, `items`/`prefixItems`, `minItems`, `enum`, `const`, `anyOf`/`oneOf`
//! (the first branch), `allOf` (merged), local `$ref`s (`#/$defs/…`, `#/definitions/…`),
//! `minimum`/`maximum` (and exclusive ones), `multipleOf` for integers, `minLength`/`maxLength`
//! and the common string `format`s. A `pattern` is not solved: the string is left as is.

use serde_json::{Map, Value, json};

/// Deepest nesting followed before answering `null` (guards recursive `$ref`s).
const MAX_DEPTH: usize = 32;

/// A JSON instance valid against `schema`, the same for the same schema. `"json"` (or any
/// non-object format) gets `{"response": text}`.
///
/// ```
/// use serde_json::json;
///
/// let schema = json!({"type": "object", "properties": {
///     "city": {"type": "string"}, "temperature": {"type": "integer", "minimum": 10}},
///     "required": ["city", "temperature"]});
/// let answer = ollama_standin::schema::instance(&schema, "Paris");
/// assert_eq!(answer, json!({"city": "Paris", "temperature": 10}));
/// ```
pub fn instance(schema: &Value, text: &str) -> Value {
    if !schema.is_object() && !schema.is_boolean() {
        return json!({ "response": text });
    }
    let cx = Cx { root: schema, text };
    cx.value(schema, 0)
}

struct Cx<'a> {
    root: &'a Value,
    text: &'a str,
}

impl Cx<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        let mut current = schema;
        for _ in 0..MAX_DEPTH {
            let Some(pointer) = current
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
            else {
                return current;
            };
            match self.root.pointer(pointer) {
                Some(target) => current = target,
                None => return current,
            }
        }
        current
    }

    fn value(&self, schema: &Value, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        let schema = self.resolve(schema);
        let Some(object) = schema.as_object() else {
            return Value::Null;
        };
        if let Some(constant) = object.get("const") {
            return constant.clone();
        }
        if let Some(first) = object
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(first) = object
                .get(key)
                .and_then(Value::as_array)
                .and_then(|b| b.first())
            {
                return self.value(first, depth + 1);
            }
        }
        if let Some(all) = object.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for part in all {
                if let Value::Object(fields) = self.value(part, depth + 1) {
                    merged.extend(fields);
                }
            }
            return Value::Object(merged);
        }
        let kind = match object.get("type") {
            Some(Value::String(kind)) => kind.as_str(),
            Some(Value::Array(kinds)) => kinds
                .iter()
                .filter_map(Value::as_str)
                .find(|k| *k != "null")
                .unwrap_or("null"),
            _ if object.contains_key("properties") => "object",
            _ if object.contains_key("items") => "array",
            _ => "string",
        };
        match kind {
            "object" => self.object(object, depth),
            "array" => self.array(object, depth),
            "integer" => integer(object),
            "number" => number(object),
            "boolean" => Value::Bool(true),
            "null" => Value::Null,
            _ => Value::String(self.string(object)),
        }
    }

    fn object(&self, schema: &Map<String, Value>, depth: usize) -> Value {
        let mut out = Map::new();
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                out.insert(name.clone(), self.value(property, depth + 1));
            }
        }
        Value::Object(out)
    }

    fn array(&self, schema: &Map<String, Value>, depth: usize) -> Value {
        let mut out: Vec<Value> = schema
            .get("prefixItems")
            .and_then(Value::as_array)
            .map(|items| items.iter().map(|s| self.value(s, depth + 1)).collect())
            .unwrap_or_default();
        let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(1);
        let max = schema
            .get("maxItems")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let wanted = usize::try_from(min.max(1).min(max).min(64)).unwrap_or(1);
        let item = schema.get("items").cloned().unwrap_or(json!({}));
        while out.len() < wanted {
            if item == Value::Bool(false) {
                break;
            }
            out.push(self.value(&item, depth + 1));
        }
        Value::Array(out)
    }

    fn string(&self, schema: &Map<String, Value>) -> String {
        let mut text = match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => "2025-01-01T00:00:00Z".to_owned(),
            Some("date") => "2025-01-01".to_owned(),
            Some("time") => "00:00:00Z".to_owned(),
            Some("email") => "someone@example.com".to_owned(),
            Some("uri" | "url") => "https://example.com/".to_owned(),
            Some("uuid") => "00000000-0000-4000-8000-000000000000".to_owned(),
            Some("ipv4") => "127.0.0.1".to_owned(),
            _ if self.text.is_empty() => "text".to_owned(),
            _ => self.text.to_owned(),
        };
        let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
        let max = schema.get("maxLength").and_then(Value::as_u64);
        while (text.chars().count() as u64) < min.min(4096) {
            text.push('x');
        }
        if let Some(max) = max {
            text = text
                .chars()
                .take(usize::try_from(max).unwrap_or(usize::MAX))
                .collect();
        }
        text
    }
}

fn bounds(schema: &Map<String, Value>) -> (Option<f64>, Option<f64>, Option<f64>, Option<f64>) {
    let get = |key: &str| schema.get(key).and_then(Value::as_f64);
    (
        get("minimum"),
        get("exclusiveMinimum"),
        get("maximum"),
        get("exclusiveMaximum"),
    )
}

fn integer(schema: &Map<String, Value>) -> Value {
    let (min, xmin, max, xmax) = bounds(schema);
    let mut low = min.map(f64::ceil).unwrap_or(f64::MIN);
    if let Some(x) = xmin {
        low = low.max(x.floor() + 1.0);
    }
    let mut high = max.map(f64::floor).unwrap_or(f64::MAX);
    if let Some(x) = xmax {
        high = high.min(x.ceil() - 1.0);
    }
    let mut value = if low > 0.0 {
        low
    } else if high < 0.0 {
        high
    } else {
        0.0
    };
    if let Some(step) = schema
        .get("multipleOf")
        .and_then(Value::as_f64)
        .filter(|s| *s >= 1.0)
    {
        value = (value / step).ceil() * step;
    }
    json!(value as i64)
}

fn number(schema: &Map<String, Value>) -> Value {
    let (min, xmin, max, xmax) = bounds(schema);
    let low = min.or(xmin.map(|x| x + 0.5)).unwrap_or(f64::MIN);
    let high = max.or(xmax.map(|x| x - 0.5)).unwrap_or(f64::MAX);
    let value = if low > 0.0 {
        low
    } else if high < 0.0 {
        high
    } else {
        0.0
    };
    json!(value)
}
