//! Values that cross the interface: what a parameter binds and what a column holds, in
//! SQLite's five storage classes, which every PostgreSQL type the office uses maps onto.

use crate::{Error, Result};

/// An owned value of a column or parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A borrowed value of a column, as a row holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    /// UTF-8 text, as bytes (SQLite does not promise valid UTF-8).
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

impl Value {
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}

impl ValueRef<'_> {
    /// The name of the storage class, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueRef::Null => "NULL",
            ValueRef::Integer(_) => "INTEGER",
            ValueRef::Real(_) => "REAL",
            ValueRef::Text(_) => "TEXT",
            ValueRef::Blob(_) => "BLOB",
        }
    }

    pub fn to_owned(&self) -> Value {
        match *self {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }
}

/// Something that binds as a parameter.
pub trait ToSql {
    fn to_sql(&self) -> Result<Value>;
}

/// Why a column could not become the Rust type asked for.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FromSqlError {
    #[error("a {found} column cannot be read as {wanted}")]
    InvalidType {
        found: &'static str,
        wanted: &'static str,
    },
    #[error("{0} is out of range")]
    OutOfRange(i64),
    #[error("{0}")]
    Other(String),
}

/// Something a column can be read as.
pub trait FromSql: Sized {
    fn column_result(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError>;
}

fn invalid<T>(value: ValueRef<'_>, wanted: &'static str) -> std::result::Result<T, FromSqlError> {
    Err(FromSqlError::InvalidType {
        found: value.type_name(),
        wanted,
    })
}

macro_rules! integer_types {
    ($($t:ty),*) => {$(
        impl FromSql for $t {
            fn column_result(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
                match value {
                    ValueRef::Integer(i) => <$t>::try_from(i).map_err(|_| FromSqlError::OutOfRange(i)),
                    other => invalid(other, stringify!($t)),
                }
            }
        }
        impl ToSql for $t {
            fn to_sql(&self) -> Result<Value> {
                i64::try_from(*self)
                    .map(Value::Integer)
                    .map_err(|_| Error::ToSqlConversion(format!("{} does not fit in 64 bits", self)))
            }
        }
    )*};
}
integer_types!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl FromSql for f64 {
    fn column_result(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
        match value {
            ValueRef::Real(f) => Ok(f),
            // As SQLite's own conversion: a whole number is a number too.
            ValueRef::Integer(i) => Ok(i as f64),
            other => invalid(other, "f64"),
        }
    }
}

impl FromSql for bool {
    fn column_result(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
        match value {
            ValueRef::Integer(i) => Ok(i != 0),
            other => invalid(other, "bool"),
        }
    }
}

impl FromSql for String {
    fn column_result(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
        match value {
            ValueRef::Text(t) => String::from_utf8(t.to_vec())
                .map_err(|e| FromSqlError::Other(format!("text is not UTF-8: {e}"))),
            other => invalid(other, "String"),
        }
    }
}

impl FromSql for Vec<u8> {
    fn column_result(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
        match value {
            ValueRef::Blob(b) | ValueRef::Text(b) => Ok(b.to_vec()),
            other => invalid(other, "Vec<u8>"),
        }
    }
}

impl FromSql for Value {
    fn column_result(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
        Ok(value.to_owned())
    }
}

impl<T: FromSql> FromSql for Option<T> {
    fn column_result(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
        match value {
            ValueRef::Null => Ok(None),
            other => T::column_result(other).map(Some),
        }
    }
}

impl ToSql for f64 {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Real(*self))
    }
}

impl ToSql for bool {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Integer(i64::from(*self)))
    }
}

impl ToSql for str {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Text(self.to_string()))
    }
}

impl ToSql for String {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Text(self.clone()))
    }
}

impl ToSql for [u8] {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Blob(self.to_vec()))
    }
}

impl ToSql for Vec<u8> {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Blob(self.clone()))
    }
}

impl ToSql for Value {
    fn to_sql(&self) -> Result<Value> {
        Ok(self.clone())
    }
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_sql(&self) -> Result<Value> {
        (**self).to_sql()
    }
}

impl<T: ToSql> ToSql for Option<T> {
    fn to_sql(&self) -> Result<Value> {
        match self {
            None => Ok(Value::Null),
            Some(v) => v.to_sql(),
        }
    }
}

impl<T: ToSql + ?Sized> ToSql for Box<T> {
    fn to_sql(&self) -> Result<Value> {
        (**self).to_sql()
    }
}

impl<T: ToSql + ?Sized> ToSql for std::sync::Arc<T> {
    fn to_sql(&self) -> Result<Value> {
        (**self).to_sql()
    }
}

impl ToSql for std::borrow::Cow<'_, str> {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Text(self.to_string()))
    }
}

/// Parameters of a statement: `[]`, an array, `params![…]`, or [`params_from_iter`].
pub trait Params {
    fn values(self) -> Result<Vec<Value>>;
}

impl Params for &[&dyn ToSql] {
    fn values(self) -> Result<Vec<Value>> {
        self.iter().map(|p| p.to_sql()).collect()
    }
}

/// `[]`: no parameters (its own impl, so that the element type needs no naming).
impl Params for [&(dyn ToSql + Send + Sync); 0] {
    fn values(self) -> Result<Vec<Value>> {
        Ok(Vec::new())
    }
}

macro_rules! array_params {
    ($($n:literal)*) => {$(
        impl<T: ToSql> Params for [T; $n] {
            fn values(self) -> Result<Vec<Value>> {
                self.iter().map(ToSql::to_sql).collect()
            }
        }
        impl<T: ToSql> Params for &[T; $n] {
            fn values(self) -> Result<Vec<Value>> {
                self.iter().map(ToSql::to_sql).collect()
            }
        }
    )*};
}
array_params!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);

/// Parameters from an iterator, as `rusqlite::params_from_iter`.
pub struct ParamsFromIter<I>(I);

pub fn params_from_iter<I>(iter: I) -> ParamsFromIter<I>
where
    I: IntoIterator,
    I::Item: ToSql,
{
    ParamsFromIter(iter)
}

impl<I> Params for ParamsFromIter<I>
where
    I: IntoIterator,
    I::Item: ToSql,
{
    fn values(self) -> Result<Vec<Value>> {
        self.0.into_iter().map(|p| p.to_sql()).collect()
    }
}

/// `params![a, b]`: parameters of mixed types.
#[macro_export]
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::ToSql]
    };
    ($($param:expr),+ $(,)?) => {
        &[$(&$param as &dyn $crate::ToSql),+] as &[&dyn $crate::ToSql]
    };
}
