//! Connections, statements and transactions over either database.

use crate::pg::PgConnection;
use crate::row::{MappedRows, OwnedRow, Row, Rows, RowsInner};
use crate::value::{Params, Value};
use crate::{Backend, Error, Result};

/// A connection to the office's database.
pub struct Connection {
    inner: Inner,
}

enum Inner {
    Sqlite(rusqlite::Connection),
    Postgres(PgConnection),
}

/// How a transaction starts. On SQLite as its `BEGIN` kinds; on PostgreSQL every
/// transaction takes the office's write lock (see the crate's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionBehavior {
    Deferred,
    Immediate,
    Exclusive,
}

fn sqlite_values(values: Vec<Value>) -> Vec<rusqlite::types::Value> {
    values
        .into_iter()
        .map(|v| match v {
            Value::Null => rusqlite::types::Value::Null,
            Value::Integer(i) => rusqlite::types::Value::Integer(i),
            Value::Real(f) => rusqlite::types::Value::Real(f),
            Value::Text(s) => rusqlite::types::Value::Text(s),
            Value::Blob(b) => rusqlite::types::Value::Blob(b),
        })
        .collect()
}

impl Connection {
    /// A SQLite connection opened (with its pragmas and migrations) by the caller.
    pub fn from_sqlite(conn: rusqlite::Connection) -> Self {
        Self {
            inner: Inner::Sqlite(conn),
        }
    }

    /// A SQLite database in memory, for tests.
    pub fn open_in_memory() -> Result<Self> {
        Ok(Self::from_sqlite(rusqlite::Connection::open_in_memory()?))
    }

    /// Connect to PostgreSQL at a `postgres://user@host:port/db` URL.
    pub fn connect_postgres(url: &str) -> Result<Self> {
        Ok(Self {
            inner: Inner::Postgres(PgConnection::connect(url)?),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    /// The SQLite connection underneath, for SQLite's own maintenance (migrations,
    /// `PRAGMA integrity_check`, backups); `None` on PostgreSQL.
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.inner {
            Inner::Sqlite(c) => Some(c),
            Inner::Postgres(_) => None,
        }
    }

    pub fn sqlite_mut(&mut self) -> Option<&mut rusqlite::Connection> {
        match &mut self.inner {
            Inner::Sqlite(c) => Some(c),
            Inner::Postgres(_) => None,
        }
    }

    /// Which database this is, for caches kept per database: SQLite's file, or
    /// PostgreSQL's server and database; `None` for a database in memory.
    pub fn location(&self) -> Option<String> {
        match &self.inner {
            Inner::Sqlite(c) => c.path().filter(|p| !p.is_empty()).map(str::to_string),
            Inner::Postgres(c) => Some(c.location().to_string()),
        }
    }

    /// Whether the connection can still be used (a PostgreSQL server may have closed it).
    pub fn is_usable(&self) -> bool {
        match &self.inner {
            Inner::Sqlite(_) => true,
            Inner::Postgres(c) => !c.is_closed(),
        }
    }

    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.prepare(sql)?.execute(params)
    }

    /// Statements without parameters, separated by `;`, run as they are (not translated).
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.inner {
            Inner::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Inner::Postgres(c) => c.batch_execute(sql),
        }
    }

    pub fn query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        self.prepare(sql)?.query_row(params, f)
    }

    /// A statement prepared once per connection and kept for the next time.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(Statement {
            inner: match &self.inner {
                Inner::Sqlite(c) => StatementInner::SqliteCached(c.prepare_cached(sql)?),
                Inner::Postgres(c) => StatementInner::Postgres {
                    conn: c,
                    statement: c.prepare(sql)?,
                },
            },
        })
    }

    /// A statement for this use (SQL built at run time, which a cache would only fill).
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(Statement {
            inner: match &self.inner {
                Inner::Sqlite(c) => StatementInner::Sqlite(c.prepare(sql)?),
                Inner::Postgres(c) => StatementInner::Postgres {
                    conn: c,
                    statement: c.prepare(sql)?,
                },
            },
        })
    }

    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        self.transaction_with_behavior(TransactionBehavior::Deferred)
    }

    pub fn transaction_with_behavior(
        &mut self,
        behavior: TransactionBehavior,
    ) -> Result<Transaction<'_>> {
        match &self.inner {
            Inner::Sqlite(c) => c.execute_batch(match behavior {
                TransactionBehavior::Deferred => "BEGIN DEFERRED",
                TransactionBehavior::Immediate => "BEGIN IMMEDIATE",
                TransactionBehavior::Exclusive => "BEGIN EXCLUSIVE",
            })?,
            Inner::Postgres(c) => c.begin_write()?,
        }
        Ok(Transaction {
            conn: self,
            finished: false,
        })
    }
}

