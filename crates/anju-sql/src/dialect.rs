//! The office writes its SQL once, in the SQLite dialect it grew up with; for PostgreSQL
//! the few differences are translated here, outside string literals and quoted names:
//! - parameters `?1`, `?` become `$1`, `$n`;
//! - `json_each(?)` over a JSON array and `json_extract(doc, '$.a.b')` call functions of
//!   the same meaning that the PostgreSQL schema defines (`anju_json_each`,
//!   `anju_json_extract`);
//! - `group_concat(x, sep)` is `string_agg(x, sep)`, `ifnull` is `coalesce`;
//! - `REAL` (in a `CAST`) is `DOUBLE PRECISION` and `INTEGER` is `BIGINT`, PostgreSQL's
//!   own `real` being a 4-byte float;
//! - `LIKE` is `ILIKE`, SQLite's LIKE ignoring ASCII case.
//!
//! Anything else the office writes is standard SQL both understand (`ON CONFLICT`,
//! `RETURNING`, `coalesce`, `CASE`, window functions).

/// The SQL to run on PostgreSQL for `sql` written for SQLite.
pub fn to_postgres(sql: &str) -> String {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 16);
    let mut bare_parameters = 0u32;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' | b'"' => {
                let end = quoted_end(bytes, i, c);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                let end = sql[i..].find('\n').map_or(bytes.len(), |n| i + n);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = sql[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'?' => {
                let digits_end = bytes[i + 1..]
                    .iter()
                    .position(|b| !b.is_ascii_digit())
                    .map_or(bytes.len(), |n| i + 1 + n);
                out.push('$');
                if digits_end > i + 1 {
                    out.push_str(&sql[i + 1..digits_end]);
                } else {
                    bare_parameters += 1;
                    out.push_str(&bare_parameters.to_string());
                }
                i = digits_end;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let end = bytes[i..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                    .map_or(bytes.len(), |n| i + n);
                let word = &sql[i..end];
                // A qualified name (t.real) or a name that goes on with `$` is left alone.
                let qualified = i > 0 && bytes[i - 1] == b'.';
                out.push_str(if qualified {
                    word
                } else {
                    translate_word(word)
                });
                i = end;
            }
            _ => {
                // Copy the whole UTF-8 character.
                let len = utf8_len(c);
                let end = (i + len).min(bytes.len());
                out.push_str(&sql[i..end]);
                i = end;
            }
        }
    }
    out
}

/// `sql` (already for PostgreSQL) with every use of parameter `$n` cast to `type_name`.
pub fn cast_parameter(sql: &str, n: u32, type_name: &str) -> String {
    let needle = format!("${n}");
    let mut out = String::with_capacity(sql.len() + 16);
    let mut rest = sql;
    while let Some(at) = rest.find(&needle) {
        let after = &rest[at + needle.len()..];
        out.push_str(&rest[..at]);
        out.push_str(&needle);
        if !after.starts_with(|c: char| c.is_ascii_digit()) && !after.starts_with("::") {
            out.push_str("::");
            out.push_str(type_name);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn translate_word(word: &str) -> &str {
    match word.to_ascii_lowercase().as_str() {
        "json_each" => "anju_json_each",
        "json_extract" => "anju_json_extract",
        "group_concat" => "string_agg",
        "ifnull" => "coalesce",
        "real" => "DOUBLE PRECISION",
        "integer" => "BIGINT",
        "like" => "ILIKE",
        _ => word,
    }
}

/// Where a quoted literal or name that starts at `start` ends (after its closing quote;
/// a doubled quote is part of it).
fn quoted_end(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::to_postgres;

    #[test]
    fn parameters_are_numbered_for_postgres() {
        assert_eq!(
            to_postgres("SELECT a FROM t WHERE b = ?1 AND c = ?2 OR ?1 IS NULL"),
            "SELECT a FROM t WHERE b = $1 AND c = $2 OR $1 IS NULL"
        );
        assert_eq!(
            to_postgres("INSERT INTO t VALUES (?, ?, ?)"),
            "INSERT INTO t VALUES ($1, $2, $3)"
        );
    }

    #[test]
    fn literals_names_and_comments_are_left_as_they_are() {
        let sql = "SELECT '?1 like json_each', \"real\" -- is ?2 real\nFROM t /* ?3 */ WHERE x = 'it''s ?'";
        assert_eq!(
            to_postgres(sql),
            "SELECT '?1 like json_each', \"real\" -- is ?2 real\nFROM t /* ?3 */ WHERE x = 'it''s ?'"
        );
    }

    #[test]
    fn sqlite_functions_and_types_become_their_postgres_equivalents() {
        assert_eq!(
            to_postgres(
                "SELECT group_concat(u.name, ','), CAST(x AS REAL), ifnull(a, 0) FROM t \
                 WHERE id IN (SELECT value FROM json_each(?1)) AND h.id = json_extract(c.body, '$.a') AND n LIKE ?2"
            ),
            "SELECT string_agg(u.name, ','), CAST(x AS DOUBLE PRECISION), coalesce(a, 0) FROM t \
             WHERE id IN (SELECT value FROM anju_json_each($1)) AND h.id = anju_json_extract(c.body, '$.a') AND n ILIKE $2"
        );
    }

    #[test]
    fn a_parameter_is_cast_wherever_it_is_used() {
        assert_eq!(
            super::cast_parameter(
                "WHERE ($1 IS NULL OR t = $1) AND u = $12 AND v = $1::int",
                1,
                "text"
            ),
            "WHERE ($1::text IS NULL OR t = $1::text) AND u = $12 AND v = $1::int"
        );
    }

    #[test]
    fn chinese_text_and_qualified_names_pass_through() {
        assert_eq!(
            to_postgres("SELECT t.real, '办公室（自动）' FROM t WHERE x = ?"),
            "SELECT t.real, '办公室（自动）' FROM t WHERE x = $1"
        );
    }
}
