//! PostgreSQL underneath the interface: statements translated and cached per connection,
//! values converted by the types PostgreSQL declared for each parameter and column, the
//! write lock every transaction takes, and the migration runner.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, mpsc};

use bytes::{BufMut, BytesMut};
use postgres::types::{FromSql as PgFromSql, IsNull, ToSql as PgToSql, Type, to_sql_checked};
use postgres::{Client, NoTls};
use sha2::{Digest, Sha256};

use crate::row::OwnedRow;
use crate::value::Value;
use crate::{Backend, Error, Result};

/// The advisory lock every office transaction holds until it ends: the office's writes
/// follow one another, whichever process makes them, as on SQLite.
const WRITE_LOCK: i64 = 0x616e_6a75_0001;
/// Held while migrations run, so that offices started together migrate once.
const MIGRATION_LOCK: i64 = 0x616e_6a75_0002;
/// The types tried, in order, for a parameter PostgreSQL cannot type by itself.
const PARAMETER_TYPES: [&str; 3] = ["text", "bigint", "double precision"];
/// Statements kept per connection before the cache starts again.
const MAX_CACHED_STATEMENTS: usize = 512;

/// A PostgreSQL connection. Its client lives on a thread of its own, which runs one job at
/// a time for whoever holds the connection: the synchronous client cannot run on a thread
/// that drives async tasks (the office's handlers and tests do), and a job sent across is
/// a few microseconds beside the server's round trip.
pub(crate) struct PgConnection {
    jobs: mpsc::Sender<Job>,
    /// `postgres://host:port/dbname`, without the user and password.
    location: String,
    statements: RefCell<HashMap<String, PgStatement>>,
    /// A transaction is open: a statement that fails to prepare would abort it, so a
    /// prepare that may fail runs under a savepoint.
    in_transaction: std::cell::Cell<bool>,
}

type Job = Box<dyn FnOnce(&mut Client) + Send>;

#[derive(Clone)]
pub(crate) struct PgStatement {
    statement: postgres::Statement,
    columns: Arc<[String]>,
}

impl PgStatement {
    pub(crate) fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(String::as_str).collect()
    }
}

impl From<postgres::Error> for Error {
    fn from(error: postgres::Error) -> Self {
        let Some(db) = error.as_db_error() else {
            return Error::Database {
                backend: Backend::Postgres,
                code: None,
                message: error.to_string(),
            };
        };
        let code = db.code().code().to_string();
        let message = db.message().to_string();
        match &code[..2] {
            // integrity_constraint_violation, and RAISE from the immutability triggers.
            "23" => Error::Constraint(message),
            _ if code == "P0001" => Error::Constraint(message),
            // serialization_failure, deadlock_detected, lock_not_available
            "40" | "55" => Error::Busy(message),
            _ => Error::Database {
                backend: Backend::Postgres,
                code: Some(code),
                message,
            },
        }
    }
}

