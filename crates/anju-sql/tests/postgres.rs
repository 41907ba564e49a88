//! The interface on a real PostgreSQL server (skipped without one outside CI).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use anju_sql::{Connection, OptionalExtension, params};

fn database() -> Option<Connection> {
    let server = anju_sql::testing::postgres_server()?;
    let url = anju_sql::testing::fresh_postgres_database(&server).unwrap();
    Some(Connection::connect_postgres(&url).unwrap())
}

#[test]
fn sqlite_dialect_runs_on_postgres() {
    let Some(mut conn) = database() else { return };
    conn.execute_batch(
        "CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT NOT NULL, x DOUBLE PRECISION, flag BIGINT NOT NULL DEFAULT 0);
         CREATE FUNCTION anju_json_each(doc TEXT) RETURNS TABLE (value TEXT) LANGUAGE sql IMMUTABLE STRICT
             AS $$ SELECT json_array_elements_text(doc::json) $$;",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    for (i, id) in ["a", "b", "c"].iter().enumerate() {
        tx.execute(
            "INSERT INTO t (id, n, x) VALUES (?1, ?2, ?3)",
            params![id, i as u32, 1.5 * i as f64],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    let township: Option<String> = None;
    let count: i64 = conn
        .query_row(
            "SELECT count(*) FROM t WHERE (?1 IS NULL OR id = ?1)",
            params![township],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(count, 3);
    let sum: i64 = conn
        .query_row("SELECT sum(n) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sum, 3);
    let names: Vec<String> = conn
        .prepare(
            "SELECT group_concat(id, ',') FROM t WHERE id IN (SELECT value FROM json_each(?1))",
        )
        .unwrap()
        .query_map(["[\"a\",\"c\"]"], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(names, vec!["a,c".to_string()]);
    let none: Option<i64> = conn
        .query_row("SELECT n FROM t WHERE id = ?", ["zz"], |r| r.get(0))
        .optional()
        .unwrap();
    assert_eq!(none, None);
}
