//! Executing the reasoning plan of [`crate::reasoning`]: the round trips the cache says are
//! missing (concurrently), then the resolution, from memory. Written once for every runtime.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::Poll;

use super::{Client, Runtime};
use crate::reasoning::{Needs, Reasoning, ReasoningCache, ReasoningCall, output_window};
use crate::request::GetVersion;
use crate::types::{ChatRequest, GenerateRequest, ShowRequest};

/// A poisoned lock only means a call panicked while holding it; the cache is still usable.
pub(super) fn lock(cache: &Mutex<ReasoningCache>) -> MutexGuard<'_, ReasoningCache> {
    cache.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<R: Runtime> Client<R> {
    /// The reasoning plan of a chat request: `None` without an intent, or with an explicit
    /// `think` (sent exactly as set). Otherwise the request is changed as resolved.
    pub(super) async fn plan_chat(&self, req: &mut ChatRequest) -> Option<ReasoningCall> {
        let intent = req.reasoning.clone().filter(|_| req.think.is_none())?;
        let window = output_window(req.options.as_ref());
        let call = self.resolve_reasoning(&req.model, &intent, window).await;
        call.apply_chat(req);
        Some(call)
    }

    /// [`plan_chat`](Self::plan_chat) for generate.
    pub(super) async fn plan_generate(&self, req: &mut GenerateRequest) -> Option<ReasoningCall> {
        let intent = req.reasoning.clone().filter(|_| req.think.is_none())?;
        let window = output_window(req.options.as_ref());
        let call = self.resolve_reasoning(&req.model, &intent, window).await;
        call.apply_generate(req);
        Some(call)
    }

    /// Learns what the cache lacks for `model` (the version and `/api/show` at once), then
    /// resolves `intent` from memory.
    async fn resolve_reasoning(
        &self,
        model: &str,
        intent: &Reasoning,
        window: u32,
    ) -> ReasoningCall {
        let needs = if self.config.negotiate_reasoning {
            lock(&self.reasoning).needs(model)
        } else {
            Needs::default()
        };
        if !needs.is_empty() {
            let version = async {
                if needs.version {
                    Some(self.call(&GetVersion).await)
                } else {
                    None
                }
            };
            let show = async {
                match &needs.show {
                    Some(name) => Some(self.call(&ShowRequest::new(name.clone())).await),
                    None => None,
                }
            };
            let (version, show) = join(version, show).await;
            let mut cache = lock(&self.reasoning);
            if let Some(version) = version {
                cache.learn_version(version.as_ref().ok().map(|v| v.version.as_str()));
            }
            if let (Some(name), Some(show)) = (&needs.show, show) {
                let show = show.as_ref().map_err(|e| e.status().map(|s| s.status));
                cache.learn_show(name, show);
            }
        }
        lock(&self.reasoning).plan(intent, model, window)
    }

    /// Keeps what a finished call taught (a rejection's lesson, a 404).
    pub(super) fn after_reasoning(&self, call: Option<&ReasoningCall>, status: Option<u16>) {
        if let Some(call) = call {
            lock(&self.reasoning).after_call(call, status);
        }
    }
}

/// Runs both futures at once; both outputs when both are done.
async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = pin!(a);
    let mut b = pin!(b);
    let mut out_a = None;
    let mut out_b = None;
    poll_fn(|cx| {
        if out_a.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            out_a = Some(v);
        }
        if out_b.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            out_b = Some(v);
        }
        match (out_a.take(), out_b.take()) {
            (Some(a), Some(b)) => Poll::Ready((a, b)),
            (a, b) => {
                out_a = a;
                out_b = b;
                Poll::Pending
            }
        }
    })
    .await
}
