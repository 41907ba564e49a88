//! The audit log: who signed in, who was locked out, who looked at a household's personal
//! data, who reviewed, imported, changed the policy or moved a finding. Append-only (the
//! database refuses to change or remove an entry); read newest first, by cursor.

use anju_sql::{Connection, params};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What was done.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    SignOut,
    /// A name from one address must wait after wrong passwords.
    Lockout,
    /// An address must wait, whatever name it tries.
    AddressLockout,
    /// A name that had been locked out signed in with the right password.
    Unlock,
    /// ID and phone numbers shown in full.
    Reveal,
    Review,
    ConflictDecision,
    Import,
    PolicyChange,
    FormPublish,
    /// 布置走访任务.
    TaskPlan,
    FindingTransition,
    /// An export or a printed form with personal data in full.
    ExportFull,
    /// A user's 姓名, 单位/部门 or 职务 changed: how official records name them.
    UserProfile,
    /// 验收组 made or its members changed.
    TeamSet,
    /// A team member set their confirmation PIN.
    PinSet,
    /// A site's 包保责任人 or monthly plan changed.
    SiteRecord,
    /// 数据接口令牌 made for another system (its name and townships; never the secret).
    IntegrationTokenCreate,
    /// 数据接口令牌 revoked.
    IntegrationTokenRevoke,
}

impl AuditAction {
    pub const ALL: [Self; 20] = [
        Self::SignIn,
        Self::SignOut,
        Self::Lockout,
        Self::AddressLockout,
        Self::Unlock,
        Self::Reveal,
        Self::Review,
        Self::ConflictDecision,
        Self::Import,
        Self::PolicyChange,
        Self::FormPublish,
        Self::TaskPlan,
        Self::FindingTransition,
        Self::ExportFull,
        Self::UserProfile,
        Self::TeamSet,
        Self::PinSet,
        Self::SiteRecord,
        Self::IntegrationTokenCreate,
        Self::IntegrationTokenRevoke,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SignOut => "sign_out",
            Self::Lockout => "lockout",
            Self::AddressLockout => "address_lockout",
            Self::Unlock => "unlock",
            Self::Reveal => "reveal",
            Self::Review => "review",
            Self::ConflictDecision => "conflict_decision",
            Self::Import => "import",
            Self::PolicyChange => "policy_change",
            Self::FormPublish => "form_publish",
            Self::TaskPlan => "task_plan",
            Self::FindingTransition => "finding_transition",
            Self::ExportFull => "export_full",
            Self::UserProfile => "user_profile",
            Self::TeamSet => "team_set",
            Self::PinSet => "pin_set",
            Self::SiteRecord => "site_record",
            Self::IntegrationTokenCreate => "integration_token_create",
            Self::IntegrationTokenRevoke => "integration_token_revoke",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::SignIn => "登录",
            Self::SignOut => "退出登录",
            Self::Lockout => "账号锁定",
            Self::AddressLockout => "地址锁定",
            Self::Unlock => "解除锁定",
            Self::Reveal => "查看完整个人信息",
            Self::Review => "审核验收",
            Self::ConflictDecision => "裁决冲突",
            Self::Import => "导入名册",
            Self::PolicyChange => "修改政策",
            Self::FormPublish => "发布表单",
            Self::TaskPlan => "布置走访任务",
            Self::FindingTransition => "问题状态变更",
            Self::ExportFull => "导出完整个人信息",
            Self::UserProfile => "修改用户姓名单位",
            Self::TeamSet => "设置验收组",
            Self::PinSet => "设置确认PIN",
            Self::SiteRecord => "修改安置点包保责任人或进度计划",
            Self::IntegrationTokenCreate => "创建数据接口令牌",
            Self::IntegrationTokenRevoke => "撤销数据接口令牌",
        }
    }
}

/// One thing to record.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// The user's name, or the name that was tried.
    pub actor: String,
    pub user_id: Option<String>,
    pub client: Option<String>,
    pub action: AuditAction,
    pub target: Option<String>,
    pub detail: String,
}

