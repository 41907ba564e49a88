//! People on official records by their real names: 姓名, 单位/部门 and 职务 of each user
//! (migration 0008), and the one way pages, exports and printed forms write a person,
//! "李某某（区发改委）", instead of their login. The login stays where accounts are
//! managed and, as a detail, in the audit log.

use std::collections::HashMap;

use anju_core::form::Text;
use anju_sql::{Connection, params};

use crate::db::OfficeDb;
use crate::users::UserError;

/// The longest 姓名, 单位/部门 or 职务 kept, in characters.
pub const MAX_PROFILE_CHARS: usize = 64;

/// Who a user is on paper. Each part may be missing: a user made before names were kept
/// has none until one is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// 姓名.
    pub full_name: Option<String>,
    /// 单位/部门, e.g. 区发改委, 东河口镇人民政府.
    pub organisation: Option<String>,
    /// 职务.
    pub title: Option<String>,
}

/// A change to a profile: a field left `None` stays as it is; `Some("")` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileUpdate {
    pub full_name: Option<String>,
    pub organisation: Option<String>,
    pub title: Option<String>,
}

/// How a user is written on an official record, in both languages.
///
/// - with a name: "李某某（区发改委）" / "李某某 (区发改委)" (a Chinese name stays Chinese
///   in English: it is the person's name);
/// - without an organisation: the name alone;
/// - without a name (a user made before names were kept): the login, marked
///   "li（未填姓名）" / "li (no name on record)".
pub fn display(login: &str, profile: &Profile) -> Text {
    let name = profile
        .full_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let organisation = profile
        .organisation
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    match (name, organisation) {
        (Some(name), Some(org)) => Text {
            zh: format!("{name}（{org}）"),
            en: format!("{name} ({org})"),
        },
        (Some(name), None) => Text::new(name, name),
        (None, _) => Text {
            zh: format!("{login}（未填姓名）"),
            en: format!("{login} (no name on record)"),
        },
    }
}

/// Every user's record name by login, read once for a page, an export or a form (the
/// users table is small: one row per person of the office and its inspectors).
#[derive(Debug, Clone, Default)]
pub struct Names {
    by_login: HashMap<String, (Text, Profile)>,
}

impl Names {
    pub fn load(conn: &Connection) -> anju_sql::Result<Self> {
        let mut stmt =
            conn.prepare_cached("SELECT name, full_name, organisation, title FROM users")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Profile {
                    full_name: r.get(1)?,
                    organisation: r.get(2)?,
                    title: r.get(3)?,
                },
            ))
        })?;
        let mut by_login = HashMap::new();
        for row in rows {
            let (login, profile) = row?;
            by_login.insert(login.clone(), (display(&login, &profile), profile));
        }
        Ok(Self { by_login })
    }

    /// The record name of a login. A name that is no user's (a sign-in tried with a name
    /// that does not exist, an inspector since removed) is shown as it is.
    pub fn of(&self, login: &str) -> Text {
        self.by_login
            .get(login)
            .map(|(text, _)| text.clone())
            .unwrap_or_else(|| Text::new(login, login))
    }

    /// The user's profile, when the login is a user's.
    pub fn profile(&self, login: &str) -> Option<&Profile> {
        self.by_login.get(login).map(|(_, profile)| profile)
    }

    /// Several logins (a household's inspectors), in order.
    pub fn all(&self, logins: &[String]) -> Vec<Text> {
        logins.iter().map(|l| self.of(l)).collect()
    }
}

fn checked(field: &'static str, value: &str) -> Result<Option<String>, UserError> {
    let value = value.trim();
    if value.chars().count() > MAX_PROFILE_CHARS || value.chars().any(char::is_control) {
        return Err(UserError::BadProfile(field));
    }
    Ok((!value.is_empty()).then(|| value.to_string()))
}

/// Set a user's 姓名, 单位/部门 and 职务 (the fields given; an empty one is cleared).
pub fn update_profile(
    db: &OfficeDb,
    login: &str,
    update: &ProfileUpdate,
) -> Result<Profile, UserError> {
    let current = profile(db, login)?;
    let pick = |field: &'static str, new: &Option<String>, old: &Option<String>| match new {
        Some(value) => checked(field, value),
        None => Ok(old.clone()),
    };
    let profile = Profile {
        full_name: pick("full_name", &update.full_name, &current.full_name)?,
        organisation: pick("organisation", &update.organisation, &current.organisation)?,
        title: pick("title", &update.title, &current.title)?,
    };
    db.conn.execute(
        "UPDATE users SET full_name = ?2, organisation = ?3, title = ?4 WHERE name = ?1",
        params![
            login,
            profile.full_name,
            profile.organisation,
            profile.title
        ],
    )?;
    Ok(profile)
}