impl PgConnection {
    pub(crate) fn connect(url: &str) -> Result<Self> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| Error::Connect(e.to_string()))?;
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let location = format!(
            "postgres://{host}:{port}/{}",
            config.get_dbname().unwrap_or_default()
        );
        let (jobs, incoming) = mpsc::channel::<Job>();
        let (ready, connected) = mpsc::sync_channel::<std::result::Result<(), String>>(1);
        let described = location.clone();
        std::thread::Builder::new()
            .name("anju-postgres".into())
            .spawn(move || {
                let mut client = match config.connect(NoTls) {
                    Ok(client) => {
                        let _ = ready.send(Ok(()));
                        client
                    }
                    Err(e) => {
                        let _ = ready.send(Err(format!("{described}: {e}")));
                        return;
                    }
                };
                // Ends when the connection is dropped (its sender with it).
                for job in incoming {
                    job(&mut client);
                }
            })
            .map_err(|e| Error::Connect(e.to_string()))?;
        connected
            .recv()
            .map_err(|e| Error::Connect(e.to_string()))?
            .map_err(Error::Connect)?;
        Ok(Self {
            jobs,
            location,
            statements: RefCell::new(HashMap::new()),
            in_transaction: std::cell::Cell::new(false),
        })
    }

    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    /// Run `job` with the client, on its thread.
    fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Client) -> T + Send + 'static,
    ) -> Result<T> {
        let (answer, answered) = mpsc::sync_channel(1);
        let gone = || Error::Database {
            backend: Backend::Postgres,
            code: None,
            message: "the connection's thread has stopped".into(),
        };
        self.jobs
            .send(Box::new(move |client| {
                let _ = answer.send(job(client));
            }))
            .map_err(|_| gone())?;
        answered.recv().map_err(|_| gone())
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.run(|c| c.is_closed()).unwrap_or(true)
    }

    pub(crate) fn batch_execute(&self, sql: &str) -> Result<()> {
        let sql = sql.to_string();
        Ok(self.run(move |c| c.batch_execute(&sql))??)
    }

    pub(crate) fn prepare(&self, sql: &str) -> Result<PgStatement> {
        if let Some(found) = self.statements.borrow().get(sql) {
            return Ok(found.clone());
        }
        let translated = crate::dialect::to_postgres(sql);
        let statement = self.prepare_typing_parameters(translated)?;
        let columns: Arc<[String]> = statement
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let prepared = PgStatement { statement, columns };
        let mut cache = self.statements.borrow_mut();
        if cache.len() >= MAX_CACHED_STATEMENTS {
            cache.clear();
        }
        cache.insert(sql.to_string(), prepared.clone());
        Ok(prepared)
    }

    /// Prepare `sql`. A parameter used only as `?1 IS NULL` (and compared elsewhere in a
    /// way PostgreSQL types late) has no type PostgreSQL can infer, where SQLite needs none:
    /// such a parameter is given the first type of [`PARAMETER_TYPES`] that prepares.
    fn prepare_typing_parameters(&self, mut sql: String) -> Result<postgres::Statement> {
        let mut error = match self.try_prepare(&sql)? {
            Ok(statement) => return Ok(statement),
            Err(e) => e,
        };
        for _ in 0..32 {
            let Some(n) = untyped_parameter(&error) else {
                break;
            };
            let mut progressed = false;
            for type_name in PARAMETER_TYPES {
                let attempt = crate::dialect::cast_parameter(&sql, n, type_name);
                match self.try_prepare(&attempt)? {
                    Ok(statement) => return Ok(statement),
                    Err(e) if untyped_parameter(&e).is_some_and(|m| m != n) => {
                        sql = attempt;
                        error = e;
                        progressed = true;
                        break;
                    }
                    Err(e) => error = e,
                }
            }
            if !progressed {
                break;
            }
        }
        if std::env::var_os("ANJU_SQL_DEBUG").is_some() {
            eprintln!("anju-sql: cannot prepare {sql}: {error:?}");
        }
        Err(error.into())
    }

    /// One try at preparing: the outer error is the connection's, the inner PostgreSQL's
    /// answer. Inside a transaction a failed prepare would abort it, so it runs under a
    /// savepoint there.
    fn try_prepare(
        &self,
        sql: &str,
    ) -> Result<std::result::Result<postgres::Statement, postgres::Error>> {
        let text = sql.to_string();
        let guarded = self.in_transaction.get();
        self.run(move |c| {
            if !guarded {
                return c.prepare(&text);
            }
            c.batch_execute("SAVEPOINT anju_prepare")?;
            match c.prepare(&text) {
                Ok(statement) => {
                    c.batch_execute("RELEASE SAVEPOINT anju_prepare")?;
                    Ok(statement)
                }
                Err(e) => {
                    c.batch_execute("ROLLBACK TO SAVEPOINT anju_prepare")?;
                    Err(e)
                }
            }
        })
    }

    pub(crate) fn begin_write(&self) -> Result<()> {
        self.batch_execute(&format!(
            "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
        ))?;
        self.in_transaction.set(true);
        Ok(())
    }

    /// `COMMIT` or `ROLLBACK`.
    pub(crate) fn end_transaction(&self, sql: &str) -> Result<()> {
        self.in_transaction.set(false);
        self.batch_execute(sql)
    }

    pub(crate) fn execute(&self, statement: &PgStatement, values: &[Value]) -> Result<usize> {
        let statement = statement.statement.clone();
        let values = values.to_vec();
        let changed = self.run(move |client| {
            let params: Vec<PgParam<'_>> = values.iter().map(PgParam).collect();
            let refs: Vec<&(dyn PgToSql + Sync)> =
                params.iter().map(|p| p as &(dyn PgToSql + Sync)).collect();
            client
                .execute(&statement, &refs)
                .inspect_err(|e| debug_failure(e, &statement))
        })??;
        Ok(usize::try_from(changed).unwrap_or(usize::MAX))
    }

    pub(crate) fn query(&self, statement: &PgStatement, values: &[Value]) -> Result<Vec<OwnedRow>> {
        let prepared = statement.statement.clone();
        let values = values.to_vec();
        let rows = self.run(move |client| {
            let params: Vec<PgParam<'_>> = values.iter().map(PgParam).collect();
            let refs: Vec<&(dyn PgToSql + Sync)> =
                params.iter().map(|p| p as &(dyn PgToSql + Sync)).collect();
            let rows = client
                .query(&prepared, &refs)
                .inspect_err(|e| debug_failure(e, &prepared))?;
            rows.iter()
                .map(|row| {
                    (0..row.len())
                        .map(|i| row.try_get::<_, PgValue>(i).map(|v| v.0))
                        .collect::<std::result::Result<Vec<_>, _>>()
                })
                .collect::<std::result::Result<Vec<_>, postgres::Error>>()
        })??;
        Ok(rows
            .into_iter()
            .map(|values| OwnedRow {
                values,
                columns: Arc::clone(&statement.columns),
            })
            .collect())
    }
}

