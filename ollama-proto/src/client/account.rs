//! The ollama.com account calls and decisions on [`Client`].

use super::{Client, Runtime};
use crate::client_error::ClientError;
use crate::types::{
    BalanceResponse, GetBalance, GetMe, GetUsage, SystemOneRequest, SystemOneResponse,
    UsageResponse, UserResponse,
};

/// ollama.com account calls: sent only to `https://ollama.com` with an API key, or to any base
/// URL when the builder's [`relay_account_calls`](crate::ClientBuilder::relay_account_calls)
/// allows it (see [`types::account`](crate::types::account)). 10 requests a minute per user:
/// a 429 with `Retry-After` is retried by the retry policy like any rate limit.
impl<R: Runtime> Client<R> {
    /// `GET /api/balance`: the included and purchased credit left.
    ///
    /// ```ignore
    /// let client = Client::builder().base_url("https://ollama.com").api_key(key).build()?;
    /// let balance = client.balance().await?;
    /// if let Some(included) = &balance.included {
    ///     match included.plan() {
    ///         PlanKind::Credits => println!("${:?} left", included.balance_usd),
    ///         PlanKind::Windows => println!("{:?}% of the session left",
    ///             included.session.as_ref().and_then(|s| s.remaining_percent)),
    ///         _ => {}
    ///     }
    /// }
    /// ```
    ///
    /// # Errors
    /// [`UsageError::AccountCallHost`](crate::UsageError::AccountCallHost) before sending when
    /// the base URL is not ollama.com (and relaying is off) or no key is set; else see
    /// [`Client::call`].
    pub async fn balance(&self) -> Result<BalanceResponse, ClientError> {
        self.call(&GetBalance).await
    }

    /// `GET /api/usage?range=…&scope=…`: request counts, cost and tokens in buckets.
    ///
    /// ```ignore
    /// let usage = client.usage(GetUsage::new().range(UsageRange::Last24Hours)).await?;
    /// for bucket in &usage.buckets {
    ///     println!("{:?}: {:?} requests", bucket.from, bucket.counts.request_count);
    /// }
    /// ```
    ///
    /// # Errors
    /// As [`Client::balance`]; a range or scope the server does not take is a 400 status
    /// error with the server's message.
    pub async fn usage(&self, query: GetUsage) -> Result<UsageResponse, ClientError> {
        self.call(&query).await
    }

    /// `POST /api/me`: the account behind the key (undocumented upstream: Go's `Whoami`).
    ///
    /// # Errors
    /// As [`Client::balance`].
    pub async fn me(&self) -> Result<UserResponse, ClientError> {
        self.call(&GetMe).await
    }
}

/// Decisions (experimental; see [`types::systemone`](crate::types::systemone)).
impl<R: Runtime> Client<R> {
    /// `POST /v1/systemone`: typed questions about one state, answered with a probability per
    /// option. Never streamed.
    ///
    /// ```ignore
    /// let request = SystemOneRequest::new("nimble", "The checkout fails since 9am.")
    ///     .question("label", Question::choice("Which label?", [("bug", "Errors"), ("billing", "Payments")]));
    /// let answer = client.systemone(request).await?;
    /// println!("{:?}", answer.answer("label").and_then(|a| a.choice.as_deref()));
    /// ```
    ///
    /// # Errors
    /// See [`Client::call`]; an empty model name or no question is a usage error.
    pub async fn systemone(
        &self,
        request: SystemOneRequest,
    ) -> Result<SystemOneResponse, ClientError> {
        self.call(&request).await
    }
}
