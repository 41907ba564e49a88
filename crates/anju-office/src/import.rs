//! Import a household roster into the office database: all rows or none.

use std::path::Path;

use anju_core::hash::sha256_hex;
use anju_core::places::{NewPlace, PlaceColumns, check_places};
use anju_core::roster::{Column, RosterTable, RowError, ValidRoster, validate};
use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;

use crate::db::{ImportSummary, NewHousehold, NewSite, OfficeDb, OfficeDbError};
use crate::roster_file::{RosterFileError, read_roster_bytes};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("无法读取 {path} / cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    File(#[from] RosterFileError),
    #[error("{file} 有 {} 处错误，未导入 / {file} has {} error(s): nothing was imported", .errors.len(), .errors.len())]
    Invalid {
        file: String,
        errors: Vec<RowError>,
        /// The places the roster names that the office does not know.
        new_places: Vec<NewPlace>,
    },
    #[error(transparent)]
    Db(#[from] OfficeDbError),
}

impl ImportError {
    /// The limit a roster file went past, if that is why it was refused.
    pub fn over_limit(&self) -> Option<&crate::roster_file::RosterLimit> {
        match self {
            Self::File(RosterFileError::OverLimit { limit, .. }) => Some(limit),
            _ => None,
        }
    }
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub file: String,
    pub dry_run: bool,
    pub summary: ImportSummary,
    pub ignored_columns: Vec<String>,
    /// The places the import creates (or, in a dry run, would create).
    pub new_places: Vec<NewPlace>,
}

impl ImportOutcome {
    /// The lines the CLI prints: per township, then the total.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.dry_run {
            out.push_str(&format!(
                "试导入（未写入）{} / dry run of {} (nothing written):\n",
                self.file, self.file
            ));
        } else {
            out.push_str(&format!("已导入 {} / imported {}:\n", self.file, self.file));
        }
        for (township, households, people) in &self.summary.per_township {
            out.push_str(&format!(
                "  {township}: {households} 户 {people} 人 / {households} households, {people} people\n"
            ));
        }
        out.push_str(&format!(
            "  合计 / total: {} 户 {} 人 / {} households, {} people\n",
            self.summary.households,
            self.summary.people,
            self.summary.households,
            self.summary.people
        ));
        if !self.ignored_columns.is_empty() {
            out.push_str(&format!(
                "  未使用的列 / columns not used: {}\n",
                self.ignored_columns.join(", ")
            ));
        }
        for place in &self.new_places {
            out.push_str(&format!(
                "  新建{} / new {}: {}{}\n",
                place.kind.label_zh(),
                place.kind.label_en(),
                place
                    .township
                    .as_deref()
                    .map(|t| format!("{t} "))
                    .unwrap_or_default(),
                place.name
            ));
        }
        out
    }
}

/// How an import treats what it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// Check only: nothing is written.
    pub dry_run: bool,
    /// Create the townships, villages and sites the roster names that the office does not
    /// know (confirmed by a person); without it such rows are refused.
    pub create_places: bool,
}

/// Read, validate and (unless `dry_run`) import the roster at `path`.
pub fn import_roster(
    db: &mut OfficeDb,
    path: &Path,
    options: ImportOptions,
) -> Result<ImportOutcome, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    import_roster_bytes(db, &bytes, &file, options)
}

/// The same from bytes already in memory (an upload in the office pages).
pub fn import_roster_bytes(
    db: &mut OfficeDb,
    bytes: &[u8],
    file: &str,
    options: ImportOptions,
) -> Result<ImportOutcome, ImportError> {
    import_read_roster(db, read_and_check(bytes, file)?, options)
}

/// A roster file read and its rows checked: all the work that needs no database, done
/// before it is taken.
pub struct CheckedRoster {
    pub file: String,
    pub sha256: String,
    pub table: RosterTable,
    roster: ValidRoster,
}

/// Read a roster file and check its rows (no database).
pub fn read_and_check(bytes: &[u8], file: &str) -> Result<CheckedRoster, ImportError> {
    check_table(read_roster_bytes(bytes, file)?, sha256_hex(bytes), file)
}

/// Check the rows of a roster file already read (no database).
pub fn check_table(
    table: RosterTable,
    sha256: String,
    file: &str,
) -> Result<CheckedRoster, ImportError> {
    let roster = validate(&table, Utc::now().date_naive()).map_err(|e| ImportError::Invalid {
        file: file.to_string(),
        errors: e.errors,
        new_places: Vec::new(),
    })?;
    Ok(CheckedRoster {
        file: file.to_string(),
        sha256,
        table,
        roster,
    })
}