/// With `ANJU_SQL_DEBUG` set, a failed statement is printed with its error (for finding
/// where PostgreSQL and SQLite part ways).
fn debug_failure(error: &postgres::Error, _statement: &postgres::Statement) {
    if std::env::var_os("ANJU_SQL_DEBUG").is_some() {
        eprintln!("anju-sql: PostgreSQL refused a statement: {error:?}");
    }
}

/// The parameter PostgreSQL could not give a type, from its error.
fn untyped_parameter(error: &postgres::Error) -> Option<u32> {
    let db = error.as_db_error()?;
    if !matches!(db.code().code(), "42P18" | "42P08") {
        return None;
    }
    let message = db.message();
    let at = message.find('$')?;
    let digits: String = message[at + 1..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

/// A parameter, written as the type PostgreSQL inferred for its place.
#[derive(Debug)]
struct PgParam<'a>(&'a Value);

fn is_text(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
    )
}

impl PgToSql for PgParam<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::FLOAT4 => (*i as f32).to_sql(ty, out),
                ref t if is_text(t) => i.to_string().to_sql(ty, out),
                _ => Err(format!("an integer cannot be bound to a {ty} parameter").into()),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                ref t if is_text(t) => f.to_string().to_sql(ty, out),
                _ => Err(format!("a number cannot be bound to a {ty} parameter").into()),
            },
            Value::Text(s) => match *ty {
                Type::JSON => {
                    out.put_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                Type::JSONB => {
                    out.put_u8(1);
                    out.put_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                Type::INT8 => s.trim().parse::<i64>()?.to_sql(ty, out),
                Type::INT4 => s.trim().parse::<i32>()?.to_sql(ty, out),
                Type::FLOAT8 => s.trim().parse::<f64>()?.to_sql(ty, out),
                Type::BYTEA => s.as_bytes().to_sql(ty, out),
                _ => s.as_str().to_sql(&Type::TEXT, out),
            },
            Value::Blob(b) => match *ty {
                Type::BYTEA => b.as_slice().to_sql(ty, out),
                ref t if is_text(t) => std::str::from_utf8(b)?.to_sql(ty, out),
                _ => Err(format!("bytes cannot be bound to a {ty} parameter").into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A column, read by the type PostgreSQL declared for it.
struct PgValue(Value);

impl<'a> PgFromSql<'a> for PgValue {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(PgValue(match *ty {
            Type::BOOL => Value::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::INT2 => Value::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => Value::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::OID => Value::Integer(i64::from(u32::from_sql(ty, raw)?)),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::JSONB => Value::Text(String::from_utf8(raw.get(1..).unwrap_or(&[]).to_vec())?),
            _ => Value::Text(String::from_utf8(raw.to_vec())?),
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(PgValue(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// PostgreSQL's binary NUMERIC (what `sum` of integers answers): a whole number that
/// fits is an integer, anything else a float.
fn numeric(raw: &[u8]) -> std::result::Result<Value, BoxError> {
    let word = |i: usize| -> std::result::Result<u16, BoxError> {
        raw.get(i..i + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a NUMERIC value is cut short".into())
    };
    let digits = word(0)? as usize;
    let weight = word(2)? as i16;
    let sign = word(4)?;
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let negative = sign == 0x4000;
    let mut whole: Option<i128> = Some(0);
    let mut float = 0f64;
    for k in 0..digits {
        let digit = word(8 + 2 * k)?;
        let power = i32::from(weight) - k as i32;
        float += f64::from(digit) * 10000f64.powi(power);
        whole = match (whole, power) {
            (Some(w), p) if p >= 0 => 10000i128
                .checked_pow(p as u32)
                .and_then(|m| m.checked_mul(i128::from(digit)))
                .and_then(|v| w.checked_add(v)),
            (Some(w), _) if digit == 0 => Some(w),
            _ => None,
        };
    }
    let signed = |v: i128| if negative { -v } else { v };
    match whole.map(signed).and_then(|v| i64::try_from(v).ok()) {
        Some(i) => Ok(Value::Integer(i)),
        None => Ok(Value::Real(if negative { -float } else { float })),
    }
}

/// A migration of the PostgreSQL schema.
#[derive(Debug, Clone, Copy)]
pub struct PgMigration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Apply the migrations not yet applied, all in one transaction under a lock (offices
/// started together migrate once); a landed migration whose text changed is refused.
pub fn migrate_postgres(conn: &mut crate::Connection, migrations: &[PgMigration]) -> Result<()> {
    if conn.backend() != Backend::Postgres {
        return Err(Error::Database {
            backend: conn.backend(),
            code: None,
            message: "PostgreSQL migrations run on PostgreSQL only".into(),
        });
    }
    conn.execute_batch(&format!(
        "BEGIN; SELECT pg_advisory_xact_lock({MIGRATION_LOCK});
         CREATE TABLE IF NOT EXISTS schema_migrations (
             version    BIGINT PRIMARY KEY,
             name       TEXT NOT NULL,
             checksum   TEXT NOT NULL,
             applied_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
         );"
    ))?;
    let outcome = (|| -> Result<()> {
        for migration in migrations {
            let checksum = hex_sha256(migration.sql);
            let applied: Option<String> = {
                let mut stmt =
                    conn.prepare("SELECT checksum FROM schema_migrations WHERE version = ?1")?;
                let mut rows = stmt.query([i64::from(migration.version)])?;
                match rows.next()? {
                    Some(row) => Some(row.get(0)?),
                    None => None,
                }
            };
            match applied {
                Some(found) if found == checksum => {}
                Some(_) => {
                    return Err(Error::Database {
                        backend: Backend::Postgres,
                        code: None,
                        message: format!(
                            "迁移 {:04}_{} 在应用后被修改 / migration {:04}_{} was changed after it was applied",
                            migration.version, migration.name, migration.version, migration.name
                        ),
                    });
                }
                None => {
                    conn.execute_batch(migration.sql)?;
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (?1, ?2, ?3)",
                        crate::params![i64::from(migration.version), migration.name, checksum],
                    )?;
                }
            }
        }
        Ok(())
    })();
    match outcome {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(digits: &[u16], weight: i16, sign: u16, scale: u16) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend((digits.len() as u16).to_be_bytes());
        out.extend(weight.to_be_bytes());
        out.extend(sign.to_be_bytes());
        out.extend(scale.to_be_bytes());
        for d in digits {
            out.extend(d.to_be_bytes());
        }
        out
    }

    #[test]
    fn numeric_sums_read_as_integers_or_floats() {
        // 12345678 = 1234|5678, weight 1
        assert_eq!(
            numeric(&encode(&[1234, 5678], 1, 0, 0)).unwrap(),
            Value::Integer(12_345_678)
        );
        assert_eq!(
            numeric(&encode(&[7], 0, 0x4000, 0)).unwrap(),
            Value::Integer(-7)
        );
        // 10000 = digit 1 at weight 1, trailing zero digits dropped.
        assert_eq!(
            numeric(&encode(&[1], 1, 0, 0)).unwrap(),
            Value::Integer(10_000)
        );
        assert_eq!(numeric(&encode(&[], 0, 0, 0)).unwrap(), Value::Integer(0));
        // 2.5 = 2 . 5000
        assert_eq!(
            numeric(&encode(&[2, 5000], 0, 0, 1)).unwrap(),
            Value::Real(2.5)
        );
        assert!(numeric(&[0, 1]).is_err());
    }
}
