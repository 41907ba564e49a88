//! Demo data that reproduces the source document (a district's 2017 relocation summary)
//! exactly: 121 households and 340 people in 9 townships; 10 concentrated sites with 44
//! households and 134 people, 6 of them newly built with 3 to 8 households; 77 scattered
//! households with 206 people, 72 self-built (191 people) and 5 bought (15 people); and the
//! named cases 郑怀圣 (东河口镇长岭村, 4 people, scattered), 高灿军 (东河口镇雪峰岭村,
//! scattered) and the 4 households of 横塘岗乡黄墩村 in the 黄墩中心村 site.
//!
//! Everything is deterministic: the same ids, names and numbers on every run.
//! Apart from the two people the source names, every name and number is fake on sight:
//! heads are called 「姓 + 某 + 天干」 (王某甲), a convention for anonymised names; ID
//! numbers use the region code of 金安区 (341502) with sequence codes 900–999 and a
//! correct check digit; phones are 138-0000-xxxx.

use anju_core::id_number::compose;
use anju_core::model::Department;
use anju_core::model::{Member, PlacementKind, PlacementMode};
use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use crate::db::{NewHousehold, NewSite};

/// The region code of 六安市金安区, for plausible demo ID numbers.
pub const DEMO_REGION: &str = "341502";
/// The password of every demo user (the Sync issue creates them).
pub const DEMO_PASSWORD: &str = "anju-demo";

/// A group of households that share a place and a placement.
struct Group {
    village: &'static str,
    site: Option<(&'static str, bool, PlacementKind)>,
    mode: PlacementMode,
    kind: PlacementKind,
    households: u32,
    people: u32,
    /// Named households of the source: (name, size), placed first in the group.
    named: &'static [(&'static str, u32)],
}

struct TownshipPlan {
    name: &'static str,
    groups: &'static [Group],
}

const fn site(
    village: &'static str,
    name: &'static str,
    newly_built: bool,
    kind: PlacementKind,
    households: u32,
    people: u32,
) -> Group {
    Group {
        village,
        site: Some((name, newly_built, kind)),
        mode: PlacementMode::Concentrated,
        kind,
        households,
        people,
        named: &[],
    }
}

const fn scattered(
    village: &'static str,
    kind: PlacementKind,
    households: u32,
    people: u32,
) -> Group {
    Group {
        village,
        site: None,
        mode: PlacementMode::Scattered,
        kind,
        households,
        people,
        named: &[],
    }
}

use PlacementKind::{Bought, SelfBuilt, UnifiedBuilt, UnifiedSelfBuilt};

