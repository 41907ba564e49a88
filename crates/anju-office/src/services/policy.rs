//! The policy page: every version of the district's policy in words, and setting a new one
//! (the district office only), checked first without saving if asked.

use anju_core::district_policy::{CriticalItem, PolicyVersion};
use anju_core::form::{ItemKind, Text, YesNo, form_by_id};
use anju_core::policy::{Cap, CapRule};
use chrono::Utc;

use super::views::{CapRuleView, PolicyPage, PolicyUpdate, PolicyView};
use super::{PageError, Result, Viewer, today};
use crate::db::OfficeDb;
use crate::decide;

fn cap_view(rule: &CapRule) -> CapRuleView {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if let Some(province) = &rule.province {
        zh.push(province.clone());
        en.push(province.clone());
    }
    if let Some(years) = rule.years {
        zh.push(format!("{}–{}年", years.from, years.to));
        en.push(format!("{}–{}", years.from, years.to));
    }
    if let Some(sizes) = rule.household_size {
        zh.push(format!("{}–{}人户", sizes.min, sizes.max));
        en.push(format!("households of {}–{}", sizes.min, sizes.max));
    }
    if zh.is_empty() {
        zh.push("所有住户".into());
        en.push("every household".into());
    }
    let cap = match rule.cap {
        Cap::PerPerson { m2 } => Text {
            zh: format!("人均 {} m²", m2.to_m2_exact_string()),
            en: format!("{} m² per person", m2.to_m2_exact_string()),
        },
        Cap::Total { m2 } => Text {
            zh: format!("每户 {} m²", m2.to_m2_exact_string()),
            en: format!("{} m² per household", m2.to_m2_exact_string()),
        },
    };
    CapRuleView {
        name: rule.name.clone(),
        applies_to: Text {
            zh: zh.join("，"),
            en: en.join(", "),
        },
        cap,
    }
}

/// "房屋安全等级：C级（局部危险）、D级（整体危险）"
fn critical_view(item: &CriticalItem) -> Text {
    let form = form_by_id(&item.form, item.version);
    let found = form
        .as_ref()
        .and_then(|f| f.item(&item.item))
        .map(|(_, i)| i);
    let label = found.map_or_else(|| Text::new(&item.item, &item.item), |i| i.label.clone());
    let answer = |key: &String| -> Text {
        match found.map(|i| &i.kind) {
            Some(ItemKind::Choice { options, .. }) => options
                .iter()
                .find(|o| &o.key == key)
                .map_or_else(|| Text::new(key, key), |o| o.label.clone()),
            _ => YesNo::from_code(key).map_or_else(|| Text::new(key, key), YesNo::label),
        }
    };
    let answers: Vec<Text> = item.answers.iter().map(answer).collect();
    Text {
        zh: format!(
            "{}：{}",
            label.zh,
            answers
                .iter()
                .map(|a| a.zh.as_str())
                .collect::<Vec<_>>()
                .join("、")
        ),
        en: format!(
            "{}: {}",
            label.en,
            answers
                .iter()
                .map(|a| a.en.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn view(version: &PolicyVersion, in_force: bool) -> Result<PolicyView> {
    let policy = &version.policy;
    let permille = policy.spot_check_tolerance_permille;
    Ok(PolicyView {
        version: version.version,
        effective_from: version.effective_from,
        set_by: version.set_by.clone(),
        set_at: version.set_at,
        in_force,
        province: policy.province.clone(),
        programme_year: policy.programme_year,
        caps: policy.area_caps.rules().iter().map(cap_view).collect(),
        critical_items: policy.critical_items.iter().map(critical_view).collect(),
        spot_check_tolerance: format!("{}.{}%", permille / 10, permille % 10),
        sampling: policy.sampling,
        rectification_days: policy.rectification_days,
        file: serde_json::to_string_pretty(version)?,
    })
}

/// Every version, newest first. Every office user may read the policy.
pub fn policy_page(db: &OfficeDb, _viewer: &Viewer) -> Result<PolicyPage> {
    let history = decide::policy_history(db.connection())?;
    let today = today();
    let current = history.in_force(today).map(|v| v.version);
    let mut versions = history
        .versions()
        .iter()
        .map(|v| view(v, Some(v.version) == current))
        .collect::<Result<Vec<_>>>()?;
    versions.sort_by_key(|v| std::cmp::Reverse(v.version));
    Ok(PolicyPage { versions, today })
}

/// Set a new version (or, with `dry_run`, only check it and show it as it would be).
pub fn set_policy(db: &mut OfficeDb, viewer: &Viewer, update: &PolicyUpdate) -> Result<PolicyView> {
    viewer.require_admin()?;
    // The record names who set it as official records do: 姓名（单位/部门）.
    let who = crate::names::Names::load(db.connection())?.of(&viewer.name);
    let by = format!("{} / {}", who.zh, who.en);
    if update.dry_run {
        let preview = decide::next_version(db.connection(), &update.file, &by, Utc::now())?;
        return view(&preview, false);
    }
    let version = decide::set_policy(db, &update.file, &by, Utc::now())?;
    view(&version, version.effective_from <= today())
}

impl From<decide::PolicyError> for PageError {
    fn from(error: decide::PolicyError) -> Self {
        match error {
            decide::PolicyError::Db(e) => PageError::Db(e),
            other => PageError::Policy(other),
        }
    }
}
