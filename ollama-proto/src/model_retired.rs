//! A retired cloud model: ollama.com retires cloud models on published dates (the retirement
//! tables of its cloud docs), and a call naming one fails with the server's message, e.g.
//! `deepseek-v3.1:671b was retired at 2026-07-15 00:00:00 -0700 PDT (ref: …)`. The shape of
//! that error is not documented upstream (the text comes from third-party reports; its status
//! is not known): [`classify`] reads it leniently from any 4xx message, and the response is
//! [`Error::ModelRetired`](crate::Error::ModelRetired) with the whole message kept.
//!
//! ```
//! use ollama_proto::model_retired::classify;
//!
//! let text = "glm-4.7 was retired at 2026-07-15 00:00:00 -0700 PDT (ref: 4ed0811b)";
//! let retired = classify(text).unwrap();
//! assert_eq!(retired.model.as_deref(), Some("glm-4.7"));
//! assert_eq!(retired.retired_at.as_deref(), Some("2026-07-15 00:00:00 -0700 PDT"));
//! assert_eq!(classify("model \"glm-4.7\" not found"), None);
//! ```

use std::fmt;

use crate::error::StatusError;

/// What [`classify`] read from a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Retirement {
    /// The model the message names (the word before `was retired` / `has been retired`), when
    /// it names one.
    pub model: Option<String>,
    /// When, as the message words it (`2026-07-15 00:00:00 -0700 PDT`), when it says.
    pub retired_at: Option<String>,
}

/// The call named a model the server has retired.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModelRetired {
    /// The model, as the message names it.
    pub model: Option<String>,
    /// When it was retired, as the message words it.
    pub retired_at: Option<String>,
    /// The response: status and the server's whole message.
    pub status: StatusError,
}

impl fmt::Display for ModelRetired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.model {
            Some(model) => write!(f, "the model {model} is retired")?,
            None => f.write_str("the model is retired")?,
        }
        f.write_str("; pick a current one (ollama.com lists them): ")?;
        self.status.fmt(f)
    }
}

impl std::error::Error for ModelRetired {}

/// Reads a retirement out of an error message: `<model> was retired at <when>`, `<model> has
/// been retired`, `model <model> is retired` (case-insensitive), else `None`.
pub fn classify(message: &str) -> Option<Retirement> {
    let lower = message.to_ascii_lowercase();
    let (at, phrase) = [" was retired", " has been retired", " is retired"]
        .iter()
        .filter_map(|p| lower.find(p).map(|i| (i, *p)))
        .min_by_key(|&(i, _)| i)?;
    let model = message[..at]
        .split_whitespace()
        .next_back()
        .map(|w| w.trim_matches(|c: char| matches!(c, '"' | '\'' | '`' | ':' | ',')))
        .filter(|w| !w.is_empty() && !w.eq_ignore_ascii_case("model"))
        .map(str::to_owned);
    let rest = &message[at + phrase.len()..];
    let lower_rest = &lower[at + phrase.len()..];
    let retired_at = (lower_rest.starts_with(" at ") || lower_rest.starts_with(" on "))
        .then(|| &rest[" at ".len()..])
        .map(|when| {
            let end = when.find(['(', ',', ';']).unwrap_or(when.len());
            when[..end].trim().trim_end_matches('.').to_owned()
        })
        .filter(|w| !w.is_empty());
    Some(Retirement { model, retired_at })
}

/// The typed error for a 4xx whose message says the model is retired (401 and 429 have their
/// own errors).
pub(crate) fn from_status(status: &StatusError) -> Option<ModelRetired> {
    if !(400..500).contains(&status.status) || matches!(status.status, 401 | 429) {
        return None;
    }
    let r = classify(&status.message)?;
    Some(ModelRetired {
        model: r.model,
        retired_at: r.retired_at,
        status: status.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_texts_rewordings_and_near_misses() {
        let table: &[(&str, Option<&str>, Option<&str>)] = &[
            // Real (nexu-io/open-design#5788, ollama.com, July 2026).
            (
                "deepseek-v3.1:671b was retired at 2026-07-15 00:00:00 -0700 PDT (ref: \
                 8ce9aba1-9463-4fa5-8786-06449a8be93b)",
                Some("deepseek-v3.1:671b"),
                Some("2026-07-15 00:00:00 -0700 PDT"),
            ),
            (
                "gemma3:27b was retired at 2026-07-15 00:00:00 -0700 PDT (ref: x)",
                Some("gemma3:27b"),
                Some("2026-07-15 00:00:00 -0700 PDT"),
            ),
            ("Model \"glm-4.6\" has been retired.", Some("glm-4.6"), None),
            ("model glm-5 is retired", Some("glm-5"), None),
            (
                "kimi-k2:1t WAS RETIRED ON 2026-06-30.",
                Some("kimi-k2:1t"),
                Some("2026-06-30"),
            ),
            ("the model is retired", None, None),
        ];
        for &(text, model, at) in table {
            let r = classify(text).unwrap_or_else(|| panic!("not a retirement: {text:?}"));
            assert_eq!(r.model.as_deref(), model, "{text:?}");
            assert_eq!(r.retired_at.as_deref(), at, "{text:?}");
        }
        for text in [
            "model \"glm-4.7\" not found, try pulling it first",
            "this model will be retired soon",
            "retired",
            "",
        ] {
            assert_eq!(classify(text), None, "{text:?}");
        }
    }

    #[test]
    fn only_4xx_other_than_401_and_429() {
        let status = |code| StatusError {
            status: code,
            message: "glm-4.7 was retired at 2026-07-15 00:00:00 -0700 PDT (ref: 4ed0)".to_owned(),
            signin_url: None,
            body: crate::BodyKind::Json,
            retry_after: None,
        };
        for code in [400, 404, 410] {
            assert!(from_status(&status(code)).is_some(), "{code}");
        }
        for code in [401, 429, 500, 502] {
            assert!(from_status(&status(code)).is_none(), "{code}");
        }
        assert_eq!(
            from_status(&status(404)).unwrap().to_string(),
            "the model glm-4.7 is retired; pick a current one (ollama.com lists them): HTTP 404 \
             Not Found: glm-4.7 was retired at 2026-07-15 00:00:00 -0700 PDT (ref: 4ed0)"
        );
    }
}