/// The programme, township by township, in the source's order. The source gives each
/// township's households and people and the programme-wide split; how the split falls
/// per township is this file's choice, checked by the tests against every total.
const PROGRAMME: &[TownshipPlan] = &[
    TownshipPlan {
        name: "椿树镇",
        groups: &[
            site("椿树村", "椿树村中心村安置点", false, UnifiedBuilt, 2, 7),
            scattered("龙井村", SelfBuilt, 3, 10),
            scattered("新华村", SelfBuilt, 2, 7),
        ],
    },
    TownshipPlan {
        name: "马头镇",
        groups: &[
            site(
                "马头村",
                "马头新村集中安置点",
                true,
                UnifiedSelfBuilt,
                8,
                24,
            ),
            site("和平村", "和平村中心村安置点", false, UnifiedBuilt, 3, 9),
            scattered("马头村", SelfBuilt, 6, 15),
            scattered("光明村", SelfBuilt, 5, 12),
            scattered("和平村", Bought, 2, 6),
        ],
    },
    TownshipPlan {
        name: "东桥镇",
        groups: &[
            site("东桥村", "东桥集镇安置点", true, UnifiedSelfBuilt, 7, 22),
            site("团结村", "团结村集中安置点", true, UnifiedSelfBuilt, 5, 16),
            scattered("东桥村", SelfBuilt, 6, 15),
            scattered("红星村", SelfBuilt, 5, 13),
            scattered("团结村", Bought, 1, 3),
        ],
    },
    TownshipPlan {
        name: "三十铺镇",
        groups: &[
            site("幸福村", "幸福村集中安置点", true, UnifiedSelfBuilt, 3, 9),
            scattered("幸福村", SelfBuilt, 4, 11),
            scattered("建设村", SelfBuilt, 3, 9),
        ],
    },
    TownshipPlan {
        name: "横塘岗乡",
        groups: &[
            site("黄墩村", "黄墩中心村集中安置点", true, UnifiedBuilt, 4, 12),
            site("胜利村", "胜利村集中安置点", true, UnifiedSelfBuilt, 6, 16),
            scattered("胜利村", SelfBuilt, 8, 18),
            scattered("新华村", SelfBuilt, 6, 14),
            scattered("黄墩村", Bought, 1, 3),
        ],
    },
    TownshipPlan {
        name: "张店镇",
        groups: &[
            site("张店村", "张店村中心村安置点", false, UnifiedBuilt, 3, 7),
            scattered("张店村", SelfBuilt, 3, 6),
            scattered("光明村", SelfBuilt, 2, 4),
            scattered("张店村", Bought, 1, 3),
        ],
    },
    TownshipPlan {
        name: "东河口镇",
        groups: &[
            site(
                "东河口村",
                "东河口村中心村安置点",
                false,
                UnifiedBuilt,
                3,
                12,
            ),
            Group {
                named: &[("郑怀圣", 4)],
                ..scattered("长岭村", SelfBuilt, 6, 18)
            },
            Group {
                named: &[("高灿军", 3)],
                ..scattered("雪峰岭村", SelfBuilt, 5, 15)
            },
        ],
    },
    TownshipPlan {
        name: "翁墩乡",
        groups: &[
            scattered("翁墩村", SelfBuilt, 4, 13),
            scattered("和平村", SelfBuilt, 2, 7),
        ],
    },
    TownshipPlan {
        name: "木厂镇",
        groups: &[scattered("木厂村", SelfBuilt, 2, 4)],
    },
];

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "汪", "林", "罗",
];
const STEMS: [&str; 10] = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"];

// The same generator as spot-check sampling: its stream is pinned by a test in anju-core.
use anju_core::office::SplitMix64 as SplitMix;

/// Deterministic UUIDv7s: timestamps from 2017-02-20 (when the district drew up its
/// list) a millisecond apart, random bits from a fixed seed.
pub struct DemoIds {
    rng: SplitMix,
    millis: u64,
}

impl Default for DemoIds {
    fn default() -> Self {
        Self {
            rng: SplitMix(2017),
            // 2017-02-20T00:00:00Z
            millis: 1_487_548_800_000,
        }
    }
}

impl DemoIds {
    pub fn next_id(&mut self) -> Uuid {
        self.millis += 1;
        let mut random = [0u8; 10];
        random[..8].copy_from_slice(&self.rng.next_u64().to_le_bytes());
        random[8..].copy_from_slice(&self.rng.next_u64().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(self.millis, &random).into_uuid()
    }
}

/// Split `people` over `households` with some variety, every size between 1 and 8.
fn sizes(households: u32, people: u32, rng: &mut SplitMix) -> Vec<u32> {
    if households == 0 {
        return Vec::new();
    }
    let base = people / households;
    let extra = people % households;
    let mut sizes: Vec<u32> = (0..households)
        .map(|i| base + u32::from(i < extra))
        .collect();
    // Move one person between pairs now and then: same total, less uniform.
    for pair in 0..(households as usize / 2) {
        let (a, b) = (2 * pair, 2 * pair + 1);
        if rng.next_u64().is_multiple_of(2) && sizes[a] > 1 && sizes[b] < 8 {
            sizes[a] -= 1;
            sizes[b] += 1;
        }
    }
    sizes
}

fn members(head: &str, surname: &str, size: u32, index: usize) -> Vec<Member> {
    let mut members = vec![Member {
        name: head.to_string(),
        relation: "户主".into(),
        id_number: None,
    }];
    let relations = ["配偶", "子", "女", "母", "父", "孙子", "孙女"];
    for k in 1..size as usize {
        let relation = relations[(k - 1) % relations.len()];
        let name = if relation == "配偶" {
            format!(
                "{}某{}",
                SURNAMES[(index + 7) % SURNAMES.len()],
                STEMS[k % 10]
            )
        } else {
            format!("{surname}某{}{}", STEMS[(index + k) % 10], k)
        };
        members.push(Member {
            name,
            relation: relation.into(),
            id_number: None,
        });
    }
    members
}

/// The townships in the source's order.
pub fn township_names() -> Vec<&'static str> {
    PROGRAMME.iter().map(|t| t.name).collect()
}

