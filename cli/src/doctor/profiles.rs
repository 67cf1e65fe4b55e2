//! The profiles to check (`--profile` or all) and their source folders.

use stemset_core::config::Config;
use stemset_core::scan::scan_folder;
use stemset_sdk::diagnosis::Finding;

/// The names of the profiles in scope; a failure when `--profile` names none.
pub fn select(config: &Config, only: Option<&str>) -> Result<Vec<String>, Finding> {
    match only {
        Some(name) if config.profiles.contains_key(name) => Ok(vec![name.to_string()]),
        Some(name) => Err(Finding::failure(
            "profile",
            format!(
                "no profile \"{name}\" in {}; profiles: {}",
                config.path.display(),
                list(config.profiles.keys())
            ),
            "pass one of the profiles listed to --profile",
        )),
        None => Ok(config.profiles.keys().cloned().collect()),
    }
}

fn list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        "(none)".to_string()
    } else {
        names.join(", ")
    }
}

/// Each profile's source folder exists and can be read.
pub fn check(config: &Config, profiles: &[String]) -> Vec<Finding> {
    if profiles.is_empty() {
        return vec![Finding::warning(
            "profiles",
            format!(
                "{} has no profiles: nothing to process",
                config.path.display()
            ),
            "add a band under `profiles:` (see config.yaml in the README)",
        )];
    }
    profiles
        .iter()
        .filter_map(|name| config.profiles.get(name).map(|p| (name, p)))
        .map(|(name, p)| {
            let check = format!("profile {name}");
            let source = p.source.display();
            match scan_folder(&p.source) {
                Ok(found) => Finding::ok(
                    check,
                    format!(
                        "source {source}: {} audio file{}",
                        found.audio.len(),
                        if found.audio.len() == 1 { "" } else { "s" }
                    ),
                ),
                Err(e) if !p.source.exists() => Finding::failure(
                    check,
                    format!("source {source} does not exist ({e})"),
                    format!("create it (mkdir -p {source}) or fix profiles.{name}.source"),
                ),
                Err(e) => Finding::failure(
                    check,
                    format!("source {source} cannot be read: {e}"),
                    format!("make it a readable folder or fix profiles.{name}.source"),
                ),
            }
        })
        .collect()
}