/// A transaction: rolled back when dropped without [`Transaction::commit`].
pub struct Transaction<'c> {
    conn: &'c mut Connection,
    finished: bool,
}

impl Transaction<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.finished = true;
        self.conn.end_transaction("COMMIT")
    }

    pub fn rollback(mut self) -> Result<()> {
        self.finished = true;
        self.conn.end_transaction("ROLLBACK")
    }
}

impl Connection {
    fn end_transaction(&self, sql: &str) -> Result<()> {
        match &self.inner {
            Inner::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Inner::Postgres(c) => c.end_transaction(sql),
        }
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.finished {
            // Nothing to tell anyone: the work is undone either way, and a connection
            // whose rollback failed is found unusable by its pool.
            let _ = self.conn.end_transaction("ROLLBACK");
        }
    }
}

/// A prepared statement.
pub struct Statement<'c> {
    inner: StatementInner<'c>,
}

enum StatementInner<'c> {
    SqliteCached(rusqlite::CachedStatement<'c>),
    Sqlite(rusqlite::Statement<'c>),
    Postgres {
        conn: &'c PgConnection,
        statement: crate::pg::PgStatement,
    },
}

impl<'c> Statement<'c> {
    fn sqlite(&mut self) -> Option<&mut rusqlite::Statement<'c>> {
        match &mut self.inner {
            StatementInner::SqliteCached(s) => Some(s),
            StatementInner::Sqlite(s) => Some(s),
            StatementInner::Postgres { .. } => None,
        }
    }

    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        let values = params.values()?;
        if let Some(s) = self.sqlite() {
            return Ok(s.execute(rusqlite::params_from_iter(sqlite_values(values)))?);
        }
        match &self.inner {
            StatementInner::Postgres { conn, statement } => conn.execute(statement, &values),
            _ => unreachable_backend(),
        }
    }

    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows<'_>> {
        let values = params.values()?;
        let inner = match &mut self.inner {
            StatementInner::SqliteCached(s) => {
                RowsInner::Sqlite(s.query(rusqlite::params_from_iter(sqlite_values(values)))?)
            }
            StatementInner::Sqlite(s) => {
                RowsInner::Sqlite(s.query(rusqlite::params_from_iter(sqlite_values(values)))?)
            }
            StatementInner::Postgres { conn, statement } => {
                let rows: Vec<OwnedRow> = conn.query(statement, &values)?;
                RowsInner::Owned {
                    rows: rows.into_iter(),
                    current: None,
                }
            }
        };
        Ok(Rows { inner })
    }

    pub fn query_map<T, P, F>(&mut self, params: P, f: F) -> Result<MappedRows<'_, F>>
    where
        P: Params,
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        Ok(MappedRows {
            rows: self.query(params)?,
            map: f,
        })
    }

    pub fn query_row<T, P, F>(&mut self, params: P, f: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(row) => f(&row),
            None => Err(Error::QueryReturnedNoRows),
        }
    }

    pub fn exists<P: Params>(&mut self, params: P) -> Result<bool> {
        Ok(self.query(params)?.next()?.is_some())
    }

    pub fn column_names(&self) -> Vec<&str> {
        match &self.inner {
            StatementInner::SqliteCached(s) => s.column_names(),
            StatementInner::Sqlite(s) => s.column_names(),
            StatementInner::Postgres { statement, .. } => statement.column_names(),
        }
    }

    pub fn column_count(&self) -> usize {
        self.column_names().len()
    }
}

fn unreachable_backend<T>() -> Result<T> {
    Err(Error::Database {
        backend: Backend::Sqlite,
        code: None,
        message: "statement of an unknown kind".into(),
    })
}
