//! Several office processes write at once (here: connections on threads, each as a process
//! would have its own) while a device pulls by cursor. The pull's cursor is a value of the
//! sync sequence; if a writer could commit a lower value after a reader had already seen a
//! higher one, that reader's cursor would step over the change and the device would never
//! see it. On SQLite one writer at a time rules that out; on PostgreSQL the write lock every
//! transaction takes does. This test looks for the lost change on whichever backend the run
//! is on (`ANJU_TEST_BACKEND=postgres` for PostgreSQL).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anju_office::assign::{Target, assign, unassign};
use anju_office::db::OfficeDb;
use uuid::Uuid;

const ROUNDS: usize = 25;

fn assigned_now(db: &OfficeDb, user_id: &str) -> BTreeSet<Uuid> {
    let mut all = BTreeSet::new();
    let mut cursor = 0;
    loop {
        let page = anju_office::sync_db::pull(db, user_id, cursor, 500).unwrap();
        for h in page.households {
            all.insert(h.id);
        }
        for t in page.tombstones {
            all.remove(&t);
        }
        cursor = page.next_cursor;
        if !page.has_more {
            return all;
        }
    }
}

#[test]
fn a_device_pulling_while_several_writers_commit_misses_no_change() {
    let dir = anju_office::testing::data_dir();
    let townships: Vec<String> = {
        let mut db = OfficeDb::create(dir.path()).unwrap();
        anju_office::demo::load(&mut db).unwrap();
        anju_office::demo::load_users(&mut db).unwrap();
        let mut stmt = db
            .connection()
            .prepare("SELECT name FROM townships ORDER BY sort_order LIMIT 3")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let user_id: String = OfficeDb::open(dir.path())
        .unwrap()
        .connection()
        .query_row("SELECT id FROM users WHERE name = 'li'", [], |r| r.get(0))
        .unwrap();

    let writing = Arc::new(AtomicBool::new(true));
    let writers: Vec<_> = townships
        .iter()
        .skip(1)
        .cloned()
        .map(|township| {
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || {
                let mut db = OfficeDb::open(&dir).unwrap();
                let target = Target::Township(township);
                for _ in 0..ROUNDS {
                    assign(&mut db, "li", &target).unwrap();
                    unassign(&mut db, "li", &target).unwrap();
                }
                assign(&mut db, "li", &target).unwrap();
            })
        })
        .collect();

    // The device: pulls from its cursor again and again while they write.
    let reader = {
        let dir = dir.path().to_path_buf();
        let writing = Arc::clone(&writing);
        let user_id = user_id.clone();
        std::thread::spawn(move || {
            let db = OfficeDb::open_reader(&dir).unwrap();
            let mut held = BTreeSet::new();
            let mut cursor = 0;
            let mut pulls = 0;
            let mut last = false;
            loop {
                let page = anju_office::sync_db::pull(&db, &user_id, cursor, 7).unwrap();
                pulls += 1;
                for h in page.households {
                    held.insert(h.id);
                }
                for t in page.tombstones {
                    held.remove(&t);
                }
                assert!(page.next_cursor >= cursor, "the cursor never goes back");
                cursor = page.next_cursor;
                if !page.has_more {
                    if last {
                        return (held, pulls);
                    }
                    // One more pull after the writers finished.
                    last = !writing.load(Ordering::SeqCst);
                }
            }
        })
    };
    for writer in writers {
        writer.join().unwrap();
    }
    writing.store(false, Ordering::SeqCst);
    let (held, pulls) = reader.join().unwrap();

    let db = OfficeDb::open(dir.path()).unwrap();
    let truth = assigned_now(&db, &user_id);
    assert!(
        pulls > 1,
        "the device pulled while they wrote ({pulls} pulls)"
    );
    assert!(!truth.is_empty());
    assert_eq!(
        held, truth,
        "the device that pulled all along holds what a fresh pull gives"
    );
}
