//! Places are not invented by typos: a roster that names a township, village or site the
//! office does not know is refused row by row, with the known name it most likely meant
//! (`未知乡镇“东河口”，是否指“东河口镇”？`), unless the import is confirmed with "create these
//! places". A misspelt township would otherwise become a tenth township and change the
//! district's official totals.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::roster::{RosterRow, RowError};

/// The places the office knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownPlaces {
    pub townships: BTreeSet<String>,
    /// Villages by township.
    pub villages: BTreeMap<String, BTreeSet<String>>,
    /// Concentrated sites by township.
    pub sites: BTreeMap<String, BTreeSet<String>>,
}

/// What kind of place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    Township,
    Village,
    Site,
}

impl PlaceKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Township => "乡镇",
            Self::Village => "村",
            Self::Site => "安置点",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Township => "township",
            Self::Village => "village",
            Self::Site => "site",
        }
    }
}

/// A place a roster names that the office does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPlace {
    pub kind: PlaceKind,
    pub name: String,
    /// The township of a village or site.
    pub township: Option<String>,
    /// The first row that names it.
    pub row: usize,
}

/// The column headers of a roster, to name the cell of an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceColumns {
    pub township: String,
    pub village: String,
    pub site: String,
}

/// Levenshtein distance by characters; names here are a few characters long.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The known name `name` most likely means: one that contains it or is contained in it
/// (东河口 → 东河口镇), else the closest within a third of its length (at least one
/// character). Names longer than 50 characters are not compared.
pub fn suggest<'a>(name: &str, known: impl IntoIterator<Item = &'a String>) -> Option<&'a str> {
    const LONGEST: usize = 50;
    let length = name.chars().count();
    if name.is_empty() || length > LONGEST {
        return None;
    }
    let limit = (length / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in known {
        if candidate.chars().count() > LONGEST {
            continue;
        }
        let score = if candidate.contains(name) || name.contains(candidate.as_str()) {
            0
        } else {
            let d = distance(name, candidate);
            if d > limit {
                continue;
            }
            d
        };
        if best.is_none_or(|(s, _)| score < s) {
            best = Some((score, candidate.as_str()));
        }
    }
    best.map(|(_, name)| name)
}

fn unknown_message(
    kind: PlaceKind,
    name: &str,
    within: Option<&str>,
    guess: Option<&str>,
) -> String {
    let (where_zh, where_en) = match within {
        Some(township) => (format!("乡镇“{township}”没有"), format!(" in '{township}'")),
        None => ("未知".to_string(), String::new()),
    };
    let zh = format!("{where_zh}{}“{name}”", kind.label_zh());
    let en = format!("unknown {} '{name}'{where_en}", kind.label_en());
    match guess {
        Some(guess) => format!("{zh}，是否指“{guess}”？ / {en}: did you mean '{guess}'?"),
        None => format!(
            "{zh}：如确为新地点，请确认“新建这些地点”后导入 / {en}: if it really is new, confirm \"create these places\""
        ),
    }
}

