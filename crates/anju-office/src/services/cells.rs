//! Rows read cell by cell as text, whatever SQLite holds in them, and checked afterwards:
//! a damaged row becomes one reason naming the cell that is wrong, and the rest of a list
//! still loads.

use std::ops::Range;

use anju_sql::Row;
use anju_sql::ValueRef;

/// A cell as text whatever SQLite stored in it: a damaged row is read as far as it goes.
pub(crate) fn cell(row: &Row<'_>, index: usize) -> Option<String> {
    match row.get_ref(index).ok()? {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(_) => Some("(binary)".into()),
    }
}

/// The cells of one row (or of some of its columns), before they are checked. A failed
/// check is a reason in words: the caller says which record it is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Cells(Vec<Option<String>>);

impl Cells {
    /// The cells of `columns` of `row`, numbered from 0 for the first of them.
    pub fn read(row: &Row<'_>, columns: Range<usize>) -> Self {
        Self(columns.map(|i| cell(row, i)).collect())
    }

    pub fn get(&self, index: usize) -> Option<String> {
        self.0.get(index).cloned().flatten()
    }

    /// SQLite's true.
    pub fn flag(&self, index: usize) -> bool {
        self.0.get(index).is_some_and(|c| c.as_deref() == Some("1"))
    }

    /// The first cell, the record's id by convention, or `?` when even that is missing.
    pub fn id(&self) -> String {
        self.get(0).unwrap_or_else(|| "?".into())
    }

    /// A cell that must hold something.
    pub fn text(&self, index: usize, what: &str) -> Result<String, String> {
        self.get(index).ok_or_else(|| format!("{what} is empty"))
    }

    /// A cell that must hold something `parse` reads.
    pub fn parse<T>(
        &self,
        index: usize,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, String> {
        let text = self.text(index, what)?;
        parse(&text).ok_or_else(|| format!("{what}: '{text}' cannot be read"))
    }

    /// A cell that may be empty; when it is not, `parse` must read it.
    pub fn parse_optional<T>(
        &self,
        index: usize,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, String> {
        match self.get(index) {
            None => Ok(None),
            Some(text) => parse(&text)
                .map(Some)
                .ok_or_else(|| format!("{what}: '{text}' cannot be read")),
        }
    }
}

/// A time as the office writes it (RFC 3339).
pub(crate) fn stored_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells_of(sql: &str) -> Cells {
        let conn = anju_sql::Connection::open_in_memory().unwrap();
        conn.query_row(sql, [], |r| Ok(Cells::read(r, 0..4)))
            .unwrap()
    }

    #[test]
    fn any_stored_value_reads_and_a_bad_one_is_named() {
        let cells = cells_of("SELECT 'a1', 7, NULL, x'00ff'");
        assert_eq!(cells.id(), "a1");
        assert_eq!(cells.parse(1, "size", |t| t.parse::<u32>().ok()), Ok(7));
        assert_eq!(cells.text(2, "name"), Err("name is empty".into()));
        assert_eq!(cells.parse_optional(2, "verdict", |_| Some(1)), Ok(None));
        assert_eq!(
            cells.parse(3, "deadline", |t| t.parse::<chrono::NaiveDate>().ok()),
            Err("deadline: '(binary)' cannot be read".into())
        );
        assert!(!cells.flag(1) && cells_of("SELECT 1, 1, 1, 1").flag(3));
        assert_eq!(cells_of("SELECT NULL, 1, 1, 1").id(), "?");
    }
}
