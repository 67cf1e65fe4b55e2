//! Stem names: the references' naming of a model's secondary stem, and the slot names
//! Stemset uses for them in strategy trees.

/// The complementary stem of `primary` (spec §1.8): Vocals ↔ Instrumental, the
/// lead/backing and Primary/Secondary pairs, else "No X" ↔ "X".
pub fn secondary_of(primary: &str) -> String {
    let pairs = [
        ("Vocals", "Instrumental"),
        ("lead_only", "backing_only"),
        ("Primary Stem", "Secondary Stem"),
    ];
    for (a, b) in pairs {
        if primary.eq_ignore_ascii_case(a) {
            return b.to_string();
        }
        if primary.eq_ignore_ascii_case(b) {
            return a.to_string();
        }
    }
    match primary.strip_prefix("No ") {
        Some(rest) => rest.to_string(),
        None => format!("No {primary}"),
    }
}

/// The slot name of a stem: lowercase, words joined by `-` ("No Crowd" → "no-crowd").
pub fn slot_name(stem: &str) -> String {
    stem.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("-")
}

/// One output of a model: its slot name and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotInfo {
    pub name: String,
    pub description: String,
}

impl SlotInfo {
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
        }
    }

    /// Slots from (name, description) pairs, as registrations list them.
    pub fn list(pairs: &[(&str, &str)]) -> Vec<SlotInfo> {
        pairs.iter().map(|(n, d)| SlotInfo::new(*n, *d)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secondary_names_follow_the_references() {
        assert_eq!(secondary_of("Vocals"), "Instrumental");
        assert_eq!(secondary_of("Instrumental"), "Vocals");
        assert_eq!(secondary_of("Bass"), "No Bass");
        assert_eq!(secondary_of("No Crowd"), "Crowd");
        assert_eq!(secondary_of("Reverb"), "No Reverb");
        assert_eq!(slot_name("No Crowd"), "no-crowd");
        assert_eq!(slot_name("Instrumental"), "instrumental");
    }
}
