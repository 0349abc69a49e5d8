//! What the client learns about a server and a model: the version (`/api/version`) and the
//! family and capabilities (`/api/show`).

use crate::types::{Capability, ShowResponse};

/// A server version, `MAJOR.MINOR.PATCH` (pre-release and build suffixes ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServerVersion(pub u32, pub u32, pub u32);

impl ServerVersion {
    /// Native `think` and the `thinking` field.
    pub const NATIVE_THINK: Self = Self(0, 9, 0);
    /// `think` takes level strings (gpt-oss).
    pub const LEVELS: Self = Self(0, 11, 0);
    /// Level strings on every thinking model.
    pub const LEVELS_EVERYWHERE: Self = Self(0, 17, 7);
    /// `"max"`.
    pub const MAX: Self = Self(0, 22, 0);
    /// Token budgets, `"minimal"` and `"xhigh"` (upstream PR 17566, not released when this
    /// was written: an assumption, checked by the one fallback retry when wrong).
    pub const BUDGETS: Self = Self(0, 35, 0);

    /// Parses `0.12.4`, `v0.21.3-rc0`, `0.33.0-testkit`; `None` for text without a number, and
    /// for `0.0.0` (development builds, which say nothing).
    pub fn parse(text: &str) -> Option<Self> {
        let core = text.trim().trim_start_matches('v');
        let core = core.split(['-', '+', ' ']).next()?;
        let mut parts = core.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().map_or(Some(0), |p| p.parse().ok())?;
        let patch = parts.next().map_or(Some(0), |p| p.parse().ok())?;
        let version = Self(major, minor, patch);
        (version != Self(0, 0, 0)).then_some(version)
    }
}

impl std::fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The reasoning families whose behaviour differs (reference §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ModelFamily {
    /// Qwen3: `think` from v0.9, the `/think` `/no_think` soft switch before.
    Qwen3,
    /// DeepSeek-R1: inline `<think>` tags before v0.9.
    DeepSeekR1,
    /// gpt-oss (harmony): levels, always reasons.
    GptOss,
    /// Anything else.
    Other,
}

impl ModelFamily {
    /// The family from the model's name and, when known, `details.family`: `gpt-oss*` or
    /// family `gptoss` is gpt-oss; `deepseek-r1*` is DeepSeek-R1 (whatever its base family);
    /// `qwen3*` or family `qwen3`/`qwen3moe` is Qwen3.
    pub fn detect(model: &str, details_family: Option<&str>) -> Self {
        let base = model
            .rsplit('/')
            .next()
            .unwrap_or(model)
            .to_ascii_lowercase();
        let family = details_family.unwrap_or("").to_ascii_lowercase();
        if base.starts_with("gpt-oss") || family == "gptoss" || family == "gpt-oss" {
            Self::GptOss
        } else if base.starts_with("deepseek-r1") {
            Self::DeepSeekR1
        } else if base.starts_with("qwen3") || family == "qwen3" || family == "qwen3moe" {
            Self::Qwen3
        } else {
            Self::Other
        }
    }

    /// `true` for the families that reason inline when no parser runs (qwen3, deepseek-r1).
    pub fn reasons_inline(self) -> bool {
        matches!(self, Self::Qwen3 | Self::DeepSeekR1)
    }
}

/// What `/api/show` says about a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelFacts {
    /// The reasoning family.
    pub family: ModelFamily,
    /// `Some(true)` when `capabilities` lists `thinking`, `Some(false)` when it lists others
    /// but not that one, `None` when the server sends no capabilities (before v0.6.4).
    pub can_think: Option<bool>,
}

impl ModelFacts {
    /// The facts of `model` from its `/api/show` answer.
    pub fn from_show(model: &str, show: &ShowResponse) -> Self {
        let family = (!show.details.family.is_empty()).then_some(show.details.family.as_str());
        let can_think = (!show.capabilities.is_empty())
            .then(|| show.capabilities.contains(&Capability::Thinking));
        Self {
            family: ModelFamily::detect(model, family),
            can_think,
        }
    }

    /// The facts from the name alone (no `/api/show`).
    pub fn from_name(model: &str) -> Self {
        Self {
            family: ModelFamily::detect(model, None),
            can_think: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let table = [
            ("0.12.4", Some(ServerVersion(0, 12, 4))),
            ("v0.21.3-rc0", Some(ServerVersion(0, 21, 3))),
            ("0.33.0-testkit", Some(ServerVersion(0, 33, 0))),
            ("0.9", Some(ServerVersion(0, 9, 0))),
            ("0.0.0", None),
            ("", None),
            ("dev", None),
            ("1.x.0", None),
        ];
        for (text, want) in table {
            assert_eq!(ServerVersion::parse(text), want, "{text}");
        }
        assert!(ServerVersion(0, 10, 9) < ServerVersion::LEVELS);
    }

    #[test]
    fn families() {
        let table = [
            ("gpt-oss:20b", None, ModelFamily::GptOss),
            ("my-harmony", Some("gptoss"), ModelFamily::GptOss),
            ("deepseek-r1:8b", Some("qwen3"), ModelFamily::DeepSeekR1),
            (
                "hf.co/x/deepseek-r1-distill",
                Some("llama"),
                ModelFamily::DeepSeekR1,
            ),
            ("qwen3:8b", None, ModelFamily::Qwen3),
            ("QWEN3-coder", None, ModelFamily::Qwen3),
            ("custom", Some("qwen3moe"), ModelFamily::Qwen3),
            ("gemma3:4b", Some("gemma3"), ModelFamily::Other),
        ];
        for (name, family, want) in table {
            assert_eq!(ModelFamily::detect(name, family), want, "{name}");
        }
    }
}