/// Check a read roster against the database (households already there, places) and,
/// unless `dry_run`, import it.
pub fn import_read_roster(
    db: &mut OfficeDb,
    checked: CheckedRoster,
    options: ImportOptions,
) -> Result<ImportOutcome, ImportError> {
    let dry_run = options.dry_run;
    let CheckedRoster {
        file,
        sha256,
        table,
        roster,
    } = checked;
    let file = file.as_str();

    // A household already registered is an error on its row, like any other.
    let existing = db.existing_id_numbers(roster.rows.iter().map(|r| &r.id_number))?;
    if !existing.is_empty() {
        let column = id_column_header(&table);
        let errors = roster
            .rows
            .iter()
            .filter_map(|row| {
                existing.get(&row.id_number).map(|other| RowError {
                    row: row.row,
                    column: column.clone(),
                    reason: format!(
                        "已在库中：{}{}（户编号{}） / already in the database: {} of {} (household {})",
                        other.township,
                        other.head_name,
                        other.number,
                        other.head_name,
                        other.township,
                        other.number
                    ),
                })
            })
            .collect();
        return Err(ImportError::Invalid {
            file: file.to_string(),
            errors,
            new_places: Vec::new(),
        });
    }

    // A place the office does not know is a typo until a person says it is new.
    let column = |wanted: Column| column_header(&table, wanted);
    let (errors, new_places) = check_places(
        &roster.rows,
        &db.known_places()?,
        &PlaceColumns {
            township: column(Column::Township),
            village: column(Column::Village),
            site: column(Column::Site),
        },
        options.create_places,
    );
    if !errors.is_empty() {
        return Err(ImportError::Invalid {
            file: file.to_string(),
            errors,
            new_places,
        });
    }

    let households: Vec<NewHousehold> = roster
        .rows
        .into_iter()
        .map(|row| NewHousehold {
            id: Uuid::now_v7(),
            head_name: row.head_name,
            id_number: row.id_number,
            size: row.size,
            members: Vec::new(),
            phone: row.phone,
            township: row.township,
            village: row.village,
            site: row.site.map(|name| NewSite {
                name,
                // A roster does not say whether a site is new; the office can mark it.
                newly_built: false,
                kind: row.kind,
            }),
            mode: row.mode,
            kind: row.kind,
            location: row.location,
        })
        .collect();

    let summary = if dry_run {
        preview(&households)
    } else {
        db.insert_households(file, Some(&sha256), &households, &mut Uuid::now_v7)?
    };
    Ok(ImportOutcome {
        file: file.to_string(),
        dry_run,
        summary,
        ignored_columns: roster.ignored_columns,
        new_places,
    })
}

/// The header of `column` as the file writes it, or its standard header.
fn column_header(table: &RosterTable, column: Column) -> String {
    table
        .headers
        .iter()
        .find(|h| Column::from_header(h) == Some(column))
        .cloned()
        .unwrap_or_else(|| column.label_zh().to_string())
}

fn id_column_header(table: &RosterTable) -> String {
    column_header(table, Column::IdNumber)
}

/// The per-township counts an import would add, in the order townships first appear.
fn preview(households: &[NewHousehold]) -> ImportSummary {
    let mut per_township: Vec<(String, u32, u32)> = Vec::new();
    for h in households {
        match per_township.iter_mut().find(|(t, _, _)| *t == h.township) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 += h.size;
            }
            None => per_township.push((h.township.clone(), 1, h.size)),
        }
    }
    ImportSummary {
        import_id: Uuid::nil(),
        households: households.len() as u32,
        people: households.iter().map(|h| h.size).sum(),
        per_township,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use anju_core::id_number::compose;
    use chrono::NaiveDate;

    /// Coordinates are optional columns: a row with them carries them to the households the
    /// devices pull, a row without has none.
    #[test]
    fn coordinates_from_the_roster_reach_the_households() {
        let dir = crate::testing::data_dir();
        let mut db = OfficeDb::create(dir.path()).unwrap();
        let id = |day| {
            let birth = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap() + chrono::Duration::days(day);
            compose("341502", birth, 901).unwrap().to_string()
        };
        let csv = format!(
            "乡镇,村,户主姓名,身份证号,家庭人口,安置方式,纬度,经度\n\
             施桥镇,新安村,测试户甲,{},3,分散安置,31.7650,116.5100\n\
             施桥镇,新安村,测试户乙,{},4,分散安置,,\n",
            id(10),
            id(20)
        );
        let options = ImportOptions {
            dry_run: false,
            create_places: true,
        };
        import_roster_bytes(&mut db, csv.as_bytes(), "roster.csv", options).unwrap();
        let households = db.households(None).unwrap();
        let location = |name: &str| {
            households
                .iter()
                .find(|h| h.head_name == name)
                .unwrap()
                .location
        };
        assert_eq!(
            location("测试户甲"),
            Some(anju_core::location::Coordinates::new(31.765, 116.51).unwrap())
        );
        assert_eq!(location("测试户乙"), None);
    }
}
