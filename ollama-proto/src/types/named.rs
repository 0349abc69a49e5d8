//! [`Named`]: a JSON object read as an ordered list of `(name, value)` pairs.
//!
//! Decision questions, answers and per-option probabilities are JSON objects whose order the
//! caller chose (the options of a choice, the levels of a score); a `BTreeMap` would sort them
//! and a `HashMap` would shuffle them. `Named` keeps them as sent and received.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A JSON object as `(name, value)` pairs in wire order. A name given twice keeps its first
/// place and its last value (what a JSON object with a repeated key means to most readers).
#[derive(Debug, Clone, PartialEq)]
pub struct Named<V>(Vec<(String, V)>);

impl<V> Default for Named<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<V> Named<V> {
    /// No entries.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`: replaces the value in place if the name is there, else appends.
    pub fn insert(&mut self, name: impl Into<String>, value: V) {
        let name = name.into();
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => *v = value,
            None => self.0.push((name, value)),
        }
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&V> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// The names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No entries at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, V> FromIterator<(K, V)> for Named<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut named = Self::new();
        for (name, value) in iter {
            named.insert(name, value);
        }
        named
    }
}

impl<V> IntoIterator for Named<V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<V: Serialize> Serialize for Named<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Named<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for Entries<V> {
            type Value = Named<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Named<V>, A::Error> {
                let mut named = Named::new();
                while let Some((name, value)) = map.next_entry::<String, V>()? {
                    named.insert(name, value);
                }
                Ok(named)
            }
        }

        deserializer.deserialize_map(Entries(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_kept_and_a_repeated_name_keeps_its_place_and_last_value() {
        let named: Named<f64> = serde_json::from_str(r#"{"z":0.5,"a":0.25,"z":0.75}"#).unwrap();
        assert_eq!(
            named.iter().collect::<Vec<_>>(),
            [("z", &0.75), ("a", &0.25)]
        );
        assert_eq!(
            serde_json::to_string(&named).unwrap(),
            r#"{"z":0.75,"a":0.25}"#
        );
        assert_eq!(named.get("a"), Some(&0.25));
        assert_eq!(named.get("b"), None);
    }

    #[test]
    fn not_an_object_is_an_error() {
        let err = serde_json::from_str::<Named<f64>>("[1,2]").unwrap_err();
        assert!(err.to_string().contains("a JSON object"), "{err}");
    }
}
