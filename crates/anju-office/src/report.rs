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

/// The table of the source document, extended by the progress columns.
pub fn townships(db: &OfficeDb) -> Result<TownshipReport, OfficeDbError> {
    let mut stmt = db.connection().prepare(
        "SELECT t.name,
                count(h.id),
                coalesce(sum(h.size), 0),
                count(h.id) FILTER (WHERE EXISTS (
                    SELECT 1 FROM submissions s
                    WHERE s.household_id = h.id AND s.kind = 'acceptance')),
                count(h.moved_in_at),
                coalesce(sum((SELECT count(*) FROM findings f
                     WHERE f.household_id = h.id AND f.state IN ('open', 'reopened'))), 0)
         FROM townships t LEFT JOIN households h ON h.township_id = t.id
         GROUP BY t.id
         ORDER BY t.sort_order",
    )?;
    let rows = stmt
        .query_map([], |row| {
            Ok(TownshipRow {
                township: row.get(0)?,
                households: row.get(1)?,
                people: row.get(2)?,
                accepted: row.get(3)?,
                moved_in: row.get(4)?,
                open_findings: row.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let total = rows.iter().fold(
        TownshipRow {
            township: TOTAL_LABEL.to_string(),
            households: 0,
            people: 0,
            accepted: 0,
            moved_in: 0,
            open_findings: 0,
        },
        |mut total, row| {
            total.households += row.households;
            total.people += row.people;
            total.accepted += row.accepted;
            total.moved_in += row.moved_in;
            total.open_findings += row.open_findings;
            total
        },
    );
    Ok(TownshipReport { rows, total })
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
