//! The XLSX exports: the township table, the household list, the findings list.

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet};

use super::findings::findings;
use super::query::{dashboard, for_each_household};
use super::views::{FindingFilter, HouseholdFilter, TownshipProgress};
use super::{Result, Viewer};
use crate::db::OfficeDb;

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin)
}

fn write_header(sheet: &mut Worksheet, title: &str, columns: &[(&str, f64)]) -> Result<()> {
    sheet.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14))?;
    let header = header_format();
    for (col, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, *name, &header)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    sheet.set_freeze_panes(3, 0)?;
    Ok(())
}

fn progress_line(
    sheet: &mut Worksheet,
    row: u32,
    line: &TownshipProgress,
    format: &Format,
) -> Result<()> {
    sheet.write_string_with_format(row, 0, &line.township, format)?;
    let numbers = [
        line.households,
        line.people,
        line.concentrated_households,
        line.concentrated_people,
        line.self_built_households,
        line.self_built_people,
        line.bought_households,
        line.bought_people,
        line.awaiting_review,
        line.accepted,
        line.failed,
        line.over_cap,
        line.moved_in,
        line.agreement_signed,
        line.demolished,
        line.reclaimed,
        line.open_findings,
        line.overdue_findings,
    ];
    for (i, n) in numbers.into_iter().enumerate() {
        sheet.write_number_with_format(row, (i + 1) as u16, f64::from(n), format)?;
    }
    Ok(())
}

/// 易地扶贫搬迁验收进度表: one line per township and the total.
pub fn townships_xlsx(db: &OfficeDb, viewer: &Viewer) -> Result<Vec<u8>> {
    let board = dashboard(db, viewer)?;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("乡镇进度")?;
    write_header(
        sheet,
        &format!("易地扶贫搬迁安置房验收进度表（截至 {}）", board.today),
        &[
            ("乡镇", 14.0),
            ("户数", 8.0),
            ("人数", 8.0),
            ("集中安置户数", 12.0),
            ("集中安置人数", 12.0),
            ("分散自建户数", 12.0),
            ("分散自建人数", 12.0),
            ("分散购房户数", 12.0),
            ("分散购房人数", 12.0),
            ("待审核户数", 11.0),
            ("已验收户数", 11.0),
            ("不合格户数", 11.0),
            ("面积超标户数", 12.0),
            ("已入住户数", 11.0),
            ("旧房拆除协议", 12.0),
            ("旧房已拆除", 11.0),
            ("宅基地已复垦", 12.0),
            ("未整改问题", 11.0),
            ("逾期问题", 9.0),
        ],
    )?;
    let plain = Format::new().set_border(FormatBorder::Thin);
    let bold = Format::new().set_bold().set_border(FormatBorder::Thin);
    let mut row = 3;
    for line in &board.rows {
        progress_line(sheet, row, line, &plain)?;
        row += 1;
    }
    progress_line(sheet, row, &board.total, &bold)?;
    Ok(book.save_to_buffer()?)
}

