//! The server's sections of config.yaml (`auth`, `server`, `jobs`): typed and checked by the
//! server crate, every problem reported at once with core's own.

use stemset_backend_dsp as _;
use stemset_core::config::Config;
use stemset_core::vars::VarResolver;
use stemset_server::settings::ServerSettings;

const PLUGINS: &str = r#"
[models.dsp-center]
backend = "dsp"
architecture = "dsp-center"
"#;

const BASE: &str = r#"
strategies:
  two:
    _: dsp-center
    vocals: vocals
    accompaniment: other
profiles:
  band:
    source: ./in
    strategy: two
storage:
  kind: local
  path: ./media
database:
  url: sqlite://./db.sqlite
"#;

/// Loads the file as `stemset serve` does: core's sections, then the server's.
fn load(yaml: &str) -> Result<(Config, ServerSettings), String> {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("plugins.toml"), PLUGINS).expect("write plugins");
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, yaml).expect("write config");
    let config = Config::load_with(&path, &VarResolver::from_map([])).map_err(|e| e.to_string())?;
    let settings = ServerSettings::from_config(&config).map_err(|e| e.to_string())?;
    Ok((config, settings))
}

#[test]
fn membership_auth_and_server_settings_are_validated() {
    let ok = BASE.replace(
        "    strategy: two\n",
        "    strategy: two\n    owners: [\" Olive@Band.test \"]\n    members: [m@band.test]\n",
    ) + "auth:\n  allowed_emails: [Guest@Else.test]\nserver:\n  listen: 0.0.0.0:9000\n  cors_origins: [\"http://localhost:5173\"]\n";
    let (c, s) = load(&ok).expect("valid");
    let band = &c.profiles["band"];
    assert_eq!(
        band.owners,
        vec!["olive@band.test"],
        "trimmed and lower-cased"
    );
    assert_eq!(band.role_of("OLIVE@band.test"), Some("owner"));
    assert_eq!(band.role_of("m@band.test"), Some("member"));
    assert_eq!(band.role_of("x@band.test"), None);
    assert!(s.auth.allows("guest@else.test", &c.profiles));
    assert!(
        s.auth.allows("m@band.test", &c.profiles),
        "members may sign in"
    );
    assert!(!s.auth.allows("x@band.test", &c.profiles));
    assert_eq!(s.server.listen, "0.0.0.0:9000");
    assert_eq!(s.auth.issuer_url, "https://accounts.google.com");

    let bad = BASE.replace(
        "    strategy: two\n",
        "    strategy: two\n    members: [not-an-email]\n",
    ) + "auth:\n  environment: production\n  jwt_secret: short\n  session_days: 0\nserver:\n  listen: nowhere\n  cors_origins: [\"https://app.example/\"]\n";
    // Core's problems come first (the profile); the server's are checked once core's
    // sections load, all of them at once.
    let err = load(&bad).expect_err("invalid");
    assert!(
        err.contains("profiles.band.members: \"not-an-email\" is not an email address"),
        "{err}"
    );
    let bad = bad.replace("    members: [not-an-email]\n", "");
    let err = load(&bad).expect_err("invalid");
    for expected in [
        "auth.jwt_secret: too short",
        "auth.session_days: 0 is outside 1..=365",
        "auth.google_client_id: required when auth.environment is production",
        "auth.google_client_secret: required when auth.environment is production",
        "auth.public_url: required when auth.environment is production",
        "server.listen: \"nowhere\" is not an address",
        "server.cors_origins: \"https://app.example/\" is not an origin",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    let http_public = BASE.to_string()
        + "auth:\n  environment: production\n  jwt_secret: 0123456789abcdef0123456789abcdef\n  google_client_id: id\n  google_client_secret: s\n  public_url: http://band.example\n";
    let err = load(&http_public).expect_err("http in production");
    assert!(err.contains("must be https:// in production"), "{err}");
}

#[test]
fn jobs_settings_load_with_defaults_and_are_validated() {
    let (_, s) = load(BASE).expect("valid");
    assert_eq!(
        (s.jobs.workers, s.jobs.max_attempts, s.jobs.lease_seconds),
        (1, 3, 60),
        "defaults"
    );
    let (_, s) =
        load(&(BASE.to_string() + "jobs:\n  workers: 2\n  max_attempts: 5\n")).expect("valid");
    assert_eq!(
        (s.jobs.workers, s.jobs.max_attempts, s.jobs.lease_seconds),
        (2, 5, 60)
    );
    // Every problem at once, with the auth section's.
    let bad = BASE.to_string()
        + "auth:\n  session_days: 0\njobs:\n  lease_seconds: 1\n  max_attempts: 0\n  max_upload_mib: 0\n";
    let err = load(&bad).expect_err("invalid");
    for needle in [
        "auth.session_days",
        "jobs.lease_seconds",
        "jobs.max_attempts",
        "jobs.max_upload_mib",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    let err = load(&(BASE.to_string() + "jobs:\n  workrs: 2\n")).expect_err("unknown key");
    assert!(err.contains("workrs"), "{err}");
}
