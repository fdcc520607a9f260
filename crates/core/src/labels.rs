//! Entity labels: the fine OntoNotes-style types lede's models emit and the coarse CoNLL-2003
//! types evaluations use.

use serde::{Deserialize, Serialize};

/// The four CoNLL-2003 entity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CoarseLabel {
    /// People.
    #[serde(rename = "PER")]
    Per,
    /// Organisations.
    #[serde(rename = "ORG")]
    Org,
    /// Locations: countries, cities, regions, facilities.
    #[serde(rename = "LOC")]
    Loc,
    /// Other names: nationalities, events, products, laws, works.
    #[serde(rename = "MISC")]
    Misc,
}

impl CoarseLabel {
    /// The CoNLL tag: `PER`, `ORG`, `LOC` or `MISC`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CoarseLabel::Per => "PER",
            CoarseLabel::Org => "ORG",
            CoarseLabel::Loc => "LOC",
            CoarseLabel::Misc => "MISC",
        }
    }

    /// All four, in CoNLL order.
    pub const ALL: [CoarseLabel; 4] = [
        CoarseLabel::Per,
        CoarseLabel::Org,
        CoarseLabel::Loc,
        CoarseLabel::Misc,
    ];

    /// Maps a fine label (OntoNotes, CoNLL, or common aliases; case-insensitive, with or
    /// without a `B-`/`I-` prefix) to its CoNLL type. Values and times (`DATE`, `MONEY`,
    /// `CARDINAL`, ...) are not CoNLL entities and map to `None`.
    ///
    /// | fine | coarse |
    /// |---|---|
    /// | PERSON, PER | PER |
    /// | ORG, ORGANIZATION | ORG |
    /// | GPE, LOC, LOCATION, FAC | LOC |
    /// | NORP, EVENT, PRODUCT, WORK_OF_ART, LAW, LANGUAGE, MISC | MISC |
    ///
    /// ```
    /// use lede_core::CoarseLabel;
    /// assert_eq!(CoarseLabel::from_label("GPE"), Some(CoarseLabel::Loc));
    /// assert_eq!(CoarseLabel::from_label("B-PER"), Some(CoarseLabel::Per));
    /// assert_eq!(CoarseLabel::from_label("DATE"), None);
    /// ```
    pub fn from_label(label: &str) -> Option<CoarseLabel> {
        let upper = label.trim().to_ascii_uppercase();
        let bare = ["B-", "I-", "E-", "S-", "L-", "U-"]
            .iter()
            .find_map(|p| upper.strip_prefix(p))
            .unwrap_or(&upper);
        match bare {
            "PERSON" | "PER" | "PEOPLE" => Some(CoarseLabel::Per),
            "ORG" | "ORGANIZATION" | "ORGANISATION" => Some(CoarseLabel::Org),
            "GPE" | "LOC" | "LOCATION" | "FAC" | "FACILITY" => Some(CoarseLabel::Loc),
            "NORP" | "EVENT" | "PRODUCT" | "WORK_OF_ART" | "LAW" | "LANGUAGE" | "MISC" => {
                Some(CoarseLabel::Misc)
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for CoarseLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ontonotes_map() {
        for (fine, coarse) in [
            ("PERSON", Some(CoarseLabel::Per)),
            ("org", Some(CoarseLabel::Org)),
            ("I-GPE", Some(CoarseLabel::Loc)),
            ("FAC", Some(CoarseLabel::Loc)),
            ("NORP", Some(CoarseLabel::Misc)),
            ("S-MISC", Some(CoarseLabel::Misc)),
            ("MONEY", None),
            ("CARDINAL", None),
            ("O", None),
        ] {
            assert_eq!(CoarseLabel::from_label(fine), coarse, "{fine}");
        }
        assert_eq!(serde_json::to_string(&CoarseLabel::Per).unwrap(), "\"PER\"");
    }
}