/// Every row's unknown places: as errors (unless `create` confirms them) and as the list
/// of places the import would create, each once, in the order rows name them. A row with
/// an unknown township is reported for its township only.
pub fn check_places(
    rows: &[RosterRow],
    known: &KnownPlaces,
    columns: &PlaceColumns,
    create: bool,
) -> (Vec<RowError>, Vec<NewPlace>) {
    let mut errors = Vec::new();
    let mut new_places: Vec<NewPlace> = Vec::new();
    let mut seen: BTreeSet<(PlaceKind, Option<String>, String)> = BTreeSet::new();
    // The guess for each distinct unknown name, worked out once.
    let mut guesses: HashMap<(PlaceKind, Option<String>, String), Option<String>> = HashMap::new();
    let empty = BTreeSet::new();
    for row in rows {
        let township_known = known.townships.contains(&row.township);
        let mut unknown: Vec<(PlaceKind, Option<&str>, &str, &str)> = Vec::new();
        if !township_known {
            unknown.push((PlaceKind::Township, None, &row.township, &columns.township));
        }
        let villages = known.villages.get(&row.township).unwrap_or(&empty);
        if !villages.contains(&row.village) {
            unknown.push((
                PlaceKind::Village,
                Some(&row.township),
                &row.village,
                &columns.village,
            ));
        }
        if let Some(site) = &row.site {
            let sites = known.sites.get(&row.township).unwrap_or(&empty);
            if !sites.contains(site) {
                unknown.push((PlaceKind::Site, Some(&row.township), site, &columns.site));
            }
        }
        for (index, (kind, township, name, column)) in unknown.into_iter().enumerate() {
            let key = (kind, township.map(str::to_string), name.to_string());
            if seen.insert(key.clone()) {
                new_places.push(NewPlace {
                    kind,
                    name: name.to_string(),
                    township: township.map(str::to_string),
                    row: row.row,
                });
            }
            // An unknown township's villages and sites are new with it: one error is enough.
            if create || (index > 0 && !township_known) {
                continue;
            }
            let guess = guesses
                .entry(key)
                .or_insert_with(|| {
                    let candidates = match kind {
                        PlaceKind::Township => &known.townships,
                        PlaceKind::Village => villages,
                        PlaceKind::Site => known.sites.get(&row.township).unwrap_or(&empty),
                    };
                    suggest(name, candidates).map(str::to_string)
                })
                .clone();
            errors.push(RowError {
                row: row.row,
                column: column.to_string(),
                reason: unknown_message(kind, name, township, guess.as_deref()),
            });
        }
    }
    (errors, new_places)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PlacementKind, PlacementMode};

    fn known() -> KnownPlaces {
        let set = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
        KnownPlaces {
            townships: set(&["东河口镇", "椿树镇", "横塘岗乡"]),
            villages: [
                ("东河口镇".to_string(), set(&["长岭村", "雪峰岭村"])),
                ("横塘岗乡".to_string(), set(&["黄墩村"])),
            ]
            .into_iter()
            .collect(),
            sites: [("横塘岗乡".to_string(), set(&["黄墩中心村"]))]
                .into_iter()
                .collect(),
        }
    }

    fn row(number: usize, township: &str, village: &str, site: Option<&str>) -> RosterRow {
        RosterRow {
            row: number,
            township: township.into(),
            village: village.into(),
            head_name: "王某甲".into(),
            id_number: crate::id_number::compose(
                "341502",
                chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(),
                901,
            )
            .unwrap(),
            size: 3,
            phone: None,
            mode: if site.is_some() {
                PlacementMode::Concentrated
            } else {
                PlacementMode::Scattered
            },
            kind: PlacementKind::SelfBuilt,
            site: site.map(str::to_string),
            location: None,
        }
    }

    fn columns() -> PlaceColumns {
        PlaceColumns {
            township: "乡镇".into(),
            village: "村".into(),
            site: "安置点".into(),
        }
    }

    #[test]
    fn a_misspelt_township_is_refused_with_the_likely_name() {
        let rows = [
            row(2, "东河口", "长岭村", None),
            row(3, "东河口镇", "长岭村", None),
        ];
        let (errors, new) = check_places(&rows, &known(), &columns(), false);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].row, 2);
        assert_eq!(errors[0].column, "乡镇");
        assert_eq!(
            errors[0].reason,
            "未知乡镇“东河口”，是否指“东河口镇”？ / unknown township '东河口': did you mean '东河口镇'?"
        );
        assert_eq!(new.len(), 2, "the township and its village: {new:?}");
        assert_eq!(new[0].kind, PlaceKind::Township);
    }

    #[test]
    fn villages_and_sites_are_looked_up_in_their_township() {
        let rows = [
            row(2, "东河口镇", "长领村", None),
            row(3, "横塘岗乡", "黄墩村", Some("黄墩中心")),
            row(4, "椿树镇", "长岭村", None),
        ];
        let (errors, _) = check_places(&rows, &known(), &columns(), false);
        let reasons: Vec<&str> = errors.iter().map(|e| e.reason.as_str()).collect();
        assert!(
            reasons[0].starts_with("乡镇“东河口镇”没有村“长领村”，是否指“长岭村”？"),
            "{reasons:?}"
        );
        assert!(
            reasons[1].starts_with("乡镇“横塘岗乡”没有安置点“黄墩中心”，是否指“黄墩中心村”？"),
            "{reasons:?}"
        );
        // 长岭村 is 东河口镇's, not 椿树镇's, and nothing there is close.
        assert!(reasons[2].contains("请确认“新建这些地点”"), "{reasons:?}");
        assert_eq!(errors[2].column, "村");
    }

    #[test]
    fn confirmed_places_are_listed_once_and_not_refused() {
        let rows = [
            row(2, "新安镇", "新村", Some("新安中心")),
            row(3, "新安镇", "新村", Some("新安中心")),
        ];
        let (errors, new) = check_places(&rows, &known(), &columns(), true);
        assert!(errors.is_empty());
        assert_eq!(new.len(), 3);
        assert!(new.iter().all(|p| p.row == 2));
        let (errors, _) = check_places(&rows, &known(), &columns(), false);
        assert_eq!(errors.len(), 2, "one per row, for its township: {errors:?}");
    }

    #[test]
    fn suggestions_need_a_close_name() {
        let known = known();
        assert_eq!(suggest("椿树", &known.townships), Some("椿树镇"));
        assert_eq!(suggest("横糖岗乡", &known.townships), Some("横塘岗乡"));
        assert_eq!(suggest("马头镇", &known.townships), None);
        assert_eq!(suggest(&"长".repeat(1000), &known.townships), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
