//! [`TestServer`]: the stand-in with this repository's recordings loaded.

use std::io;
use std::ops::Deref;

use ollama_standin::{Server, fixtures_dir};

/// An [`ollama_standin::Server`] on `127.0.0.1:<ephemeral port>` answering from the recordings
/// in [`fixtures_dir`] (`../shared/fixtures/recorded`, or `$OLLAMA_FIXTURES_DIR`). Every method
/// of the server is available through `Deref`; dropping it stops the server.
#[derive(Debug)]
pub struct TestServer(Server);

impl TestServer {
    /// Binds `127.0.0.1:0`, indexes the recordings and starts serving.
    ///
    /// # Panics
    /// If binding fails or the recordings cannot be read: the test environment is broken.
    pub fn start() -> Self {
        match Self::try_start() {
            Ok(server) => server,
            Err(err) => panic!(
                "testkit server failed to start (recordings in {}): {err}",
                fixtures_dir().display()
            ),
        }
    }

    /// Like [`start`](Self::start), reporting failures as errors.
    pub fn try_start() -> io::Result<Self> {
        Server::builder()
            .recordings(fixtures_dir())
            .start()
            .map(Self)
    }
}

impl Deref for TestServer {
    type Target = Server;

    fn deref(&self) -> &Server {
        &self.0
    }
}
