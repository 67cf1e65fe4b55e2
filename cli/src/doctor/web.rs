//! The built web app where `server.web_dir` points.

use stemset_sdk::diagnosis::Finding;
use stemset_server::settings::ServerSettings;

/// `settings`: `None` when the server's sections are invalid (the auth check says why).
pub fn check(settings: Option<&ServerSettings>) -> Vec<Finding> {
    let Some(settings) = settings else {
        return Vec::new();
    };
    let dir = &settings.server.web_dir;
    let index = dir.join("index.html");
    vec![if index.is_file() {
        Finding::ok("web app", format!("{} is served", dir.display()))
    } else {
        Finding::warning(
            "web app",
            format!(
                "no {}: `stemset serve` answers the API only",
                index.display()
            ),
            "build it (cd web && npm ci && npm run build) or set server.web_dir to the build folder",
        )
    }]
}
