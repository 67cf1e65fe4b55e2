//! The backends of this build (runtime found, devices usable) and the catalog models the
//! profiles' strategies use: file present, digest verified, the model loads.

use std::collections::BTreeMap;

use stemset_core::config::Config;
use stemset_sdk::diagnosis::Finding;
use stemset_sdk::separator::Backends;
use stemset_sdk::settings::ModelSpec;

use crate::download::{self, Verification};

/// Model name → (profiles using it, whether every one of them is `remote: true`).
fn used_models(config: &Config, profiles: &[String]) -> BTreeMap<String, (Vec<String>, bool)> {
    let mut used: BTreeMap<String, (Vec<String>, bool)> = BTreeMap::new();
    for name in profiles {
        let Some(profile) = config.profiles.get(name) else {
            continue;
        };
        let Some(tree) = config.strategies.get(&profile.strategy) else {
            continue;
        };
        for model in tree.models() {
            let entry = used
                .entry(model.to_string())
                .or_insert_with(|| (Vec::new(), true));
            if !entry.0.contains(name) {
                entry.0.push(name.clone());
            }
            entry.1 &= profile.remote;
        }
    }
    used
}

/// Each backend's self-check. A backend no local profile needs cannot fail the run: its
/// problems are warnings.
pub fn runtimes(config: &Config, profiles: &[String]) -> Vec<Finding> {
    let used = used_models(config, profiles);
    let needed = |backend: &str| {
        used.iter().any(|(model, (_, remote))| {
            !remote
                && config
                    .plugins
                    .models
                    .get(model)
                    .is_some_and(|m| m.backend == backend)
        })
    };
    let mut findings = Vec::new();
    for b in Backends::registered() {
        let settings = config.plugins.backend_settings(b.name);
        let found = (b.diagnose)(&settings);
        if needed(b.name) {
            findings.extend(found);
        } else {
            findings.extend(found.into_iter().map(|f| {
                let mut f = f.at_most_warning();
                if f.fix.is_some() {
                    f.found
                        .push_str(" (no profile's strategy uses this backend)");
                }
                f
            }));
        }
    }
    findings
}

pub async fn check(config: &Config, profiles: &[String]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (name, (users, remote)) in used_models(config, profiles) {
        let Some(spec) = config.plugins.models.get(&name) else {
            continue;
        };
        let finding = check_model(config, spec, &users).await;
        findings.push(if remote {
            // The GPU worker runs these; its own doctor says whether it can.
            let mut f = finding.at_most_warning();
            f.found.push_str(" (run by the GPU worker; needed there)");
            f
        } else {
            finding
        });
    }
    findings
}

async fn check_model(config: &Config, spec: &ModelSpec, users: &[String]) -> Finding {
    let check = format!("model {}", spec.name);
    let pull = format!("stemset models pull {}", spec.name);
    let mut found = Vec::new();
    if let Some(file) = &spec.file {
        if !file.is_file() {
            let what = format!(
                "not installed: {} is missing (used by {})",
                file.display(),
                users.join(", ")
            );
            let fix = if spec.url.is_some() {
                pull
            } else {
                format!("put the model file at {}", file.display())
            };
            return Finding::failure(check, what, fix);
        }
        if let Some(extra) = spec.extra_files.iter().find(|e| !e.file.is_file()) {
            return Finding::failure(
                check,
                format!(
                    "not installed: {} (one of its files) is missing (used by {})",
                    extra.file.display(),
                    users.join(", ")
                ),
                pull,
            );
        }
        match download::verify(spec, file).await {
            Ok(Verification::NoDigest) => found.push("no digest in the catalog".to_string()),
            Ok(Verification::Matches(kind)) => found.push(format!("{kind} verified")),
            Ok(Verification::Differs {
                kind,
                actual,
                expected,
            }) => {
                return Finding::failure(
                    check,
                    format!(
                        "{} does not match the catalog: {kind} {actual}, expected {expected}",
                        file.display()
                    ),
                    if spec.url.is_some() {
                        format!("{pull} --force")
                    } else {
                        format!("replace {} with the catalog's file", file.display())
                    },
                );
            }
            Err(e) => {
                return Finding::failure(
                    check,
                    format!("{e:#}"),
                    format!("make {} readable", file.display()),
                );
            }
        }
    }
    let settings = config.plugins.backend_settings(&spec.backend);
    let owned = spec.clone();
    let built = tokio::task::spawn_blocking(move || {
        let backend = Backends::find(&owned.backend)
            .ok_or_else(|| format!("backend \"{}\" is not in this build", owned.backend))?;
        backend
            .build(&settings, &owned)
            .map(|model| {
                let slots: Vec<String> = model
                    .output_slots()
                    .iter()
                    .map(|s| s.name.clone())
                    .collect();
                (slots, model.sample_rate())
            })
            .map_err(|e| e.to_string())
    })
    .await
    .unwrap_or_else(|e| Err(format!("the loading task failed: {e}")));
    match built {
        Ok((slots, rate)) => {
            let at = match &spec.file {
                Some(f) => format!("{}: ", f.display()),
                None => "built in: ".to_string(),
            };
            found.push(format!("loads ({} Hz → {})", rate, slots.join(", ")));
            Finding::ok(check, format!("{at}{}", found.join(", ")))
        }
        Err(e) => Finding::failure(
            check,
            format!("does not load: {e}"),
            match (&spec.file, &spec.url) {
                (Some(_), Some(_)) => format!("{pull} --force"),
                (Some(f), None) => format!("replace {} with a working model file", f.display()),
                (None, _) => format!("fix [models.{}] in plugins.toml", spec.name),
            },
        ),
    }
}
