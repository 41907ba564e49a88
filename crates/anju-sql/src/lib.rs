//! One SQL interface over SQLite and PostgreSQL, so that the office's storage code is
//! written once and runs on either.
//!
//! The shape is rusqlite's (connections, statements, rows, `params!`, `optional()`), which
//! the office was written against, so that the office's SQL moved over unchanged; but no
//! driver type appears in a signature or an error. SQLite statements run through rusqlite
//! as before; on PostgreSQL the SQLite dialect is translated ([`dialect`]), values are
//! converted by the statement's declared types ([`Value`]), and every transaction takes
//! one transaction-scoped advisory lock, so that write transactions of all office
//! processes follow one another as SQLite's writers do: what SQLite promised about order
//! (a sync sequence value taken in a transaction is committed before the next is taken)
//! holds on PostgreSQL with several writers too.

mod connection;
pub mod dialect;
mod pg;
mod row;
pub mod testing;
mod value;

pub use connection::{Connection, Statement, Transaction, TransactionBehavior};
pub use pg::{PgMigration, migrate_postgres};
pub use row::{MappedRows, Row, RowIndex, Rows};
pub use value::{
    FromSql, FromSqlError, Params, ParamsFromIter, ToSql, Value, ValueRef, params_from_iter,
};

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What went wrong, without the driver's types.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("查询没有结果 / the query returned no rows")]
    QueryReturnedNoRows,
    #[error("没有第 {0} 列 / there is no column {0}")]
    InvalidColumnIndex(usize),
    #[error("没有名为 {0} 的列 / there is no column named {0}")]
    InvalidColumnName(String),
    #[error("第 {index} 列无法读取 / column {index} cannot be read: {source}")]
    FromSql { index: usize, source: FromSqlError },
    #[error("参数无法绑定 / a parameter cannot be bound: {0}")]
    ToSqlConversion(String),
    /// A constraint or a trigger refused the change (unique, check, foreign key, an
    /// immutable table).
    #[error("数据库拒绝了这次修改 / the database refused the change: {0}")]
    Constraint(String),
    /// The database was busy or the transaction could not be serialised; worth a retry.
    #[error("数据库忙 / the database is busy: {0}")]
    Busy(String),
    #[error("{backend:?} 数据库错误 / {backend:?} database error: {message}")]
    Database {
        backend: Backend,
        /// SQLite's extended code or PostgreSQL's SQLSTATE, when there is one.
        code: Option<String>,
        message: String,
    },
    #[error("无法连接数据库 / cannot connect to the database: {0}")]
    Connect(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `.optional()` on a single-row result: no row is `None`, as rusqlite's.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match error {
            rusqlite::Error::QueryReturnedNoRows => Error::QueryReturnedNoRows,
            rusqlite::Error::InvalidColumnIndex(i) => Error::InvalidColumnIndex(i),
            rusqlite::Error::InvalidColumnName(n) => Error::InvalidColumnName(n),
            rusqlite::Error::SqliteFailure(e, message) => {
                let message = message.unwrap_or_else(|| e.to_string());
                match e.code {
                    ErrorCode::ConstraintViolation => Error::Constraint(message),
                    ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Error::Busy(message),
                    _ => Error::Database {
                        backend: Backend::Sqlite,
                        code: Some(e.extended_code.to_string()),
                        message,
                    },
                }
            }
            other => Error::Database {
                backend: Backend::Sqlite,
                code: None,
                message: other.to_string(),
            },
        }
    }
}
