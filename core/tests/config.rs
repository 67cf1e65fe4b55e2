//! Config loading: `${VAR}` substitution, unknown keys, and strategy/catalog validation,
//! each error naming the file, the path in the tree and the valid choices.

mod common;

use stemset_core::config::Config;
use stemset_core::strategy::SlotTarget;
use stemset_core::vars::VarResolver;

const BASE: &str = r#"
strategies:
  two:
    _: split
    quarter: q
    rest:
      _: split
      quarter: rq
      rest: rr
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

fn load(yaml: &str, plugins: &str, vars: &[(&str, &str)]) -> Result<Config, String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = common::write_config(dir.path(), yaml, plugins);
    let vars = VarResolver::from_map(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::load_with(&path, &vars).map_err(|e| e.to_string())
}

#[test]
fn loads_a_valid_config_and_resolves_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = common::write_config(dir.path(), BASE, common::PLUGINS);
    let c = Config::load_with(&path, &VarResolver::from_map([])).expect("valid");
    let tree = c.strategy("two").expect("strategy");
    assert_eq!(tree.model, "split");
    assert_eq!(tree.stem_names(), vec!["q", "rq", "rr"]);
    assert!(matches!(tree.outputs[1].1, SlotTarget::Node(_)));
    assert_eq!(c.profiles["band"].source, dir.path().join("./in"));
    assert!(
        c.database
            .url
            .expose()
            .starts_with(&format!("sqlite://{}", dir.path().display()))
    );
    assert!(c.database.url.expose().ends_with("?mode=rwc"));
    assert!(
        !format!("{:?}", c.database).contains("db.sqlite"),
        "secrets must not print"
    );
}

#[test]
fn every_missing_variable_is_listed_at_once() {
    let yaml = BASE.replace("./media", "${MEDIA_DIR}").replace(
        "sqlite://./db.sqlite",
        "postgres://${PGUSER}:${PGPASS}@db/x",
    );
    let err = load(&yaml, common::PLUGINS, &[("PGUSER", "me")]).expect_err("must fail");
    assert!(err.contains("config.yaml"), "{err}");
    assert!(err.contains("MEDIA_DIR (used at storage.path)"), "{err}");
    assert!(err.contains("PGPASS (used at database.url)"), "{err}");
    assert!(!err.contains("PGUSER"), "{err}");
}

#[test]
fn variables_and_defaults_are_substituted() {
    let yaml = BASE.replace("./media", "${MEDIA_DIR:-./fallback}");
    let c = load(&yaml, common::PLUGINS, &[]).expect("valid");
    let stemset_core::storage::StorageConfig::Local { path } = &c.storage else {
        panic!("local storage expected: {:?}", c.storage);
    };
    assert!(path.ends_with("fallback"), "{path:?}");
}

#[test]
fn unknown_keys_are_rejected_with_their_path() {
    let yaml = BASE.replace("    strategy: two", "    strategy: two\n    sorce: ./typo");
    let err = load(&yaml, common::PLUGINS, &[]).expect_err("must fail");
    assert!(err.contains("profiles.band"), "{err}");
    assert!(err.contains("unknown field `sorce`"), "{err}");
    assert!(err.contains("source"), "the valid keys are named: {err}");
}

#[test]
fn unknown_strategy_model_and_slot_are_all_reported() {
    let yaml = BASE
        .replace("strategy: two", "strategy: three")
        .replace("      _: split\n", "      _: splitt\n")
        .replace("quarter: q\n", "quater: q\n");
    let err = load(&yaml, common::PLUGINS, &[]).expect_err("must fail");
    assert!(
        err.contains("profiles.band.strategy: unknown strategy \"three\"; strategies: two"),
        "{err}"
    );
    assert!(
        err.contains("strategies.two.rest._: unknown model \"splitt\""),
        "{err}"
    );
    assert!(err.contains("failing, split"), "valid models listed: {err}");
    assert!(
        err.contains("strategies.two.quater: model \"split\" has no slot \"quater\"; its slots are: quarter, rest"),
        "{err}"
    );
}

