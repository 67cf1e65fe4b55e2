//! The test OpenID Connect provider (node `oidc-provider`, server/tests/oidc-provider),
//! started on a free port; shared by the server's sign-in tests and `stemset doctor`'s.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The running provider, killed when dropped.
pub struct Provider {
    child: Child,
    pub issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts the provider with one client whose redirect URI is `redirect_uri`.
pub fn start_provider(redirect_uri: &str) -> Provider {
    // `../server` resolves from the server crate and from its siblings alike.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/tests/oidc-provider");
    assert!(
        dir.join("node_modules/oidc-provider").is_dir(),
        "the test OpenID provider is not installed: run `npm ci` in {}",
        dir.display()
    );
    let port = free_port();
    let mut child = Command::new("node")
        .arg("provider.mjs")
        .current_dir(&dir)
        .env("PORT", port.to_string())
        .env("REDIRECT_URIS", redirect_uri)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node runs (apt-get install nodejs)");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("READY line");
    assert!(line.starts_with("READY "), "provider said {line:?}");
    Provider {
        child,
        issuer: line.trim().trim_start_matches("READY ").to_string(),
    }
}
