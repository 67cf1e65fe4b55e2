//! Strategy trees: a node names a model (`_` key) and maps each of its output slots to a
//! final stem name or to a subtree that separates that slot further.
//!
//! ```yaml
//! default:
//!   _: dsp-hpss
//!   percussive: drums
//!   harmonic:
//!     _: dsp-center
//!     vocals: vocals
//!     accompaniment: other
//! ```

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value;

use crate::catalog::Plugins;

/// The key holding a node's model name.
pub const MODEL_KEY: &str = "_";

/// A validated tree. Serialized as itself (never as the YAML it came from) when a job
/// travels to a GPU worker, which checks it against its own catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyNode {
    pub model: String,
    /// (slot, target) in file order. Slots the tree does not mention are discarded.
    pub outputs: Vec<(String, SlotTarget)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SlotTarget {
    Stem(String),
    Node(Box<StrategyNode>),
}

impl StrategyNode {
    /// Parses a tree from YAML; `at` is the dotted path used in error messages.
    pub fn parse(value: &Value, at: &str, problems: &mut Vec<String>) -> Option<StrategyNode> {
        let Some(map) = value.as_mapping() else {
            problems.push(format!(
                "{at}: a strategy node must be a mapping with a `_: <model>` key and one key per output slot"
            ));
            return None;
        };
        let mut model = None;
        let mut outputs = Vec::new();
        for (k, v) in map {
            let Some(key) = k.as_str() else {
                problems.push(format!("{at}: keys must be strings, found {k:?}"));
                continue;
            };
            let here = format!("{at}.{key}");
            if key == MODEL_KEY {
                match v.as_str() {
                    Some(m) => model = Some(m.to_string()),
                    None => problems.push(format!("{here}: the model name must be a string")),
                }
                continue;
            }
            match v {
                Value::String(stem) => {
                    outputs.push((key.to_string(), SlotTarget::Stem(stem.clone())))
                }
                Value::Mapping(_) => {
                    if let Some(node) = StrategyNode::parse(v, &here, problems) {
                        outputs.push((key.to_string(), SlotTarget::Node(Box::new(node))));
                    }
                }
                _ => problems.push(format!(
                    "{here}: a slot maps to a stem name (string) or to a subtree (mapping)"
                )),
            }
        }
        let Some(model) = model else {
            problems.push(format!(
                "{at}: missing `_: <model>` (the model this node runs)"
            ));
            return None;
        };
        if outputs.is_empty() {
            problems.push(format!(
                "{at}: no output slot is used; map at least one slot to a stem"
            ));
        }
        Some(StrategyNode { model, outputs })
    }

    /// The tree as the YAML mapping it was parsed from (slots in order), to send it to a
    /// worker that parses and validates it against its own catalog.
    pub fn to_value(&self) -> Value {
        let mut map = serde_yaml_ng::Mapping::new();
        map.insert(Value::from(MODEL_KEY), Value::from(self.model.as_str()));
        for (slot, target) in &self.outputs {
            let v = match target {
                SlotTarget::Stem(name) => Value::from(name.as_str()),
                SlotTarget::Node(node) => node.to_value(),
            };
            map.insert(Value::from(slot.as_str()), v);
        }
        Value::Mapping(map)
    }

    /// Checks models and slots against the catalog, and that stem names are unique and
    /// usable as file names. Problems are appended, each with its path in the tree.
    pub fn validate(
        &self,
        at: &str,
        plugins: &Plugins,
        stems: &mut BTreeSet<String>,
        problems: &mut Vec<String>,
    ) {
        let Some(spec) = plugins.models.get(&self.model) else {
            problems.push(format!(
                "{at}._: unknown model \"{}\"; models in {}: {}",
                self.model,
                plugins.path.display(),
                plugins.model_names().join(", ")
            ));
            return;
        };
        let valid = spec.slot_names();
        for (slot, target) in &self.outputs {
            let here = format!("{at}.{slot}");
            if !valid.contains(&slot.as_str()) {
                problems.push(format!(
                    "{here}: model \"{}\" has no slot \"{slot}\"; its slots are: {}",
                    self.model,
                    valid.join(", ")
                ));
                continue;
            }
            match target {
                SlotTarget::Stem(name) => {
                    if let Err(why) = check_stem_name(name) {
                        problems.push(format!("{here}: invalid stem name \"{name}\": {why}"));
                    } else if !stems.insert(name.clone()) {
                        problems.push(format!(
                            "{here}: stem \"{name}\" is produced twice in this strategy"
                        ));
                    }
                }
                SlotTarget::Node(node) => node.validate(&here, plugins, stems, problems),
            }
        }
    }

    /// Final stem names in tree order.
    pub fn stem_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_stems(&mut out);
        out
    }

    fn collect_stems(&self, out: &mut Vec<String>) {
        for (_, target) in &self.outputs {
            match target {
                SlotTarget::Stem(s) => out.push(s.clone()),
                SlotTarget::Node(n) => n.collect_stems(out),
            }
        }
    }

    /// Every model used by the tree, depth first.
    pub fn models(&self) -> Vec<&str> {
        let mut out = vec![self.model.as_str()];
        for (_, target) in &self.outputs {
            if let SlotTarget::Node(n) = target {
                out.extend(n.models());
            }
        }
        out
    }

    /// Number of model runs, used to weight progress.
    pub fn node_count(&self) -> usize {
        self.models().len()
    }
}

/// Stem names become file names and URL segments: keep them boring.
pub fn check_stem_name(name: &str) -> Result<(), &'static str> {
    check_identifier(name)
}

/// Lowercase letters, digits, `-` and `_`, 1 to 64 characters, starting with a letter or digit.
pub fn check_identifier(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > 64 {
        return Err("must be 1 to 64 characters");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err("use lowercase letters, digits, '-' and '_' only");
    }
    if name.starts_with(['-', '_']) {
        return Err("must start with a letter or digit");
    }
    Ok(())
}