/// A user's profile by login.
pub fn profile(db: &OfficeDb, login: &str) -> Result<Profile, UserError> {
    use anju_sql::OptionalExtension;
    db.conn
        .query_row(
            "SELECT full_name, organisation, title FROM users WHERE name = ?1",
            [login],
            |r| {
                Ok(Profile {
                    full_name: r.get(0)?,
                    organisation: r.get(1)?,
                    title: r.get(2)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| UserError::NoSuchUser(login.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: Option<&str>, org: Option<&str>) -> Profile {
        Profile {
            full_name: name.map(str::to_string),
            organisation: org.map(str::to_string),
            title: Some("科员".into()),
        }
    }

    #[test]
    fn a_person_is_their_name_and_organisation() {
        let text = display("li", &named(Some("李某某"), Some("区发改委")));
        assert_eq!(text.zh, "李某某（区发改委）");
        assert_eq!(text.en, "李某某 (区发改委)");
        assert_eq!(display("li", &named(Some("李某某"), None)).zh, "李某某");
        assert_eq!(
            display("li", &named(Some(" 李某某 "), Some(" "))).zh,
            "李某某"
        );
    }

    #[test]
    fn without_a_name_the_login_shows_marked() {
        let text = display("li", &named(None, Some("区发改委")));
        assert_eq!(text.zh, "li（未填姓名）");
        assert_eq!(text.en, "li (no name on record)");
        assert_eq!(display("li", &named(Some("  "), None)).zh, "li（未填姓名）");
    }

    #[test]
    fn users_made_before_names_were_kept_show_their_login_marked() {
        let dir = tempfile::tempdir().unwrap();
        {
            // An office as it was before migration 8, with a user.
            let path = dir.path().join(crate::db::DATABASE_FILE);
            let mut conn = anju_db::open(&path).unwrap();
            let before: Vec<_> = crate::db::MIGRATIONS
                .iter()
                .filter(|m| m.version < 8)
                .cloned()
                .collect();
            anju_db::migrate(&mut conn, &before).unwrap();
            conn.execute(
                "INSERT INTO users (id, name, role, department, password_hash, created_at)
                 VALUES ('u1', 'li', 'inspector', 'reform', 'x', '2026-01-01T00:00:00Z')",
                [],
            )
            .unwrap();
        }
        let db = OfficeDb::open(dir.path()).unwrap();
        assert_eq!(profile(&db, "li").unwrap(), Profile::default());
        let names = Names::load(&db.conn).unwrap();
        assert_eq!(names.of("li").zh, "li（未填姓名）");
        update_profile(
            &db,
            "li",
            &ProfileUpdate {
                full_name: Some("李晓峰".into()),
                organisation: Some("区发改委".into()),
                title: Some("科员".into()),
            },
        )
        .unwrap();
        assert_eq!(
            Names::load(&db.conn).unwrap().of("li").zh,
            "李晓峰（区发改委）"
        );
    }

    #[test]
    fn profiles_are_set_field_by_field_and_checked() {
        let dir = crate::testing::data_dir();
        let mut db = OfficeDb::create(dir.path()).unwrap();
        crate::demo::load(&mut db).unwrap();
        crate::users::add_user(
            &db,
            "wang",
            anju_core::wire::Role::Admin,
            None,
            None,
            "long-enough",
        )
        .unwrap();
        let names = Names::load(&db.conn).unwrap();
        assert_eq!(names.of("wang").zh, "wang（未填姓名）");
        assert_eq!(names.of("nobody").zh, "nobody");
        let set = |update: ProfileUpdate| update_profile(&db, "wang", &update);
        set(ProfileUpdate {
            full_name: Some("王某某".into()),
            organisation: Some("区住建局".into()),
            title: None,
        })
        .unwrap();
        let profile = set(ProfileUpdate {
            title: Some("科长".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(profile.full_name.as_deref(), Some("王某某"));
        assert_eq!(profile.title.as_deref(), Some("科长"));
        assert_eq!(
            Names::load(&db.conn).unwrap().of("wang").zh,
            "王某某（区住建局）"
        );
        let cleared = set(ProfileUpdate {
            organisation: Some(String::new()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(cleared.organisation, None);
        assert!(matches!(
            set(ProfileUpdate {
                full_name: Some("长".repeat(MAX_PROFILE_CHARS + 1)),
                ..Default::default()
            }),
            Err(UserError::BadProfile("full_name"))
        ));
        assert!(matches!(
            update_profile(&db, "nobody", &ProfileUpdate::default()),
            Err(UserError::NoSuchUser(_))
        ));
    }
}
