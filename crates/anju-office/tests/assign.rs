//! Assigning by site when two townships have a site of the same name: site names are
//! unique only within a township, so the name alone must not pick one of them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use anju_core::wire::Role;
use anju_office::assign::{AssignError, Target, assign};
use anju_office::db::OfficeDb;
use anju_office::services::views::BulkAssignment;
use anju_office::services::{PageError, Viewer, assign_bulk};
use anju_office::users::add_user;

struct Shared {
    _dir: tempfile::TempDir,
    db: OfficeDb,
    name: String,
    /// The township whose site has households.
    home: (String, String),
    home_households: usize,
    /// The other township, given a site of the same name with no households.
    other: (String, String),
}

/// The demo office, plus a site in a second township named like a demo site.
fn shared_site_name() -> Shared {
    let dir = anju_office::testing::data_dir();
    let mut db = OfficeDb::create(dir.path()).unwrap();
    anju_office::demo::load(&mut db).unwrap();
    anju_office::demo::load_users(&mut db).unwrap();
    add_user(
        &db,
        "wang",
        Role::Inspector,
        Some(anju_core::model::Department::Housing),
        None,
        "anju-demo",
    )
    .unwrap();
    let conn = db.connection();
    let (name, home_id, home_name, home_households): (String, String, String, usize) = conn
        .query_row(
            "SELECT s.name, t.id, t.name, COUNT(h.id) FROM sites s
             JOIN townships t ON t.id = s.township_id JOIN households h ON h.site_id = s.id
             GROUP BY s.id, t.id ORDER BY s.name LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let (other_id, other_name): (String, String) = conn
        .query_row(
            "SELECT id, name FROM townships WHERE id <> ?1 ORDER BY name LIMIT 1",
            [&home_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    conn.execute(
        "INSERT INTO sites (id, township_id, name, kind)
         SELECT ?1, ?2, name, kind FROM sites WHERE name = ?3",
        anju_sql::params![uuid::Uuid::now_v7().to_string(), other_id, name],
    )
    .unwrap();
    Shared {
        _dir: dir,
        db,
        name,
        home: (home_id, home_name),
        home_households,
        other: (other_id, other_name),
    }
}

fn assigned_to_wang(db: &OfficeDb) -> usize {
    db.connection()
        .query_row(
            "SELECT COUNT(*) FROM assignments a JOIN users u ON u.id = a.user_id WHERE u.name = 'wang'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_site_name_two_townships_share_needs_its_township() {
    let mut s = shared_site_name();
    let by_name = Target::Site {
        name: s.name.clone(),
        township: None,
    };
    let refused = assign(&mut s.db, "wang", &by_name).unwrap_err();
    assert!(
        matches!(refused, AssignError::AmbiguousSite { .. }),
        "{refused}"
    );
    let message = refused.to_string();
    assert!(
        message.contains(&s.home.1) && message.contains(&s.other.1),
        "{message}"
    );
    assert_eq!(
        assigned_to_wang(&s.db),
        0,
        "a refused assignment assigns nothing"
    );

    let in_home = Target::Site {
        name: s.name.clone(),
        township: Some(s.home.1.clone()),
    };
    assert_eq!(
        assign(&mut s.db, "wang", &in_home).unwrap(),
        s.home_households
    );
    let in_other_by_id = Target::Site {
        name: s.name.clone(),
        township: Some(s.other.0.clone()),
    };
    assert_eq!(assign(&mut s.db, "wang", &in_other_by_id).unwrap(), 0);
    assert_eq!(assigned_to_wang(&s.db), s.home_households);

    let nowhere = Target::Site {
        name: "没有这个安置点".into(),
        township: None,
    };
    assert!(matches!(
        assign(&mut s.db, "wang", &nowhere),
        Err(AssignError::NoSuchSite(_))
    ));
}

#[test]
fn a_township_user_assigns_only_their_own_townships_site() {
    let mut s = shared_site_name();
    let other_user = Viewer {
        user_id: "other-township-user".into(),
        name: "zhao".into(),
        role: Role::Township,
        township: Some(s.other.clone()),
    };
    let request = BulkAssignment {
        inspector: "wang".into(),
        township: None,
        site: Some(s.name.clone()),
        households: Vec::new(),
        unassign: false,
    };
    // Their own site of that name has no households: the other township's are not touched.
    assert_eq!(
        assign_bulk(&mut s.db, &other_user, &request)
            .unwrap()
            .changed,
        0
    );
    assert_eq!(assigned_to_wang(&s.db), 0);

    let asking_for_home = BulkAssignment {
        township: Some(s.home.1.clone()),
        ..request.clone()
    };
    let refused = assign_bulk(&mut s.db, &other_user, &asking_for_home).unwrap_err();
    assert!(
        matches!(refused, PageError::OtherTownship { .. }),
        "{refused}"
    );
    assert_eq!(assigned_to_wang(&s.db), 0);

    let admin = Viewer {
        user_id: "admin".into(),
        name: "admin".into(),
        role: Role::Admin,
        township: None,
    };
    let refused = assign_bulk(&mut s.db, &admin, &request).unwrap_err();
    assert!(refused.to_string().contains(&s.other.1), "{refused}");
    let home_request = BulkAssignment {
        township: Some(s.home.1.clone()),
        ..request
    };
    assert_eq!(
        assign_bulk(&mut s.db, &admin, &home_request)
            .unwrap()
            .changed as usize,
        s.home_households
    );
}