/// The demo households, in a fixed order, with fixed ids.
pub fn demo_households(ids: &mut DemoIds) -> Vec<NewHousehold> {
    let mut rng = SplitMix(340);
    let mut out = Vec::new();
    let first_birth = NaiveDate::from_ymd_opt(1945, 1, 1).unwrap_or_default();
    for township in PROGRAMME {
        for group in township.groups {
            let named_people: u32 = group.named.iter().map(|(_, size)| size).sum();
            let unnamed = group.households - group.named.len() as u32;
            let mut group_sizes: Vec<u32> = group.named.iter().map(|(_, size)| *size).collect();
            group_sizes.extend(sizes(unnamed, group.people - named_people, &mut rng));
            for (k, size) in group_sizes.into_iter().enumerate() {
                let index = out.len();
                let (head, surname) = match group.named.get(k) {
                    Some((name, _)) => ((*name).to_string(), name.chars().take(1).collect()),
                    None => {
                        let surname = SURNAMES[index % SURNAMES.len()];
                        (
                            format!("{surname}某{}", STEMS[(index / SURNAMES.len()) % 10]),
                            surname.to_string(),
                        )
                    }
                };
                // Birth dates 113 days apart: unique, heads aged about 35 to 72 in 2017.
                let birth = first_birth + Duration::days(113 * index as i64);
                let Some(id_number) = compose(DEMO_REGION, birth, 900 + (index % 100) as u16)
                else {
                    continue;
                };
                out.push(NewHousehold {
                    id: ids.next_id(),
                    members: members(&head, &surname, size, index),
                    head_name: head,
                    id_number,
                    size,
                    phone: Some(format!("1380000{:04}", index + 1)),
                    township: township.name.to_string(),
                    village: group.village.to_string(),
                    site: group.site.map(|(name, newly_built, kind)| NewSite {
                        name: name.to_string(),
                        newly_built,
                        kind,
                    }),
                    mode: group.mode,
                    kind: group.kind,
                    location: demo_location(index),
                });
            }
        }
    }
    out
}

/// The demo district's policy: 安徽省, the 2017 programme, the national cap. The 2017
/// programme is small: no site has the 10 households of the default sampling rule, so the
/// demo district samples sites of 3 or more.
pub fn demo_policy() -> anju_core::district_policy::DistrictPolicy {
    let default = anju_core::district_policy::DistrictPolicy::default();
    anju_core::district_policy::DistrictPolicy {
        province: Some("安徽省".into()),
        programme_year: Some(2017),
        sampling: anju_core::office::SampleRule {
            min_site_households: 3,
            ..default.sampling
        },
        ..default
    }
}

/// Load the demo programme into an empty database, in one transaction.
pub fn load(
    db: &mut crate::db::OfficeDb,
) -> Result<crate::db::ImportSummary, crate::db::OfficeDbError> {
    db.ensure_empty()?;
    let mut ids = DemoIds::default();
    let households = demo_households(&mut ids);
    db.register_townships(&township_names(), &mut || ids.next_id())?;
    let summary = db.insert_households("demo", None, &households, &mut || ids.next_id())?;
    old_house_progress(db, chrono::Utc::now().date_naive())?;
    support_measures(db, chrono::Utc::now().date_naive())?;
    site_records(db, chrono::Utc::now().date_naive())?;
    crate::decide::set_founding_policy(
        db.connection(),
        &demo_policy(),
        "金安区易地扶贫搬迁工作领导小组",
    )?;
    db.set_setting("demo", "1")?;
    Ok(summary)
}

