//! The resolution: an intent, the facts known, and the lessons learned, to a request and an
//! output policy. Pure functions; the table is argued in the [module](super) docs.

use super::facts::{ModelFacts, ModelFamily, ServerVersion};
use super::intent::Reasoning;
use crate::types::{Think, ThinkLevel};

/// What a rejected `think` taught about a model (on this server), kept per model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lessons {
    /// `does not support thinking`: send no `think` at all.
    pub cannot_think: bool,
    /// `cannot unmarshal string … of type bool`: booleans only (v0.9–v0.10).
    pub bool_only: bool,
    /// `think value "…" is not supported for this model`: no levels on this model.
    pub no_levels: bool,
    /// `invalid think value: "max"`: no `max` (before v0.22).
    pub no_max: bool,
    /// `think must be a boolean or string` or an invalid `minimal`/`xhigh`: no budgets.
    pub no_budgets: bool,
}

/// How one call is sent and read, decided from an intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The `think` value to send (`None`: leave the field out).
    pub think: Option<Think>,
    /// The Qwen3 soft switch to put on the prompt (`Some(false)` is `/no_think`).
    pub soft_switch: Option<bool>,
    /// Drop reasoning from the output, from the field and from inline markup alike.
    pub hide_reasoning: bool,
}

/// Everything the resolution reads.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The server's version, when known.
    pub version: Option<ServerVersion>,
    /// The model's facts (from `/api/show`, or from its name alone).
    pub model: ModelFacts,
    /// What earlier rejections taught.
    pub lessons: &'a Lessons,
    /// The output window a budget is measured against (`min(num_predict, num_ctx)`, else
    /// 4096).
    pub window: u32,
}

impl Facts<'_> {
    /// `true` unless the version is known to be older than `v` (an unknown version is taken
    /// to be current: the fallback retry covers the difference).
    fn at_least(&self, v: ServerVersion) -> bool {
        self.version.is_none_or(|have| have >= v)
    }

    fn native(&self) -> bool {
        self.at_least(ServerVersion::NATIVE_THINK)
    }

    fn can_think(&self) -> bool {
        !self.lessons.cannot_think && self.model.can_think != Some(false)
    }

    fn budgets(&self) -> bool {
        !self.lessons.no_budgets
            && !self.lessons.bool_only
            && self.version.is_some_and(|v| v >= ServerVersion::BUDGETS)
    }

    fn max(&self) -> bool {
        !self.lessons.no_max && self.at_least(ServerVersion::MAX)
    }

    /// Whether this model takes level strings on this server.
    fn levels(&self) -> bool {
        if self.lessons.bool_only || !self.at_least(ServerVersion::LEVELS) {
            return false;
        }
        self.model.family == ModelFamily::GptOss
            || (!self.lessons.no_levels && self.at_least(ServerVersion::LEVELS_EVERYWHERE))
    }
}

/// Resolves `intent` for the facts at hand.
pub fn resolve(intent: &Reasoning, facts: &Facts<'_>) -> Resolution {
    let family = facts.model.family;
    let gpt_oss = family == ModelFamily::GptOss;
    let mut r = Resolution {
        think: None,
        soft_switch: None,
        hide_reasoning: !intent.wants_reasoning(),
    };
    if !facts.native() {
        // `think` is an unknown field there: send nothing; reasoning comes inline and is split
        // (or hidden) by the client. Qwen3 still obeys its prompt switch.
        if family == ModelFamily::Qwen3 && !intent.wants_reasoning() {
            r.soft_switch = Some(false);
        }
        return r;
    }
    if !facts.can_think() && !gpt_oss {
        // Any enabled value is a 400, and `false` was one on v0.12.4: send nothing.
        return r;
    }
    r.think = Some(match intent {
        Reasoning::Off if gpt_oss && facts.levels() => Think::Level(ThinkLevel::Low),
        Reasoning::Off => Think::Enabled(false),
        Reasoning::On => Think::Enabled(true),
        Reasoning::Effort(level) => level_or_true(level.clone(), facts),
        Reasoning::Budget(tokens) if facts.budgets() => Think::Budget(*tokens),
        Reasoning::Budget(tokens) => {
            level_or_true(ThinkLevel::for_budget(*tokens, facts.window), facts)
        }
    });
    r
}

/// The nearest level this server and model accept, else `true`.
fn level_or_true(level: ThinkLevel, facts: &Facts<'_>) -> Think {
    if !facts.levels() {
        return Think::Enabled(true);
    }
    let level = match level {
        ThinkLevel::Minimal if !facts.budgets() => ThinkLevel::Low,
        ThinkLevel::XHigh if !facts.budgets() => ThinkLevel::Max,
        other => other,
    };
    let level = match level {
        ThinkLevel::Max if !facts.max() => ThinkLevel::High,
        other => other,
    };
    Think::Level(level)
}

/// The one retry after a 400 that rejected `sent`: the `think` to send instead (`None`: leave
/// it out) and the lesson to keep for the model, or `None` when the 400 is not about `think`.
pub fn fallback(
    sent: &Think,
    message: &str,
    family: ModelFamily,
) -> Option<(Option<Think>, Lessons)> {
    let mut lesson = Lessons::default();
    let next = if message.contains("does not support thinking") {
        lesson.cannot_think = true;
        None
    } else if message.contains("cannot unmarshal") && message.contains(".think") {
        lesson.bool_only = true;
        Some(sent.as_bool_fallback())
    } else if message.contains("is not supported for this model") && message.contains("think") {
        lesson.no_levels = true;
        Some(sent.as_bool_fallback())
    } else if message.contains("invalid think value") {
        match sent {
            Think::Level(ThinkLevel::Max | ThinkLevel::XHigh) => {
                lesson.no_max = true;
                lesson.no_budgets = true;
                Some(Think::Level(ThinkLevel::High))
            }
            Think::Level(ThinkLevel::Minimal) => {
                lesson.no_budgets = true;
                Some(Think::Level(ThinkLevel::Low))
            }
            _ => Some(sent.as_bool_fallback()),
        }
    } else if message.contains("think must be a boolean or string") {
        lesson.no_budgets = true;
        match sent {
            Think::Budget(_) if family == ModelFamily::GptOss => {
                Some(Think::Level(ThinkLevel::High))
            }
            _ => Some(sent.as_bool_fallback()),
        }
    } else {
        return None;
    };
    // A retry that sends the same value again would only meet the same 400.
    (next.as_ref() != Some(sent)).then_some((next, lesson))
}

impl Lessons {
    /// Adds what `other` taught.
    pub fn learn(&mut self, other: Self) {
        self.cannot_think |= other.cannot_think;
        self.bool_only |= other.bool_only;
        self.no_levels |= other.no_levels;
        self.no_max |= other.no_max;
        self.no_budgets |= other.no_budgets;
    }
}
