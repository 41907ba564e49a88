//! The roster template people download before an import: the importer's own columns, by
//! their standard Chinese headers, and one example row the importer accepts.
//!
//! The columns come from `Column::ALL`, the importer's header table, so a column added there
//! appears here by itself (with an empty example cell until one is given below).

use anju_core::roster::Column;
use rust_xlsxwriter::{Color, Format, FormatBorder, Note, Workbook};

use super::Result;

/// The example row, by column (a column not named here is left empty). A valid scattered
/// household of a demo village; its ID number has the right check digit (GB 11643).
const EXAMPLE: &[(Column, &str)] = &[
    (Column::Township, "东河口镇"),
    (Column::Village, "长岭村"),
    (Column::HeadName, "王大山"),
    (Column::IdNumber, "341502198001010020"),
    (Column::Size, "4"),
    (Column::Phone, "13805641234"),
    (Column::Mode, "分散安置"),
    (Column::Kind, "自建"),
    (Column::Site, ""),
    (Column::Latitude, "31.7650"),
    (Column::Longitude, "116.5100"),
];

/// What each column asks for, shown as a note on its header; a column not named here is
/// optional.
const HINTS: &[(Column, &str)] = &[
    (Column::Township, "必填。乡镇名称 / Required: the township"),
    (Column::Village, "必填。行政村名称 / Required: the village"),
    (
        Column::HeadName,
        "必填。户主姓名 / Required: the head of household",
    ),
    (
        Column::IdNumber,
        "必填。18位身份证号，请以文本格式填写 / Required: the 18-digit ID number, as text",
    ),
    (
        Column::Size,
        "必填。家庭人口数 / Required: the number of people",
    ),
    (Column::Phone, "选填。联系电话 / Optional: a phone number"),
    (
        Column::Mode,
        "必填。集中安置或分散安置 / Required: 集中安置 or 分散安置",
    ),
    (
        Column::Kind,
        "选填。集中安置：统规统建等；分散安置：自建、购买 / Optional: the placement kind",
    ),
    (
        Column::Site,
        "集中安置必填，分散安置留空 / Required for 集中安置, empty for 分散安置",
    ),
    (
        Column::Latitude,
        "选填。房屋纬度（度），与经度一起填写 / Optional: the latitude in degrees, with the longitude",
    ),
    (
        Column::Longitude,
        "选填。房屋经度（度），与纬度一起填写 / Optional: the longitude in degrees, with the latitude",
    ),
];

/// Columns the template leaves out: 房屋坐标 is 纬度 and 经度 in one cell, which the
/// template gives as two.
const LEFT_OUT: &[Column] = &[Column::Coordinates];

fn lookup(table: &[(Column, &'static str)], column: Column) -> Option<&'static str> {
    table.iter().find(|(c, _)| *c == column).map(|(_, v)| *v)
}

fn columns() -> impl Iterator<Item = Column> {
    Column::ALL
        .into_iter()
        .filter(|column| !LEFT_OUT.contains(column))
}

/// The template's columns and example cells, in the importer's order.
pub fn roster_template_example() -> Vec<(&'static str, &'static str)> {
    columns()
        .map(|column| (column.label_zh(), lookup(EXAMPLE, column).unwrap_or("")))
        .collect()
}

/// The template as an XLSX file: the header row, then the example row.
pub fn roster_template_xlsx() -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("花名册")?;
    let required = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    let optional = Format::new()
        .set_background_color(Color::RGB(0xF2F2F2))
        .set_border(FormatBorder::Thin);
    // Text cells, so that Excel keeps an ID number's 18 digits and a phone's leading zero.
    let text = Format::new().set_num_format("@");
    for (col, (column, (header, example))) in columns().zip(roster_template_example()).enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        let format = if column.is_required() {
            &required
        } else {
            &optional
        };
        sheet.write_string_with_format(0, col, header, format)?;
        let hint = lookup(HINTS, column).unwrap_or("选填 / Optional");
        sheet.insert_note(0, col, &Note::new(hint).add_author_prefix(false))?;
        sheet.set_column_width(col, if column == Column::IdNumber { 22 } else { 14 })?;
        sheet.set_column_format(col, &text)?;
        sheet.write_string_with_format(1, col, example, &text)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::OfficeDb;
    use crate::import::{ImportOptions, import_roster_bytes, read_and_check};

    #[test]
    fn the_template_names_every_column_the_importer_knows() {
        let template = roster_template_example();
        let named: Vec<Option<Column>> = template
            .iter()
            .map(|(header, _)| Column::from_header(header))
            .collect();
        for column in Column::ALL {
            let expected = !LEFT_OUT.contains(&column);
            assert_eq!(named.contains(&Some(column)), expected, "{column:?}");
        }
        assert_eq!(named.len(), Column::ALL.len() - LEFT_OUT.len());
    }

    #[test]
    fn the_template_example_row_imports() {
        let bytes = roster_template_xlsx().unwrap();
        let checked = read_and_check(&bytes, "template.xlsx").unwrap();
        assert_eq!(checked.table.rows.len(), 1);
        let dir = crate::testing::data_dir();
        let mut db = OfficeDb::create(dir.path()).unwrap();
        let options = ImportOptions {
            dry_run: false,
            create_places: true,
        };
        let outcome = import_roster_bytes(&mut db, &bytes, "template.xlsx", options).unwrap();
        assert_eq!(outcome.summary.households, 1);
        assert_eq!(outcome.summary.people, 4);
        assert!(outcome.ignored_columns.is_empty());
    }
}