/// Old houses of the demo, dated in the weeks before `today`: two in three households have
/// signed the demolition agreement, a quarter of those have demolished, half of those have
/// reclaimed the homestead. Acceptance and moving in come from the field.
fn old_house_progress(
    db: &mut crate::db::OfficeDb,
    today: chrono::NaiveDate,
) -> Result<(), crate::db::OfficeDbError> {
    let tx = db.connection_mut().transaction()?;
    let ids: Vec<String> = tx
        .prepare("SELECT id FROM households ORDER BY number")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for (i, id) in ids.iter().enumerate() {
        if i % 3 == 0 {
            continue;
        }
        let agreement = today - chrono::Duration::days(70 - (i % 40) as i64);
        let demolished = (i % 4 == 1).then(|| agreement + chrono::Duration::days(15));
        let reclaimed = demolished
            .filter(|_| i % 8 == 1)
            .map(|d| d + chrono::Duration::days(10));
        tx.execute(
            "UPDATE households SET agreement_signed_on = ?2, demolished_on = ?3, reclaimed_on = ?4
             WHERE id = ?1",
            anju_sql::params![
                id,
                agreement.to_string(),
                demolished.map(|d| d.to_string()),
                reclaimed.map(|d| d.to_string())
            ],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The demo's 帮扶措施: as the source says, five or more for nearly every household and an
/// industry project for those able to develop one; a few households are still short, so the
/// report has something to show.
/// Each demo site's 包保责任人 and a monthly plan: building began four months before
/// `today` and ends next month, so that a site not yet accepted shows plan against actual.
fn site_records(
    db: &mut crate::db::OfficeDb,
    today: chrono::NaiveDate,
) -> Result<(), crate::db::OfficeDbError> {
    const OFFICIALS: [(&str, &str); 4] = [
        ("周建民", "0564-3312345"),
        ("吴海燕", "0564-3312678"),
        ("郑国庆", "0564-3313021"),
        ("钱立新", "0564-3313456"),
    ];
    use chrono::Datelike;
    let tx = db.conn.transaction()?;
    let sites: Vec<(String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT s.id, t.name FROM sites s JOIN townships t ON t.id = s.township_id
             ORDER BY s.name",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    let months: Vec<String> = (-4..=1)
        .map(|offset: i32| {
            let index = today.year() * 12 + today.month0() as i32 + offset;
            format!("{}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1)
        })
        .collect();
    const PLANNED: [u32; 6] = [10, 30, 55, 75, 90, 100];
    for (index, (site, township)) in sites.iter().enumerate() {
        let (name, phone) = OFFICIALS[index % OFFICIALS.len()];
        tx.execute(
            "UPDATE sites SET guarantor_name = ?2, guarantor_unit = ?3, guarantor_phone = ?4
             WHERE id = ?1",
            anju_sql::params![site, name, format!("{township}人民政府"), phone],
        )?;
        for (month, planned) in months.iter().zip(PLANNED) {
            tx.execute(
                "INSERT INTO site_plans (site_id, month, planned_percent) VALUES (?1, ?2, ?3)",
                anju_sql::params![site, month, planned],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn support_measures(
    db: &mut crate::db::OfficeDb,
    today: chrono::NaiveDate,
) -> Result<(), crate::db::OfficeDbError> {
    use anju_core::support::SupportCategory::*;
    const MEASURES: [(anju_core::support::SupportCategory, &str); 7] = [
        (Industry, "畜禽养殖，流转山场发展林下养鸡"),
        (Employment, "推荐到产业园区务工"),
        (Education, "子女享受教育资助"),
        (Health, "家庭医生签约，参加新农合"),
        (Finance, "易地扶贫搬迁长期贷款3.7万元/人"),
        (SocialSecurity, "纳入农村低保"),
        (Other, "光伏扶贫收益分配"),
    ];
    let tx = db.connection_mut().transaction()?;
    let ids: Vec<String> = tx
        .prepare("SELECT id FROM households ORDER BY number")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let at = chrono::Utc::now().to_rfc3339();
    for (i, id) in ids.iter().enumerate() {
        // Most are able to develop; every 9th is short of five, every 13th lacks industry.
        let able = i % 5 != 4;
        let count = if i % 9 == 3 { 3 } else { 5 + i % 2 };
        tx.execute(
            "UPDATE households SET able_to_develop = ?2 WHERE id = ?1",
            anju_sql::params![id, able],
        )?;
        let without_industry = i % 13 == 7;
        let listed = MEASURES
            .iter()
            .enumerate()
            .take(count + usize::from(without_industry));
        for (n, (category, text)) in listed {
            if n == 0 && without_industry {
                continue;
            }
            let started = today - chrono::Duration::days(120 - (n as i64) * 7);
            tx.execute(
                "INSERT INTO support_measures (id, household_id, category, description,
                     started_on, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                anju_sql::params![
                    uuid::Uuid::now_v7().to_string(),
                    id,
                    category.code(),
                    text,
                    started.to_string(),
                    at
                ],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// The demo users, all with the password [`DEMO_PASSWORD`]: `admin` (王建国, 区易地扶贫搬迁
/// 办公室), `zhang` (张明华, township user of 东河口镇), `li` (李晓峰, inspector of 区发改委,
/// assigned all of 东河口镇), and li's 验收组 `chen` (扶贫办), `zhao` (国土局) and `sun`
/// (住建局), each with a demo PIN.
pub fn load_users(db: &mut crate::db::OfficeDb) -> Result<(), DemoUsersError> {
    use crate::users::add_user;
    use anju_core::wire::Role;
    add_user(db, "admin", Role::Admin, None, None, DEMO_PASSWORD)?;
    add_user(
        db,
        "zhang",
        Role::Township,
        None,
        Some("东河口镇"),
        DEMO_PASSWORD,
    )?;
    add_user(
        db,
        "li",
        Role::Inspector,
        Some(Department::Reform),
        None,
        DEMO_PASSWORD,
    )?;
    crate::assign::assign(
        db,
        "li",
        &crate::assign::Target::Township("东河口镇".into()),
    )?;
    // 验收组: li and one inspector of each other department, each with a PIN of their own
    // (DEMO_PINS), so that li's phone can be the team's shared device.
    for (login, department, _) in DEMO_TEAM_MEMBERS {
        add_user(
            db,
            login,
            Role::Inspector,
            Some(department),
            None,
            DEMO_PASSWORD,
        )?;
    }
    // Official records name people, not logins (issue 13).
    for &(login, full_name, organisation, title) in DEMO_PROFILES.iter().chain(&DEMO_TEAM_PROFILES)
    {
        crate::names::update_profile(
            db,
            login,
            &crate::names::ProfileUpdate {
                full_name: Some(full_name.into()),
                organisation: Some(organisation.into()),
                title: Some(title.into()),
            },
        )?;
    }
    let now = chrono::Utc::now();
    let mut members: Vec<String> = vec!["li".into()];
    members.extend(
        DEMO_TEAM_MEMBERS
            .iter()
            .map(|(login, ..)| login.to_string()),
    );
    crate::teams::set_team(
        db,
        &crate::teams::TeamSetting {
            name: DEMO_TEAM.into(),
            members,
        },
        now,
    )?;
    for (login, pin) in DEMO_PINS {
        if let Some(user) = crate::users::user(db, login)? {
            let verifier = crate::teams::make_verifier(pin)?;
            crate::teams::set_pin_verifier(&db.conn, &user.id, &verifier, now)
                .map_err(crate::teams::TeamAdminError::from)?;
        }
    }
    Ok(())
}

/// The demo users' 姓名, 单位/部门 and 职务, as pages and printed forms show them.
pub const DEMO_PROFILES: [(&str, &str, &str, &str); 3] = [
    ("admin", "王建国", "区易地扶贫搬迁办公室", "主任"),
    ("zhang", "张明华", "东河口镇人民政府", "副镇长"),
    ("li", "李晓峰", "区发改委", "科员"),
];

/// The demo's 验收组.
pub const DEMO_TEAM: &str = "区级验收一组";

/// The team's members besides li: login, department and the demo PIN.
pub const DEMO_TEAM_MEMBERS: [(&str, Department, &str); 3] = [
    ("chen", Department::Poverty, "246810"),
    ("zhao", Department::Land, "135790"),
    ("sun", Department::Housing, "582913"),
];

const DEMO_TEAM_PROFILES: [(&str, &str, &str, &str); 3] = [
    ("chen", "陈立华", "区扶贫办", "副主任"),
    ("zhao", "赵国平", "区自然资源局（国土）", "科员"),
    ("sun", "孙志强", "区住建局", "工程师"),
];

/// Each team member's demo PIN (li's too); a real member sets their own.
pub const DEMO_PINS: [(&str, &str); 4] = [
    ("li", "369258"),
    ("chen", DEMO_TEAM_MEMBERS[0].2),
    ("zhao", DEMO_TEAM_MEMBERS[1].2),
    ("sun", DEMO_TEAM_MEMBERS[2].2),
];

#[derive(Debug, thiserror::Error)]
pub enum DemoUsersError {
    #[error(transparent)]
    User(#[from] crate::users::UserError),
    #[error(transparent)]
    Assign(#[from] crate::assign::AssignError),
    #[error(transparent)]
    Team(#[from] crate::teams::TeamAdminError),
}

/// Made-up house coordinates in the source's county (Lu'an, Anhui, about 31.76°N 116.51°E),
/// spread over some 10 km; every fourth household has none, as in a roster that lacks some.
fn demo_location(index: usize) -> Option<anju_core::location::Coordinates> {
    if index % 4 == 3 {
        return None;
    }
    let latitude = 31.72 + (index % 89) as f64 * 0.001;
    let longitude = 116.46 + (index * 7 % 97) as f64 * 0.001;
    anju_core::location::Coordinates::new(latitude, longitude).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// The source's table: township, households, people.
    const SOURCE: [(&str, u32, u32); 9] = [
        ("椿树镇", 7, 24),
        ("马头镇", 24, 66),
        ("东桥镇", 24, 69),
        ("三十铺镇", 10, 29),
        ("横塘岗乡", 25, 63),
        ("张店镇", 9, 20),
        ("东河口镇", 14, 45),
        ("翁墩乡", 6, 20),
        ("木厂镇", 2, 4),
    ];

    fn households() -> Vec<NewHousehold> {
        demo_households(&mut DemoIds::default())
    }

    #[test]
    fn townships_match_the_source() {
        let all = households();
        assert_eq!(all.len(), 121);
        assert_eq!(all.iter().map(|h| h.size).sum::<u32>(), 340);
        assert_eq!(township_names(), SOURCE.map(|(name, _, _)| name));
        for (name, count, people) in SOURCE {
            let mine: Vec<_> = all.iter().filter(|h| h.township == name).collect();
            assert_eq!(mine.len() as u32, count, "{name}");
            assert_eq!(mine.iter().map(|h| h.size).sum::<u32>(), people, "{name}");
        }
    }

    #[test]
    fn placements_match_the_source() {
        let all = households();
        let concentrated: Vec<_> = all
            .iter()
            .filter(|h| h.mode == PlacementMode::Concentrated)
            .collect();
        assert_eq!(concentrated.len(), 44);
        assert_eq!(concentrated.iter().map(|h| h.size).sum::<u32>(), 134);
        let mut sites: BTreeMap<(&str, &str), (bool, u32)> = BTreeMap::new();
        for h in &concentrated {
            let site = h.site.as_ref().unwrap();
            let entry = sites
                .entry((h.township.as_str(), site.name.as_str()))
                .or_insert((site.newly_built, 0));
            entry.1 += 1;
        }
        assert_eq!(sites.len(), 10);
        let new: Vec<u32> = sites
            .values()
            .filter(|(n, _)| *n)
            .map(|(_, c)| *c)
            .collect();
        assert_eq!(new.len(), 6);
        assert!(new.iter().all(|c| (3..=8).contains(c)), "{new:?}");
        assert!(
            new.contains(&3) && new.contains(&8),
            "the source says 8 to 3"
        );

        let scattered: Vec<_> = all
            .iter()
            .filter(|h| h.mode == PlacementMode::Scattered)
            .collect();
        assert_eq!(scattered.len(), 77);
        assert_eq!(scattered.iter().map(|h| h.size).sum::<u32>(), 206);
        assert!(scattered.iter().all(|h| h.site.is_none()));
        let self_built: Vec<_> = scattered.iter().filter(|h| h.kind == SelfBuilt).collect();
        assert_eq!(self_built.len(), 72);
        assert_eq!(self_built.iter().map(|h| h.size).sum::<u32>(), 191);
        let bought: Vec<_> = scattered.iter().filter(|h| h.kind == Bought).collect();
        assert_eq!(bought.len(), 5);
        assert_eq!(bought.iter().map(|h| h.size).sum::<u32>(), 15);
        assert!(all.iter().all(|h| h.kind.fits(h.mode)));
    }

    #[test]
    fn the_named_cases_are_there() {
        let all = households();
        let zheng = all.iter().find(|h| h.head_name == "郑怀圣").unwrap();
        assert_eq!(
            (zheng.township.as_str(), zheng.village.as_str(), zheng.size),
            ("东河口镇", "长岭村", 4)
        );
        assert_eq!(zheng.mode, PlacementMode::Scattered);
        assert_eq!(zheng.members.len(), 4);
        let gao = all.iter().find(|h| h.head_name == "高灿军").unwrap();
        assert_eq!(
            (gao.township.as_str(), gao.village.as_str()),
            ("东河口镇", "雪峰岭村")
        );
        assert_eq!(gao.mode, PlacementMode::Scattered);
        let huangdun: Vec<_> = all
            .iter()
            .filter(|h| {
                h.site
                    .as_ref()
                    .is_some_and(|s| s.name.contains("黄墩中心村"))
            })
            .collect();
        assert_eq!(huangdun.len(), 4);
        assert!(
            huangdun
                .iter()
                .all(|h| h.village == "黄墩村" && h.township == "横塘岗乡")
        );
    }

    #[test]
    fn everything_is_unique_valid_and_deterministic() {
        let all = households();
        assert_eq!(all, households(), "two runs give the same data");
        let ids: BTreeSet<_> = all.iter().map(|h| h.id).collect();
        let numbers: BTreeSet<_> = all.iter().map(|h| h.id_number.clone()).collect();
        let names: BTreeSet<_> = all.iter().map(|h| h.head_name.clone()).collect();
        assert_eq!((ids.len(), numbers.len(), names.len()), (121, 121, 121));
        let today = NaiveDate::from_ymd_opt(2017, 9, 4).unwrap();
        for h in &all {
            assert_eq!(h.id.get_version_num(), 7);
            let reparsed = anju_core::IdNumber::parse_as_of(h.id_number.as_str(), today).unwrap();
            assert_eq!(reparsed.region_code(), DEMO_REGION);
            assert!(
                h.id_number.as_str()[14..15] == *"9",
                "sequence 9xx marks demo IDs"
            );
            assert!((1..=8).contains(&h.size));
            assert_eq!(h.members.len() as u32, h.size);
            if !["郑怀圣", "高灿军"].contains(&h.head_name.as_str()) {
                assert!(h.head_name.contains('某'), "{}", h.head_name);
            }
        }
    }
}