#[test]
fn duplicate_and_invalid_stem_names_are_rejected() {
    let yaml = BASE
        .replace("rr\n", "q\n")
        .replace("rq\n", "\"Bad Name\"\n");
    let err = load(&yaml, common::PLUGINS, &[]).expect_err("must fail");
    assert!(err.contains("stem \"q\" is produced twice"), "{err}");
    assert!(err.contains("invalid stem name \"Bad Name\""), "{err}");
}

#[test]
fn a_node_without_a_model_is_an_error() {
    let yaml = BASE.replace("    _: split\n    quarter: q\n", "    quarter: q\n");
    let err = load(&yaml, common::PLUGINS, &[]).expect_err("must fail");
    assert!(
        err.contains("strategies.two: missing `_: <model>`"),
        "{err}"
    );
}

#[test]
fn plugin_catalog_errors_name_backends_and_slots() {
    let plugins = r#"
[models.split]
backend = "testkit"
architecture = "split"
slots = ["quarter", "half"]

[models.other]
backend = "nope"
architecture = "x"

[models.arch]
backend = "testkit"
architecture = "mdx"

[models.torch]
backend = "libtorch"
architecture = "demucs"
"#;
    let err = load(BASE, plugins, &[]).expect_err("must fail");
    // An optional backend this build lacks says how to get it (the binary registers the
    // hint, as `stemset` does for libtorch; at the end of this file).
    assert!(
        err.contains("models.torch.backend: unknown backend \"libtorch\"")
            && err.contains("--features libtorch"),
        "{err}"
    );
    assert!(err.contains("plugins.toml: models.split.slots"), "{err}");
    assert!(
        err.contains("does not produce \"half\"; it produces: quarter, rest"),
        "{err}"
    );
    assert!(
        err.contains("models.other.backend: unknown backend \"nope\""),
        "{err}"
    );
    assert!(err.contains("testkit"), "registered backends listed: {err}");
    assert!(err.contains("models.arch.architecture"), "{err}");
}

#[test]
fn bad_output_settings_are_rejected() {
    let yaml = format!("{BASE}output:\n  format: mp3\n");
    let err = load(&yaml, common::PLUGINS, &[]).expect_err("must fail");
    assert!(err.contains("output.format"), "{err}");
    assert!(err.contains("opus"), "valid formats named: {err}");
    let yaml = format!("{BASE}output:\n  bitrate: 2000\n");
    let err = load(&yaml, common::PLUGINS, &[]).expect_err("must fail");
    assert!(err.contains("output.bitrate"), "{err}");
}

const LOCAL_STORAGE: &str = "storage:\n  kind: local\n  path: ./media\n";

