//! [`ReasoningCache`]: what a client learned, bounded, and the sans-IO plan of a call.

use std::collections::VecDeque;

use super::call::{ReasoningApplied, ReasoningCall};
use super::facts::{ModelFacts, ServerVersion};
use super::intent::Reasoning;
use super::resolve::{Facts, Lessons, resolve};
use crate::types::ShowResponse;

/// How many models a client remembers (the oldest is forgotten first).
pub const MAX_MODELS: usize = 64;

/// The round trips a call needs before it can be resolved: both can go at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// `GET /api/version` (once per client).
    pub version: bool,
    /// `POST /api/show` for this model (once per model).
    pub show: Option<String>,
}

impl Needs {
    /// `true` when nothing needs fetching.
    pub fn is_empty(&self) -> bool {
        !self.version && self.show.is_none()
    }
}

#[derive(Debug, Clone)]
struct ModelEntry {
    name: String,
    /// `None`: `/api/show` failed with something else than 404 (asked once, not again).
    facts: Option<ModelFacts>,
    lessons: Lessons,
}

/// What one client learned about its server and models, bounded by [`MAX_MODELS`].
///
/// The plan of a call with a [`Reasoning`] intent, without IO:
/// 1. [`needs`](Self::needs) says which round trips are missing (the version, once per client;
///    the model's `/api/show`, once per model); the transport makes them, concurrently where
///    it can, and hands the answers to [`learn_version`](Self::learn_version) and
///    [`learn_show`](Self::learn_show);
/// 2. [`plan`](Self::plan) resolves the intent into a [`ReasoningCall`] that changes the
///    request and rides along with the [`Exchange`](crate::exchange::Exchange) (output policy,
///    the one fallback retry);
/// 3. after the call, [`after_call`](Self::after_call) keeps what a rejection taught, or
///    forgets a model the server no longer has (a 404).
#[derive(Debug, Clone, Default)]
pub struct ReasoningCache {
    /// `None`: not asked yet; `Some(None)`: asked, no usable answer.
    version: Option<Option<ServerVersion>>,
    models: VecDeque<ModelEntry>,
}

impl ReasoningCache {
    /// Nothing learned yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// What must be fetched before `model` can be resolved.
    pub fn needs(&self, model: &str) -> Needs {
        Needs {
            version: self.version.is_none(),
            show: self.entry(model).is_none().then(|| model.to_owned()),
        }
    }

    /// The answer of `/api/version` (`None` when the call failed: not asked again).
    pub fn learn_version(&mut self, version: Option<&str>) {
        self.version = Some(version.and_then(ServerVersion::parse));
    }

    /// The answer of `/api/show` for `model`: `Ok(show)`, or `Err(status)` when it failed
    /// (`None`: no status, e.g. a network error). A failure (a 404 included: the call itself
    /// reports it) is kept as "unknown facts", so it is asked once, not on every call.
    pub fn learn_show(&mut self, model: &str, show: Result<&ShowResponse, Option<u16>>) {
        let facts = show.ok().map(|show| ModelFacts::from_show(model, show));
        self.forget(model);
        if self.models.len() >= MAX_MODELS {
            self.models.pop_front();
        }
        self.models.push_back(ModelEntry {
            name: model.to_owned(),
            facts,
            lessons: Lessons::default(),
        });
    }

    /// The server version, when learned.
    pub fn version(&self) -> Option<ServerVersion> {
        self.version.flatten()
    }

    /// How many models are remembered.
    pub fn models(&self) -> usize {
        self.models.len()
    }

    /// Forgets `model` (its facts and lessons).
    pub fn forget(&mut self, model: &str) {
        self.models.retain(|e| e.name != model);
    }

    /// Resolves `intent` for `model` with what is known (the name alone when nothing is),
    /// `window` tokens being the output window a budget is measured against.
    pub fn plan(&self, intent: &Reasoning, model: &str, window: u32) -> ReasoningCall {
        let entry = self.entry(model);
        let model_facts = entry
            .and_then(|e| e.facts)
            .unwrap_or_else(|| ModelFacts::from_name(model));
        let no_lessons = Lessons::default();
        let facts = Facts {
            version: self.version(),
            model: model_facts,
            lessons: entry.map_or(&no_lessons, |e| &e.lessons),
            window,
        };
        let resolution = resolve(intent, &facts);
        let applied = ReasoningApplied {
            intent: intent.clone(),
            think: resolution.think.clone(),
            soft_switch: resolution.soft_switch,
            reasoning_hidden: resolution.hide_reasoning,
            fallback: None,
            server_version: facts.version,
            family: model_facts.family,
            capability_known: model_facts.can_think.is_some(),
        };
        ReasoningCall::new(model, applied)
    }

    /// What a finished call taught: its lessons (a rejected `think`), or a 404 that says the
    /// model is gone.
    pub fn after_call(&mut self, call: &ReasoningCall, status: Option<u16>) {
        // Facts learned for a model the server no longer has are stale.
        if status == Some(404) && self.entry(call.model()).is_some_and(|e| e.facts.is_some()) {
            self.forget(call.model());
        }
        if let Some(lessons) = call.lessons() {
            if self.entry(call.model()).is_none() {
                self.learn_show(call.model(), Err(None));
            }
            if let Some(e) = self.models.iter_mut().find(|e| e.name == call.model()) {
                e.lessons.learn(lessons);
            }
        }
    }

    fn entry(&self, model: &str) -> Option<&ModelEntry> {
        self.models.iter().find(|e| e.name == model)
    }
}
