//! Reports from the office database: the per-township table of the programme.

use serde::Serialize;

use crate::db::{OfficeDb, OfficeDbError};

/// One township's line (or the total's, named 合计).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TownshipRow {
    pub township: String,
    pub households: u32,
    pub people: u32,
    /// Households with at least one acceptance submission.
    pub accepted: u32,
    pub moved_in: u32,
    /// Findings still open or reopened.
    pub open_findings: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TownshipReport {
    pub rows: Vec<TownshipRow>,
    pub total: TownshipRow,
}

pub const TOTAL_LABEL: &str = "合计";

/// The table of the source document, extended by the progress columns (the office
/// pages' township table, as the command line prints it).
pub fn townships(db: &OfficeDb) -> Result<TownshipReport, OfficeDbError> {
    let line = |p: &crate::pages::views::TownshipProgress| TownshipRow {
        township: p.township.clone(),
        households: p.households,
        people: p.people,
        accepted: p.accepted,
        moved_in: p.moved_in,
        open_findings: p.open_findings,
    };
    let (rows, total) = crate::pages::township_table(db, &crate::pages::Viewer::command_line())
        .map_err(|e| match e {
            crate::pages::PageError::Db(e) => e,
            other => OfficeDbError::Corrupt(other.to_string()),
        })?;
    Ok(TownshipReport {
        rows: rows.iter().map(line).collect(),
        total: line(&total),
    })
}

impl TownshipReport {
    fn all_rows(&self) -> impl Iterator<Item = &TownshipRow> {
        self.rows.iter().chain(std::iter::once(&self.total))
    }

    /// CSV with an English header row, the townships, then 合计.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("township,households,people,accepted,moved_in,open_findings\n");
        for row in self.all_rows() {
            out.push_str(&format!(
                "{},{},{},{},{},{}\n",
                csv_field(&row.township),
                row.households,
                row.people,
                row.accepted,
                row.moved_in,
                row.open_findings
            ));
        }
        out
    }

    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// A table for the terminal, aligned for CJK text (two columns per character).
    pub fn to_table(&self) -> String {
        let headers = ["乡镇", "户数", "人数", "已验收", "已入住", "待整改问题"];
        let cells: Vec<[String; 6]> = self
            .all_rows()
            .map(|r| {
                [
                    r.township.clone(),
                    r.households.to_string(),
                    r.people.to_string(),
                    r.accepted.to_string(),
                    r.moved_in.to_string(),
                    r.open_findings.to_string(),
                ]
            })
            .collect();
        let mut widths = headers.map(display_width);
        for row in &cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(display_width(cell));
            }
        }
        let line = |values: &[String; 6]| {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let pad = " ".repeat(widths[i] - display_width(v));
                    if i == 0 {
                        format!("{v}{pad}")
                    } else {
                        format!("{pad}{v}")
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        let mut out = line(&headers.map(String::from));
        out.push('\n');
        let rule: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
        let separator = "-".repeat(rule);
        for (index, row) in cells.iter().enumerate() {
            if index == cells.len() - 1 {
                out.push_str(&separator);
                out.push('\n');
            }
            out.push_str(&line(row));
            out.push('\n');
        }
        out
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Terminal columns: CJK and full-width characters take two.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        assert_eq!(csv_field("马头镇"), "马头镇");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn cjk_is_two_columns() {
        assert_eq!(display_width("合计"), 4);
        assert_eq!(display_width("121"), 3);
    }
}