#[test]
fn s3_storage_settings_load_and_are_validated() {
    let s3 = "storage:\n  kind: s3\n  bucket: stems\n  endpoint: https://acct.r2.cloudflarestorage.com\n  \
              region: auto\n  access_key_id: ${KEY}\n  secret_access_key: ${SECRET}\n  sync_dir: ./mirror\n";
    let yaml = BASE.replace(LOCAL_STORAGE, s3);
    let c = load(&yaml, common::PLUGINS, &[("KEY", "k"), ("SECRET", "s")]).expect("valid");
    let stemset_core::storage::StorageConfig::S3(cfg) = &c.storage else {
        panic!("s3 expected: {:?}", c.storage);
    };
    assert_eq!(
        (cfg.bucket.as_str(), cfg.region.as_str()),
        ("stems", "auto")
    );
    assert!(cfg.presign_media && cfg.path_style, "defaults");
    assert!(
        cfg.sync_dir
            .as_ref()
            .is_some_and(|d| d.is_absolute() && d.ends_with("mirror"))
    );
    // The secret never prints.
    assert!(!format!("{:?}", c.storage).contains("\"s\""));

    // Every problem at once: plain http without allow_http, an empty bucket. (The `jobs`
    // section is the library's: see server/tests/settings.rs.)
    let bad = BASE.replace(
        LOCAL_STORAGE,
        "storage:\n  kind: s3\n  bucket: \"\"\n  endpoint: http://minio:9000\n  \
         access_key_id: k\n  secret_access_key: s\n  presign_seconds: 0\n",
    );
    let err = load(&bad, common::PLUGINS, &[]).expect_err("must fail");
    for needle in [
        "storage.bucket: must not be empty",
        "set allow_http: true",
        "storage.presign_seconds",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    let unknown = BASE.replace(LOCAL_STORAGE, "storage:\n  kind: gcs\n  bucket: x\n");
    let err = load(&unknown, common::PLUGINS, &[]).expect_err("must fail");
    assert!(
        err.contains("unknown variant `gcs`") && err.contains("s3"),
        "{err}"
    );
}

// What the `stemset` binary registers when it is built without libtorch.
inventory::submit! {
    stemset_sdk::separator::BackendHint {
        name: "libtorch",
        hint: "libtorch is an optional feature: build stemset with `--features libtorch`",
    }
}

/// `"${VAR}"` numbers in a model's params and a backend's table (TOML must quote them)
/// reach the backend as the numbers they hold, read through the SDK's `Params`.
#[test]
fn substituted_numbers_in_params_and_backend_settings_are_numbers() {
    let plugins = common::PLUGINS.replace(
        "[models.split]\nbackend = \"testkit\"\narchitecture = \"split\"\n",
        "[backends.testkit]\nthreads = \"${T}\"\n\n[models.split]\nbackend = \"testkit\"\narchitecture = \"split\"\nparams = { segment = \"${SEG:-44100}\", overlap = \"${OV}\" }\n",
    );
    let c = load(BASE, &plugins, &[("T", "3"), ("OV", "0.25")]).expect("valid");
    let spec = &c.plugins.models["split"];
    let mut p = stemset_sdk::params::Params::new(&spec.params);
    assert_eq!(p.int("segment", 1, 1..=1_000_000), Ok(44_100));
    assert_eq!(p.float("overlap", 0.5, 0.0..=0.99), Ok(0.25));
    let backend = c.plugins.backend_settings("testkit");
    let mut p = stemset_sdk::params::Params::new(&backend.table);
    assert_eq!(p.int("threads", 0, 0..=64), Ok(3));

    let c = load(BASE, &plugins, &[("T", "three"), ("OV", "0.25")]).expect("loads");
    let backend = c.plugins.backend_settings("testkit");
    let e = stemset_sdk::params::Params::new(&backend.table)
        .int("threads", 0, 0..=64)
        .expect_err("not a number");
    assert!(
        e.contains("params.threads must be an integer, got \"three\""),
        "{e}"
    );
}

#[test]
fn takes_and_separate_settings_are_read_and_checked() {
    let c = load(
        &format!("{BASE}takes:\n  min_take_seconds: 8\n  end_margin_seconds: 1.5\nprocessing:\n  separate: takes\n  gap_stem: rr\n"),
        common::PLUGINS,
        &[],
    )
    .expect("valid");
    assert!(c.takes.enabled);
    assert_eq!(c.takes.detection.min_take_seconds, 8.0);
    assert_eq!(c.takes.detection.end_margin_seconds, 1.5);
    let m = c.processing.music_only().expect("takes only");
    assert_eq!((m.margin_seconds, m.gap_stem.as_deref()), (2.0, Some("rr")));
    // Defaults: detection on, the whole recording separated.
    let c = load(BASE, common::PLUGINS, &[]).expect("valid");
    assert!(c.takes.settings().is_some());
    assert!(c.processing.music_only().is_none());

    for (extra, expect) in [
        ("takes:\n  min_take_secs: 8\n", "min_take_secs"),
        (
            "takes:\n  min_take_seconds: -1\n",
            "takes.min_take_seconds: must be a positive",
        ),
        (
            "takes:\n  on_threshold: 0.2\n",
            "off_threshold <= on_threshold",
        ),
        (
            "takes:\n  enabled: false\nprocessing:\n  separate: takes\n",
            "processing.separate: takes needs take detection",
        ),
        (
            "processing:\n  separate: takes\n  gap_stem: other\n",
            "processing.gap_stem: \"other\" is not a stem of strategy \"two\" (profile band); its stems: q, rq, rr",
        ),
        ("processing:\n  separate: some\n", "separate"),
        (
            "processing:\n  take_margin_seconds: 99\n",
            "must be 0–60 seconds",
        ),
    ] {
        let err = load(&format!("{BASE}{extra}"), common::PLUGINS, &[]).expect_err(extra);
        assert!(err.contains(expect), "{extra}: {err}");
    }
}
