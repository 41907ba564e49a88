//! Rows of a result: read in place from SQLite, owned when they come from PostgreSQL.

use std::sync::Arc;

use crate::value::{FromSql, Value, ValueRef};
use crate::{Error, Result};

/// A row PostgreSQL returned, converted to [`Value`]s.
#[derive(Debug, Clone)]
pub(crate) struct OwnedRow {
    pub(crate) values: Vec<Value>,
    pub(crate) columns: Arc<[String]>,
}

/// One row of a result.
pub struct Row<'a> {
    inner: RowInner<'a>,
}

enum RowInner<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Owned(&'a OwnedRow),
}

/// A column by position or by name.
pub trait RowIndex {
    fn index(&self, row: &Row<'_>) -> Result<usize>;
}

impl RowIndex for usize {
    fn index(&self, row: &Row<'_>) -> Result<usize> {
        if *self < row.column_count() {
            Ok(*self)
        } else {
            Err(Error::InvalidColumnIndex(*self))
        }
    }
}

impl RowIndex for &str {
    fn index(&self, row: &Row<'_>) -> Result<usize> {
        match &row.inner {
            RowInner::Sqlite(r) => r
                .as_ref()
                .column_index(self)
                .map_err(|_| Error::InvalidColumnName(self.to_string())),
            RowInner::Owned(r) => r
                .columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(self))
                .ok_or_else(|| Error::InvalidColumnName(self.to_string())),
        }
    }
}

impl<'a> Row<'a> {
    pub(crate) fn sqlite(row: &'a rusqlite::Row<'a>) -> Self {
        Self {
            inner: RowInner::Sqlite(row),
        }
    }

    pub(crate) fn owned(row: &'a OwnedRow) -> Self {
        Self {
            inner: RowInner::Owned(row),
        }
    }

    pub fn column_count(&self) -> usize {
        match &self.inner {
            RowInner::Sqlite(r) => r.as_ref().column_count(),
            RowInner::Owned(r) => r.values.len(),
        }
    }

    /// The value of a column as it is stored.
    pub fn get_ref<I: RowIndex>(&self, index: I) -> Result<ValueRef<'_>> {
        let i = index.index(self)?;
        match &self.inner {
            RowInner::Sqlite(r) => Ok(match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => ValueRef::Null,
                rusqlite::types::ValueRef::Integer(v) => ValueRef::Integer(v),
                rusqlite::types::ValueRef::Real(v) => ValueRef::Real(v),
                rusqlite::types::ValueRef::Text(v) => ValueRef::Text(v),
                rusqlite::types::ValueRef::Blob(v) => ValueRef::Blob(v),
            }),
            RowInner::Owned(r) => r
                .values
                .get(i)
                .map(Value::as_ref)
                .ok_or(Error::InvalidColumnIndex(i)),
        }
    }

    /// A column as `T`.
    pub fn get<I: RowIndex, T: FromSql>(&self, index: I) -> Result<T> {
        let i = index.index(self)?;
        let value = self.get_ref(i)?;
        T::column_result(value).map_err(|source| Error::FromSql { index: i, source })
    }
}

/// Rows of a query, read one at a time.
pub struct Rows<'s> {
    pub(crate) inner: RowsInner<'s>,
}

pub(crate) enum RowsInner<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Owned {
        rows: std::vec::IntoIter<OwnedRow>,
        current: Option<OwnedRow>,
    },
}

impl Rows<'_> {
    /// The next row, or `None` after the last (a lending iterator, as rusqlite's `Rows`).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match &mut self.inner {
            RowsInner::Sqlite(rows) => Ok(rows.next()?.map(Row::sqlite)),
            RowsInner::Owned { rows, current } => {
                *current = rows.next();
                Ok(current.as_ref().map(Row::owned))
            }
        }
    }
}

/// Rows mapped through a function, as an iterator of results.
pub struct MappedRows<'s, F> {
    pub(crate) rows: Rows<'s>,
    pub(crate) map: F,
}

impl<T, F> Iterator for MappedRows<'_, F>
where
    F: FnMut(&Row<'_>) -> Result<T>,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        let map = &mut self.map;
        match self.rows.next() {
            Ok(Some(row)) => Some(map(&row)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}