impl AuditEntry {
    pub fn by(user: &crate::users::AuthUser, action: AuditAction) -> Self {
        Self {
            actor: user.name.clone(),
            user_id: Some(user.id.clone()),
            client: None,
            action,
            target: None,
            detail: String::new(),
        }
    }

    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    pub fn client(mut self, client: impl Into<String>) -> Self {
        self.client = Some(client.into());
        self
    }
}

/// Append an entry.
pub fn record(
    conn: &Connection,
    entry: &AuditEntry,
    at: DateTime<Utc>,
) -> Result<(), anju_sql::Error> {
    conn.execute(
        "INSERT INTO audit_log (id, at, user_id, actor, client, action, target, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            Uuid::now_v7().to_string(),
            at.to_rfc3339(),
            entry.user_id,
            entry.actor,
            entry.client,
            entry.action.code(),
            entry.target,
            entry.detail,
        ],
    )?;
    Ok(())
}

/// One entry as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, utoipa::ToSchema)]
pub struct AuditRow {
    /// The cursor of this entry.
    #[ts(type = "number")]
    pub seq: i64,
    pub at: String,
    /// The login (or the name that was tried), a detail next to `actor_display`.
    pub actor: String,
    /// Who, as official records name them (姓名（单位/部门）); the name as it was tried
    /// when it is no user's.
    pub actor_display: anju_core::form::Text,
    pub client: Option<String>,
    pub action: String,
    pub action_label: String,
    pub target: Option<String>,
    pub detail: String,
}

/// Up to `limit` entries older than `before` (the newest first), of one action or all.
pub fn list(
    conn: &Connection,
    action: Option<AuditAction>,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<AuditRow>, anju_sql::Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, actor, client, action, target, detail, user_id IS NOT NULL
         FROM audit_log
         WHERE (?1 IS NULL OR action = ?1) AND seq < ?2
         ORDER BY seq DESC LIMIT ?3",
    )?;
    let names = crate::names::Names::load(conn)?;
    let rows = stmt.query_map(
        params![
            action.map(AuditAction::code),
            before.unwrap_or(i64::MAX),
            limit
        ],
        |row| {
            let action: String = row.get(4)?;
            let actor: String = row.get(2)?;
            let known: bool = row.get(7)?;
            Ok(AuditRow {
                seq: row.get(0)?,
                at: row.get(1)?,
                actor_display: if known {
                    names.of(&actor)
                } else {
                    anju_core::form::Text::new(&actor, &actor)
                },
                actor,
                client: row.get(3)?,
                action_label: AuditAction::from_code(&action)
                    .map(AuditAction::label_zh)
                    .unwrap_or("未知操作")
                    .to_string(),
                action,
                target: row.get(5)?,
                detail: row.get(6)?,
            })
        },
    )?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_kept_and_cannot_be_changed_or_removed() {
        let dir = crate::testing::data_dir();
        let db = crate::db::OfficeDb::create(dir.path()).unwrap();
        let conn = db.connection();
        for (i, action) in [
            AuditAction::SignIn,
            AuditAction::Reveal,
            AuditAction::SignIn,
        ]
        .into_iter()
        .enumerate()
        {
            let entry = AuditEntry {
                actor: format!("user{i}"),
                user_id: None,
                client: Some("127.0.0.1".into()),
                action,
                target: Some("h1".into()),
                detail: String::new(),
            };
            record(conn, &entry, Utc::now()).unwrap();
        }
        let all = list(conn, None, None, 10).unwrap();
        assert_eq!(
            all.iter().map(|r| r.actor.as_str()).collect::<Vec<_>>(),
            ["user2", "user1", "user0"]
        );
        let sign_ins = list(conn, Some(AuditAction::SignIn), None, 10).unwrap();
        assert_eq!(sign_ins.len(), 2);
        let older = list(conn, None, Some(all[0].seq), 1).unwrap();
        assert_eq!(older[0].actor, "user1");
        assert!(
            conn.execute("UPDATE audit_log SET actor = 'x'", [])
                .is_err()
        );
        assert!(conn.execute("DELETE FROM audit_log", []).is_err());
        assert_eq!(list(conn, None, None, 10).unwrap().len(), 3);
    }

    #[test]
    fn action_codes_round_trip() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::from_code(action.code()), Some(action));
        }
    }
}
