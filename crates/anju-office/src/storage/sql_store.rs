//! [`OfficeStore`] over the office database.

use anju_core::wire::{PullResponse, PushRecord, RecordResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{OfficeDatabase, OfficeStore, StorageError};
use crate::audit::AuditEntry;
use crate::db::{OfficeDb, OfficeDbError};
use crate::users::{self, AuthUser, TokenIdle, TokenKind, TokenState};
use crate::{assign, sync_db};

/// The sync API's records in the office database. Each push record is its own short
/// transaction.
pub struct SqlOfficeStore {
    database: OfficeDatabase,
    idle: TokenIdle,
}

impl SqlOfficeStore {
    pub fn new(db: OfficeDb, idle: TokenIdle) -> Self {
        Self {
            database: OfficeDatabase::new(db),
            idle,
        }
    }

    /// The same database, for the office's services.
    pub fn database(&self) -> OfficeDatabase {
        self.database.clone()
    }

    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut OfficeDb) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        self.database.with(f).await
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut OfficeDb) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        self.database.read(f).await
    }
}

#[async_trait]
impl OfficeStore for SqlOfficeStore {
    async fn sign_in_candidate(
        &self,
        name: String,
    ) -> Result<Option<(AuthUser, String)>, StorageError> {
        self.read(move |db| Ok(users::sign_in_candidate(db, &name)?))
            .await
    }

    async fn issue_token(
        &self,
        user: AuthUser,
        device_id: Uuid,
        device_name: Option<String>,
        kind: TokenKind,
    ) -> Result<String, StorageError> {
        self.with(move |db| {
            Ok(users::issue_token(
                db,
                &user,
                device_id,
                device_name.as_deref(),
                kind,
                Utc::now(),
            )?)
        })
        .await
    }

    async fn user_for_token(&self, token: String) -> Result<TokenState, StorageError> {
        let idle = self.idle;
        let lookup = token.clone();
        let state = self
            .read(move |db| Ok(users::user_for_token(db, &lookup, Utc::now(), &idle)?))
            .await?;
        if let TokenState::Valid { touch: true, .. } = state {
            self.with(move |db| Ok(users::touch_token(db, &token, Utc::now())?))
                .await?;
        }
        Ok(state)
    }

    async fn prune_tokens(&self) -> Result<usize, StorageError> {
        let idle = self.idle;
        self.with(move |db| {
            crate::login_failures::forget_old(db.connection(), Utc::now())
                .map_err(OfficeDbError::from)?;
            Ok(users::prune_tokens(db, Utc::now(), &idle)?)
        })
        .await
    }

    async fn sign_in_wait(
        &self,
        name: String,
        address: std::net::IpAddr,
        now: DateTime<Utc>,
    ) -> Result<Result<(), DateTime<Utc>>, StorageError> {
        self.read(move |db| {
            let mut ledger = crate::login_failures::SqlLedger(db.connection());
            Ok(crate::throttle::check(&mut ledger, &name, address, now)
                .map_err(OfficeDbError::from)?)
        })
        .await
    }

    async fn sign_in_failed(
        &self,
        name: String,
        address: std::net::IpAddr,
        now: DateTime<Utc>,
    ) -> Result<Vec<crate::throttle::Lockout>, StorageError> {
        self.with(move |db| {
            let tx = db
                .connection_mut()
                .transaction_with_behavior(anju_sql::TransactionBehavior::Immediate)
                .map_err(OfficeDbError::from)?;
            let lockouts = crate::throttle::failed(
                &mut crate::login_failures::SqlLedger(&tx),
                &name,
                address,
                now,
            )
            .map_err(OfficeDbError::from)?;
            tx.commit().map_err(OfficeDbError::from)?;
            Ok(lockouts)
        })
        .await
    }

    async fn sign_in_succeeded(
        &self,
        name: String,
        address: std::net::IpAddr,
    ) -> Result<bool, StorageError> {
        self.with(move |db| {
            let mut ledger = crate::login_failures::SqlLedger(db.connection());
            Ok(crate::throttle::succeeded(&mut ledger, &name, address)
                .map_err(OfficeDbError::from)?)
        })
        .await
    }

    async fn audit(&self, entry: AuditEntry) -> Result<(), StorageError> {
        self.with(move |db| {
            crate::audit::record(db.connection(), &entry, Utc::now())
                .map_err(|e| StorageError::Db(e.into()))
        })
        .await
    }

    async fn revoke_token(&self, token: String) -> Result<(), StorageError> {
        self.with(move |db| Ok(users::revoke_token(db, &token)?))
            .await
    }

    async fn pull(
        &self,
        user: AuthUser,
        cursor: i64,
        limit: u32,
    ) -> Result<PullResponse, StorageError> {
        self.read(move |db| Ok(sync_db::pull(db, &user.id, cursor, limit)?))
            .await
    }

    async fn precheck(
        &self,
        user: AuthUser,
        records: Vec<PushRecord>,
    ) -> Result<Vec<Option<RecordResult>>, StorageError> {
        // Checking is reading (and the CPU work of validation): a reader, so that the
        // writer is held only to store.
        self.read(move |db| {
            let now = Utc::now();
            records
                .iter()
                .map(|r| sync_db::precheck(db, &user, r, now).map_err(StorageError::from))
                .collect()
        })
        .await
    }

    async fn store_record(
        &self,
        user: AuthUser,
        device_id: Uuid,
        record: PushRecord,
        push_offset_ms: i64,
    ) -> Result<RecordResult, StorageError> {
        self.with(move |db| {
            Ok(sync_db::store_record(
                db,
                &user,
                device_id,
                &record,
                push_offset_ms,
            )?)
        })
        .await
    }

    async fn record_contact(
        &self,
        user: AuthUser,
        device_id: Uuid,
        device_time: DateTime<Utc>,
        server_time: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        self.with(move |db| {
            Ok(sync_db::record_contact(
                db,
                &user,
                device_id,
                device_time,
                server_time,
            )?)
        })
        .await
    }

    async fn users(&self) -> Result<Vec<AuthUser>, StorageError> {
        self.with(|db| Ok(users::list_users(db)?)).await
    }

    async fn team_of(
        &self,
        user_id: String,
    ) -> Result<Option<anju_core::team::Team>, StorageError> {
        self.read(move |db| Ok(crate::teams::team_of(&db.conn, &user_id)?))
            .await
    }

    async fn set_pin_verifier(
        &self,
        user_id: String,
        verifier: String,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.with(move |db| {
            Ok(crate::teams::set_pin_verifier(
                &db.conn, &user_id, &verifier, now,
            )?)
        })
        .await
    }

    async fn assign(
        &self,
        inspector: String,
        target: assign::Target,
    ) -> Result<usize, StorageError> {
        self.with(move |db| Ok(assign::assign(db, &inspector, &target)?))
            .await
    }
}
