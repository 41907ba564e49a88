//! Reports from the office database: the per-township table of the programme.

use serde::Serialize;

use crate::db::{OfficeDb, OfficeDbError};

/// One township's line (or the total's, named 合计).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TownshipRow {
    pub township: String,
    pub households: u32,
    pub people: u32,
    /// 集中安置, households and people.
    pub concentrated_households: u32,
    pub concentrated_people: u32,
    /// 分散自建.
    pub self_built_households: u32,
    pub self_built_people: u32,
    /// 分散购房.
    pub bought_households: u32,
    pub bought_people: u32,
    /// 待审核: submitted, not reviewed by the district yet.
    pub awaiting_review: u32,
    /// 已验收: approved and not 不合格.
    pub accepted: u32,
    /// 不合格.
    pub failed: u32,
    /// 面积超标.
    pub over_cap: u32,
    pub moved_in: u32,
    /// Findings still open or reopened.
    pub open_findings: u32,
}

impl TownshipRow {
    /// The columns in report order: (Chinese header, CSV header, value).
    fn values(&self) -> [(&'static str, &'static str, u32); 14] {
        [
            ("户数", "households", self.households),
            ("人数", "people", self.people),
            (
                "集中安置户",
                "concentrated_households",
                self.concentrated_households,
            ),
            (
                "集中安置人",
                "concentrated_people",
                self.concentrated_people,
            ),
            (
                "分散自建户",
                "self_built_households",
                self.self_built_households,
            ),
            ("分散自建人", "self_built_people", self.self_built_people),
            ("分散购房户", "bought_households", self.bought_households),
            ("分散购房人", "bought_people", self.bought_people),
            ("待审核", "awaiting_review", self.awaiting_review),
            ("已验收", "accepted", self.accepted),
            ("不合格", "failed", self.failed),
            ("面积超标", "over_cap", self.over_cap),
            ("已入住", "moved_in", self.moved_in),
            ("待整改问题", "open_findings", self.open_findings),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TownshipReport {
    pub rows: Vec<TownshipRow>,
    pub total: TownshipRow,
}

pub const TOTAL_LABEL: &str = "合计";

/// The table of the source document, extended by the placement split and the progress
/// columns (the office pages' township table, as the command line prints it).
pub fn townships(db: &OfficeDb) -> Result<TownshipReport, OfficeDbError> {
    let line = |p: &crate::services::views::TownshipProgress| TownshipRow {
        township: p.township.clone(),
        households: p.households,
        people: p.people,
        concentrated_households: p.concentrated_households,
        concentrated_people: p.concentrated_people,
        self_built_households: p.self_built_households,
        self_built_people: p.self_built_people,
        bought_households: p.bought_households,
        bought_people: p.bought_people,
        awaiting_review: p.awaiting_review,
        accepted: p.accepted,
        failed: p.failed,
        over_cap: p.over_cap,
        moved_in: p.moved_in,
        open_findings: p.open_findings,
    };
    let (rows, total) =
        crate::services::township_table(db, &crate::services::Viewer::command_line()).map_err(
            |e| match e {
                crate::services::PageError::Db(e) => e,
                other => OfficeDbError::Corrupt(other.to_string()),
            },
        )?;
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
        let mut out = String::from("township");
        for (_, header, _) in self.total.values() {
            out.push(',');
            out.push_str(header);
        }
        out.push('\n');
        for row in self.all_rows() {
            out.push_str(&csv_field(&row.township));
            for (_, _, value) in row.values() {
                out.push_str(&format!(",{value}"));
            }
            out.push('\n');
        }
        out
    }

    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// A table for the terminal, aligned for CJK text (two columns per character).
    pub fn to_table(&self) -> String {
        let mut headers = vec!["乡镇".to_string()];
        headers.extend(
            self.total
                .values()
                .into_iter()
                .map(|(zh, _, _)| zh.to_string()),
        );
        let cells: Vec<Vec<String>> = self
            .all_rows()
            .map(|r| {
                let mut cells = vec![r.township.clone()];
                cells.extend(r.values().into_iter().map(|(_, _, v)| v.to_string()));
                cells
            })
            .collect();
        let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
        for row in &cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(display_width(cell));
            }
        }
        let line = |values: &[String]| {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let pad = " ".repeat(widths[i].saturating_sub(display_width(v)));
                    if i == 0 {
                        format!("{v}{pad}")
                    } else {
                        format!("{pad}{v}")
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        let mut out = line(&headers);
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
