//! [`CallOptions`]: settings that change for some calls only.

use std::time::Duration;

use http::{HeaderName, HeaderValue};

use crate::client_config::ClientConfig;
use crate::deadline::Timeouts;
use crate::retry::RetryPolicy;
use crate::think::ThinkConfig;

/// Overrides for the calls made through [`Client::with_options`](super::Client::with_options):
/// timeouts, the retry policy, the thinking separation and extra headers. Unset fields keep the
/// client's settings.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CallOptions {
    /// Replaces the four timeouts.
    pub timeouts: Option<Timeouts>,
    /// Replaces the retry policy.
    pub retry: Option<RetryPolicy>,
    /// Replaces how reasoning is separated from the answer (chat and generate).
    pub think: Option<ThinkConfig>,
    /// Headers added to (or replacing those of the same name in) the client's extra headers.
    pub headers: http::HeaderMap,
}

impl CallOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces all four timeouts.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = Some(timeouts);
        self
    }

    /// Sets the total timeout, keeping the client's other timeouts.
    pub fn total_timeout(mut self, d: Duration) -> Self {
        // Unset fields keep the client's: start from none, not from the default connect.
        self.timeouts = Some(self.timeouts.unwrap_or(Timeouts::none()).total(d));
        self
    }

    /// Replaces the retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Replaces the thinking separation.
    pub fn think(mut self, think: ThinkConfig) -> Self {
        self.think = Some(think);
        self
    }

    /// Adds a header (replacing a client header of the same name).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    pub(super) fn apply(self, config: &mut ClientConfig) {
        if let Some(t) = self.timeouts {
            // Keep the client's timeouts that the override leaves unset.
            let c = &mut config.timeouts;
            c.connect = t.connect.or(c.connect);
            c.response_head = t.response_head.or(c.response_head);
            c.idle = t.idle.or(c.idle);
            c.total = t.total.or(c.total);
        }
        if let Some(r) = self.retry {
            config.retry = r;
        }
        if let Some(think) = self.think {
            config.decoder.think = think;
        }
        let mut last = None;
        for (name, value) in self.headers {
            let name = match name {
                Some(n) => {
                    config.request.headers.remove(&n);
                    last = Some(n.clone());
                    n
                }
                None => match &last {
                    Some(n) => n.clone(),
                    None => continue,
                },
            };
            config.request.headers.append(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::think::{ThinkMode, ThinkPolicy};

    #[test]
    fn overrides_only_what_is_set() {
        let mut config = ClientConfig::default()
            .connect_timeout(Duration::from_secs(1))
            .header(
                HeaderName::from_static("x-a"),
                HeaderValue::from_static("client"),
            );
        CallOptions::new()
            .total_timeout(Duration::from_secs(9))
            .retry(RetryPolicy::retries(2))
            .think(ThinkConfig::new(ThinkMode::Server, ThinkPolicy::Hide))
            .header(
                HeaderName::from_static("x-a"),
                HeaderValue::from_static("call"),
            )
            .apply(&mut config);
        assert_eq!(config.timeouts.connect, Some(Duration::from_secs(1)));
        assert_eq!(config.timeouts.total, Some(Duration::from_secs(9)));
        assert_eq!(config.retry.max_retries, 2);
        assert_eq!(config.decoder.think.policy, ThinkPolicy::Hide);
        let values: Vec<_> = config.request.headers.get_all("x-a").iter().collect();
        assert_eq!(values, [HeaderValue::from_static("call")]);
    }
}
