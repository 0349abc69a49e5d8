//! The pooled hyper-util client and its connector: TCP (+ rustls for `https://`), with the
//! connect timeout applied to the whole of it (TCP connect and TLS handshake).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http::Uri;
use http_body_util::Full;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use ollama_proto::ClientConfig;
use ollama_proto::deadline::{Deadlines, TimedOut, Timeouts};
use tower_service::Service;

use crate::{BoxError, Error};

/// How long an idle pooled connection is kept. Ollama's server sets no idle limit of its own;
/// Go's default transport uses the same 90 s.
const POOL_IDLE: std::time::Duration = std::time::Duration::from_secs(90);

#[cfg(feature = "rustls")]
type Tls = hyper_rustls::HttpsConnector<HttpConnector>;
#[cfg(not(feature = "rustls"))]
type Tls = HttpConnector;

/// The connector every request of a [`Client`](crate::Client) (and its clones) goes through.
pub(crate) type Connector = TimeoutConnector<Tls>;

/// The one pooled client, shared by every clone of a [`Client`](crate::Client).
pub(crate) type Http = HyperClient<Connector, Full<Bytes>>;

/// Builds the pooled client for `config`.
pub(crate) fn build(config: &ClientConfig) -> Result<Http, Error> {
    let mut tcp = HttpConnector::new();
    tcp.set_nodelay(true);
    tcp.enforce_http(!cfg!(feature = "rustls"));
    let connector = TimeoutConnector {
        inner: tls(tcp)?,
        timeouts: Timeouts::default().connect_opt(config.timeouts.connect),
    };
    Ok(HyperClient::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .pool_idle_timeout(POOL_IDLE)
        // Redirects are never followed (the legacy client has no redirect support), so the
        // bearer key only ever goes to the configured host.
        .build(connector))
}

#[cfg(feature = "rustls")]
fn tls(tcp: HttpConnector) -> Result<Tls, Error> {
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
        .map_err(|e| Error::connect("TLS setup", e))?;
    Ok(builder.https_or_http().enable_http1().wrap_connector(tcp))
}

#[cfg(not(feature = "rustls"))]
fn tls(tcp: HttpConnector) -> Result<Tls, Error> {
    Ok(tcp)
}

/// `Timeouts` with only the connect timeout, when there is one.
trait ConnectOnly {
    fn connect_opt(self, d: Option<std::time::Duration>) -> Self;
}

impl ConnectOnly for Timeouts {
    fn connect_opt(self, d: Option<std::time::Duration>) -> Self {
        match d {
            Some(d) => self.connect(d),
            None => self,
        }
    }
}

/// Wraps a connector so that the whole connection setup (TCP connect, then the TLS handshake)
/// is bounded by the connect timeout, computed by the core's [`Deadlines`].
#[derive(Clone, Debug)]
pub(crate) struct TimeoutConnector<C> {
    inner: C,
    timeouts: Timeouts,
}

/// The connect timeout expired; found again in the error's source chain by
/// [`crate::exchange`] to report [`Error::Timeout`].
#[derive(Debug)]
pub(crate) struct ConnectTimedOut(pub(crate) TimedOut);

impl std::fmt::Display for ConnectTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ConnectTimedOut {}

impl<C> Service<Uri> for TimeoutConnector<C>
where
    C: Service<Uri>,
    C::Error: Into<BoxError>,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let deadlines = Deadlines::new(self.timeouts, Instant::now());
        Box::pin(async move {
            let Some(at) = deadlines.poll_timeout() else {
                return connecting.await.map_err(Into::into);
            };
            match tokio::time::timeout_at(at.into(), connecting).await {
                Ok(result) => result.map_err(Into::into),
                Err(_) => Err(match deadlines.check(Instant::now()) {
                    Err(timed_out) => Box::new(ConnectTimedOut(timed_out)) as BoxError,
                    // The deadline has passed, so this is unreachable; report it rather than hang.
                    Ok(()) => "connect deadline passed".into(),
                }),
            }
        })
    }
}