/// The household list with its status, by the page's filters.
pub fn households_xlsx(
    db: &OfficeDb,
    viewer: &Viewer,
    filter: &HouseholdFilter,
) -> Result<Vec<u8>> {
    // Rows are written as they are read, to a sheet kept on disk (constant memory); the
    // count goes into the title once it is known, so the title is the last thing set.
    let mut book = Workbook::new();
    let sheet = book
        .add_worksheet_with_constant_memory()?
        .set_name("住户")?;
    write_header(
        sheet,
        "易地扶贫搬迁住户验收情况",
        &[
            ("户编号", 16.0),
            ("户主", 10.0),
            ("人口", 6.0),
            ("乡镇", 12.0),
            ("村", 12.0),
            ("安置点", 18.0),
            ("安置方式", 10.0),
            ("安置类型", 12.0),
            ("状态", 10.0),
            ("验收结论", 12.0),
            ("面积超标", 9.0),
            ("验收时间", 20.0),
            ("未整改问题", 11.0),
            ("检查员", 24.0),
        ],
    )?;
    let mut r: u32 = 3;
    let count = for_each_household(db, viewer, filter, |h| {
        sheet.write_string(r, 0, &h.number)?;
        sheet.write_string(r, 1, &h.head_name)?;
        sheet.write_number(r, 2, f64::from(h.size))?;
        sheet.write_string(r, 3, &h.township)?;
        sheet.write_string(r, 4, &h.village)?;
        sheet.write_string(r, 5, h.site.as_deref().unwrap_or("—"))?;
        sheet.write_string(
            r,
            6,
            if h.mode == anju_core::model::PlacementMode::Concentrated {
                "集中安置"
            } else {
                "分散安置"
            },
        )?;
        sheet.write_string(r, 7, &h.kind_label.zh)?;
        sheet.write_string(r, 8, h.status.label_zh())?;
        sheet.write_string(r, 9, h.verdict.map_or("", |v| v.label_zh()))?;
        sheet.write_string(r, 10, if h.over_cap { "是" } else { "" })?;
        let accepted = h
            .accepted_at
            .map(|t| {
                (t + chrono::Duration::hours(8))
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default();
        sheet.write_string(r, 11, &accepted)?;
        sheet.write_number(r, 12, f64::from(h.open_findings))?;
        let inspectors: Vec<&str> = h.inspectors_display.iter().map(|t| t.zh.as_str()).collect();
        sheet.write_string(r, 13, inspectors.join("、"))?;
        r += 1;
        Ok(())
    })?;
    sheet.set_name(format!("住户（{count} 户）"))?;
    Ok(book.save_to_buffer()?)
}

/// The findings list (整改台账), by the page's filters.
pub fn findings_xlsx(db: &OfficeDb, viewer: &Viewer, filter: &FindingFilter) -> Result<Vec<u8>> {
    let rows = findings(db, viewer, filter)?.rows;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("整改")?;
    write_header(
        sheet,
        &format!("问题整改台账（{} 条）", rows.len()),
        &[
            ("户编号", 16.0),
            ("户主", 10.0),
            ("乡镇", 12.0),
            ("检查项", 20.0),
            ("问题", 36.0),
            ("整改期限", 12.0),
            ("状态", 14.0),
            ("逾期天数", 9.0),
            ("最近处理", 36.0),
        ],
    )?;
    let overdue = Format::new()
        .set_font_color(Color::RGB(0xC00000))
        .set_bold();
    for (i, f) in rows.iter().enumerate() {
        let r = i as u32 + 3;
        sheet.write_string(r, 0, &f.household_number)?;
        sheet.write_string(r, 1, &f.head_name)?;
        sheet.write_string(r, 2, &f.township)?;
        let item = f
            .item_label
            .as_ref()
            .map(|l| l.zh.clone())
            .or_else(|| f.item.clone())
            .unwrap_or_default();
        sheet.write_string(r, 3, &item)?;
        sheet.write_string(r, 4, &f.description)?;
        sheet.write_string(r, 5, f.deadline.to_string())?;
        sheet.write_string(r, 6, f.state.label_zh())?;
        if f.overdue {
            sheet.write_number_with_format(r, 7, (-f.days_left) as f64, &overdue)?;
        }
        if let Some(last) = f.events.last() {
            sheet.write_string(
                r,
                8,
                format!(
                    "{} {}：{}",
                    (last.at + chrono::Duration::hours(8)).format("%Y-%m-%d"),
                    last.by_display.zh,
                    last.note.as_deref().unwrap_or(last.to.label_zh())
                ),
            )?;
        }
    }
    Ok(book.save_to_buffer()?)
}

/// The audit log, newest first (the latest [`AUDIT_EXPORT_LIMIT`] entries).
pub fn audit_xlsx(db: &OfficeDb, viewer: &Viewer) -> Result<Vec<u8>> {
    viewer.require_admin()?;
    let mut book = Workbook::new();
    let sheet = book
        .add_worksheet_with_constant_memory()?
        .set_name("审计日志")?;
    write_header(
        sheet,
        "安居验收审计日志",
        &[
            ("时间（北京时间）", 20.0),
            ("操作人", 24.0),
            ("账号", 12.0),
            ("地址", 16.0),
            ("操作", 16.0),
            ("对象", 40.0),
            ("说明", 40.0),
        ],
    )?;
    let mut r: u32 = 3;
    let mut before = None;
    while r - 3 < AUDIT_EXPORT_LIMIT {
        let entries = crate::audit::list(db.connection(), None, before, 1000)?;
        let Some(last) = entries.last() else { break };
        before = Some(last.seq);
        for e in &entries {
            let at = chrono::DateTime::parse_from_rfc3339(&e.at)
                .map(|t| {
                    (t.with_timezone(&chrono::Utc) + chrono::Duration::hours(8))
                        .format("%Y-%m-%d %H:%M:%S")
                        .to_string()
                })
                .unwrap_or_else(|_| e.at.clone());
            sheet.write_string(r, 0, &at)?;
            sheet.write_string(r, 1, &e.actor_display.zh)?;
            sheet.write_string(r, 2, &e.actor)?;
            sheet.write_string(r, 3, e.client.as_deref().unwrap_or(""))?;
            sheet.write_string(r, 4, &e.action_label)?;
            sheet.write_string(r, 5, e.target.as_deref().unwrap_or(""))?;
            sheet.write_string(r, 6, &e.detail)?;
            r += 1;
        }
    }
    Ok(book.save_to_buffer()?)
}

/// The most entries one audit export holds.
pub const AUDIT_EXPORT_LIMIT: u32 = 100_000;
