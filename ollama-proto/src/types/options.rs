//! Runtime `options` (sampling, context size, hardware), reference §3.3.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::UsageError;

/// Model runtime options. Every key is optional and left out of the JSON when unset, so the
/// model's Modelfile parameters and the server defaults apply.
///
/// Keys this type does not name (obsolete ones such as `mirostat`, or newer ones) go in
/// [`Options::extra`] and are sent as given; the server ignores keys it does not know.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Options {
    /// Tokens of the prompt to keep when the context shifts (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_keep: Option<i64>,
    /// Random seed; -1 (default) is random.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// Maximum tokens to generate; -1 (default) is unbounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_predict: Option<i64>,
    /// Top-k sampling (default 40).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<i64>,
    /// Nucleus sampling (default 0.9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Min-p sampling (default 0.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_p: Option<f64>,
    /// Typical sampling (default 1.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typical_p: Option<f64>,
    /// How far back the repeat penalty looks (default 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_last_n: Option<i64>,
    /// Sampling temperature (default 0.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Repeat penalty (default 1.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_penalty: Option<f64>,
    /// Presence penalty (default 0.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence_penalty: Option<f64>,
    /// Frequency penalty (default 0.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_penalty: Option<f64>,
    /// Stop sequences (an array on the wire; the server rejects a bare string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Vec<String>>,
    /// Context window in tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_ctx: Option<i64>,
    /// Prompt batch size (default 512).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_batch: Option<i64>,
    /// Layers to offload to the GPU; -1 (default) is automatic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_gpu: Option<i64>,
    /// The GPU for small tensors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_gpu: Option<i64>,
    /// Memory-map the model file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_mmap: Option<bool>,
    /// CPU threads; 0 (default) is automatic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_thread: Option<i64>,
    /// Draft tokens per step for speculative decoding (servers ≥ v0.30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft_num_predict: Option<i64>,
    /// A thinking token budget, the `options` form of a numeric
    /// [`Think::Budget`](super::Think::Budget). Only in upstream pull request 17566 so far
    /// (servers without it ignore the key); `0`, negatives and fractions are a 400 there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub think_budget: Option<i64>,
    /// Any other key, sent as given after the named ones.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: $ty) -> Self {
                self.$name = Some(value);
                self
            }
        )*
    };
}

impl Options {
    /// No options set.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// Sets `num_keep`.
        num_keep: i64;
        /// Sets `seed`.
        seed: i64;
        /// Sets `num_predict`.
        num_predict: i64;
        /// Sets `top_k`.
        top_k: i64;
        /// Sets `top_p`.
        top_p: f64;
        /// Sets `min_p`.
        min_p: f64;
        /// Sets `typical_p`.
        typical_p: f64;
        /// Sets `repeat_last_n`.
        repeat_last_n: i64;
        /// Sets `temperature`.
        temperature: f64;
        /// Sets `repeat_penalty`.
        repeat_penalty: f64;
        /// Sets `presence_penalty`.
        presence_penalty: f64;
        /// Sets `frequency_penalty`.
        frequency_penalty: f64;
        /// Sets `num_ctx`.
        num_ctx: i64;
        /// Sets `num_batch`.
        num_batch: i64;
        /// Sets `num_gpu`.
        num_gpu: i64;
        /// Sets `main_gpu`.
        main_gpu: i64;
        /// Sets `use_mmap`.
        use_mmap: bool;
        /// Sets `num_thread`.
        num_thread: i64;
        /// Sets `draft_num_predict`.
        draft_num_predict: i64;
        /// Sets `think_budget` (see [`Options::think_budget`]).
        think_budget: i64;
    }

    /// Sets the stop sequences.
    pub fn stop<I, S>(mut self, stop: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.stop = Some(stop.into_iter().map(Into::into).collect());
        self
    }

    /// Sets any key. A named key (`"temperature"`, …) goes to its typed field when the value has
    /// the right type (`null` clears it); anything else is kept in [`Options::extra`] and sent
    /// as given (a wrongly typed named key then fails on the server with HTTP 500).
    pub fn set(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        let key = key.into();
        let value = value.into();
        if !self.extra.contains_key(&key) && Self::is_named(&key) {
            let mut map = match serde_json::to_value(&self) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            };
            map.insert(key.clone(), value.clone());
            if let Ok(parsed) = serde_json::from_value::<Self>(Value::Object(map)) {
                if !parsed.extra.contains_key(&key) {
                    return parsed;
                }
            }
        }
        self.extra.insert(key, value);
        self
    }

    /// `true` when nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Rejects values JSON cannot carry (NaN and infinite floats would be sent as `null`).
    pub(crate) fn check(&self) -> Result<(), UsageError> {
        let floats = [
            ("top_p", self.top_p),
            ("min_p", self.min_p),
            ("typical_p", self.typical_p),
            ("temperature", self.temperature),
            ("repeat_penalty", self.repeat_penalty),
            ("presence_penalty", self.presence_penalty),
            ("frequency_penalty", self.frequency_penalty),
        ];
        for (name, value) in floats {
            if value.is_some_and(|v| !v.is_finite()) {
                return Err(UsageError::Encode(format!(
                    "option {name} is not a finite number"
                )));
            }
        }
        Ok(())
    }

    fn is_named(key: &str) -> bool {
        NAMED_KEYS.contains(&key)
    }
}

const NAMED_KEYS: [&str; 21] = [
    "think_budget",
    "num_keep",
    "seed",
    "num_predict",
    "top_k",
    "top_p",
    "min_p",
    "typical_p",
    "repeat_last_n",
    "temperature",
    "repeat_penalty",
    "presence_penalty",
    "frequency_penalty",
    "stop",
    "num_ctx",
    "num_batch",
    "num_gpu",
    "main_gpu",
    "use_mmap",
    "num_thread",
    "draft_num_predict",
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unset_keys_are_left_out_and_extra_follows() {
        let o = Options::new()
            .temperature(0.5)
            .num_ctx(8192)
            .stop(["\n"])
            .set("mirostat", 2);
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"{"temperature":0.5,"stop":["\n"],"num_ctx":8192,"mirostat":2}"#
        );
        assert_eq!(serde_json::to_string(&Options::new()).unwrap(), "{}");
        let back: Options = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
        assert_eq!(back, o);
    }

    #[test]
    fn set_routes_named_keys() {
        let o = Options::new()
            .set("temperature", 0.25)
            .set("seed", 7)
            .set("think", true);
        assert_eq!(o.temperature, Some(0.25));
        assert_eq!(o.seed, Some(7));
        assert_eq!(o.extra.get("think"), Some(&json!(true)));
        let o = o.set("temperature", Value::Null);
        assert_eq!(o.temperature, None);
        let wrong = Options::new().set("stop", "x");
        assert_eq!(wrong.stop, None);
        assert_eq!(wrong.extra.get("stop"), Some(&json!("x")));
    }

    #[test]
    fn non_finite_floats_are_refused() {
        assert!(Options::new().temperature(f64::NAN).check().is_err());
        assert!(Options::new().top_p(f64::INFINITY).check().is_err());
        assert!(Options::new().temperature(0.0).check().is_ok());
    }
}
