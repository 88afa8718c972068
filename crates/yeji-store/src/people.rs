//! The people who sign in (SPEC §15.1): users with a role and the entity
//! that scopes it, their password hashes (argon2, made by yeji-people),
//! consecutive failed sign-ins, API tokens and one-time sign-in links, both
//! kept only as hashes. Every change is audited in its own transaction, and
//! none may take away the last active admin.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{AuditEntry, record};
use crate::{Catalog, Result, StoreError, with_pool};

/// A user as the catalog holds it (the role as its name; yeji-people reads it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct User {
    pub login: String,
    pub name: String,
    pub role: String,
    /// A manager's org unit, a rep's rep_id.
    pub entity: Option<String>,
    #[serde(skip)]
    pub password_hash: String,
    pub active: bool,
    /// Failed sign-ins since the last one that succeeded.
    pub failed_signins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl User {
    /// What an audit row shows of the user (never the password hash).
    fn audited(&self) -> serde_json::Value {
        serde_json::json!({ "name": self.name, "role": self.role, "entity": self.entity, "active": self.active })
    }
}

pub struct NewUser<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub entity: Option<&'a str>,
    pub password_hash: &'a str,
}

/// An API token (its secret only as a hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Token {
    pub id: String,
    pub login: String,
    #[serde(skip)]
    pub secret_hash: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const USER_COLUMNS: &str = "login, name, role, entity, password_hash, active, failed_signins, locked_until, created_at";

/// The active admins, counted in a transaction.
macro_rules! active_admins {
    ($tx:expr) => {{
        let row =
            sqlx::query("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active").fetch_one(&mut *$tx).await?;
        row.get::<i64, _>(0)
    }};
}

impl Catalog {
    pub async fn users(&self) -> Result<Vec<User>> {
        with_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY login")).fetch_all(pool).await?)
        })
    }

    pub async fn user(&self, login: &str) -> Result<Option<User>> {
        with_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE login = $1"))
                .bind(login)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// Whether the workspace has any user (then everyone must sign in).
    pub async fn has_users(&self) -> Result<bool> {
        with_pool!(self, |pool| {
            Ok(sqlx::query("SELECT COUNT(*) FROM users").fetch_one(pool).await?.get::<i64, _>(0) > 0)
        })
    }

    pub async fn add_user(&self, user: NewUser<'_>, actor: &str) -> Result<User> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let exists =
                sqlx::query("SELECT 1 FROM users WHERE login = $1").bind(user.login).fetch_optional(&mut *tx).await?;
            if exists.is_some() {
                tx.rollback().await?;
                return Err(StoreError::UserExists(user.login.to_owned()));
            }
            let added: User = sqlx::query_as(&format!(
                "INSERT INTO users (login, name, role, entity, password_hash, active, failed_signins, created_at) \
                 VALUES ($1, $2, $3, $4, $5, TRUE, 0, $6) RETURNING {USER_COLUMNS}"
            ))
            .bind(user.login)
            .bind(user.name)
            .bind(user.role)
            .bind(user.entity)
            .bind(user.password_hash)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            record!(&mut *tx, &AuditEntry::new(actor, "user.add", user.login).after(added.audited()))?;
            tx.commit().await?;
            Ok(added)
        })
    }

    /// Changes a user's role, entity, name or active flag (`change` edits a
    /// copy); audited with the values before and after.
    pub async fn update_user(&self, login: &str, actor: &str, change: impl FnOnce(&mut User)) -> Result<User> {
        let before = self.user(login).await?.ok_or_else(|| StoreError::NoSuchUser(login.to_owned()))?;
        let mut after = before.clone();
        change(&mut after);
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let admins = active_admins!(tx);
            sqlx::query("UPDATE users SET name = $1, role = $2, entity = $3, active = $4 WHERE login = $5")
                .bind(&after.name)
                .bind(&after.role)
                .bind(&after.entity)
                .bind(after.active)
                .bind(login)
                .execute(&mut *tx)
                .await?;
            if admins > 0 && active_admins!(tx) == 0 {
                tx.rollback().await?;
                return Err(StoreError::LastAdmin(login.to_owned()));
            }
            let entry = AuditEntry::new(actor, "user.change", login).before(before.audited()).after(after.audited());
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(after)
        })
    }

    /// Sets a user's password hash (and clears a lock); audited without it.
    pub async fn set_password(&self, login: &str, password_hash: &str, actor: &str) -> Result<()> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(
                "UPDATE users SET password_hash = $1, failed_signins = 0, locked_until = NULL WHERE login = $2",
            )
            .bind(password_hash)
            .bind(login)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                tx.rollback().await?;
                return Err(StoreError::NoSuchUser(login.to_owned()));
            }
            record!(&mut *tx, &AuditEntry::new(actor, "user.password", login))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Records a sign-in: a success clears the failures; a failure counts one
    /// more and may lock the login until `lock_until`. A failure is audited.
    pub async fn record_signin(&self, login: &str, succeeded: bool, lock_until: Option<DateTime<Utc>>) -> Result<()> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            if succeeded {
                sqlx::query("UPDATE users SET failed_signins = 0, locked_until = NULL WHERE login = $1")
                    .bind(login)
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query(
                    "UPDATE users SET failed_signins = failed_signins + 1, locked_until = COALESCE($1, locked_until) \
                     WHERE login = $2",
                )
                .bind(lock_until)
                .bind(login)
                .execute(&mut *tx)
                .await?;
                let entry = AuditEntry::new(login, "signin_failed", login)
                    .after(serde_json::json!({ "locked_until": lock_until }));
                record!(&mut *tx, &entry)?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn add_token(&self, id: &str, login: &str, secret_hash: &str, actor: &str) -> Result<()> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO tokens (id, login, secret_hash, created_at) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(login)
                .bind(secret_hash)
                .bind(Utc::now())
                .execute(&mut *tx)
                .await?;
            record!(
                &mut *tx,
                &AuditEntry::new(actor, "token.create", id).after(serde_json::json!({ "login": login }))
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn token(&self, id: &str) -> Result<Option<Token>> {
        with_pool!(self, |pool| {
            Ok(sqlx::query_as("SELECT id, login, secret_hash, created_at, revoked_at FROM tokens WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?)
        })
    }

    pub async fn tokens(&self) -> Result<Vec<Token>> {
        with_pool!(self, |pool| {
            Ok(sqlx::query_as("SELECT id, login, secret_hash, created_at, revoked_at FROM tokens ORDER BY created_at")
                .fetch_all(pool)
                .await?)
        })
    }

    /// Revokes a token for good; `false` when there was no live token of that id.
    pub async fn revoke_token(&self, id: &str, actor: &str) -> Result<bool> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(Utc::now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if updated.rows_affected() == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            record!(&mut *tx, &AuditEntry::new(actor, "token.revoke", id))?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Stores a one-time sign-in link for `login`, valid until `expires_at`.
    pub async fn add_signin_link(&self, secret_hash: &str, login: &str, expires_at: DateTime<Utc>) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query("INSERT INTO signin_links (secret_hash, login, expires_at) VALUES ($1, $2, $3)")
                .bind(secret_hash)
                .bind(login)
                .bind(expires_at)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Uses a sign-in link once: the login it was made for, if it is unused
    /// and not expired (a second use finds nothing).
    pub async fn use_signin_link(&self, secret_hash: &str) -> Result<Option<String>> {
        let now = Utc::now();
        with_pool!(self, |pool| {
            let row = sqlx::query(
                "UPDATE signin_links SET used_at = $1 WHERE secret_hash = $2 AND used_at IS NULL AND expires_at > $1 \
                 RETURNING login",
            )
            .bind(now)
            .bind(secret_hash)
            .fetch_optional(pool)
            .await?;
            Ok(row.map(|r| r.get(0)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new<'a>(login: &'a str, role: &'a str) -> NewUser<'a> {
        NewUser { login, name: login, role, entity: None, password_hash: "$argon2id$..." }
    }

    #[tokio::test]
    async fn users_are_added_changed_and_the_last_admin_stays() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            assert!(!catalog.has_users().await.unwrap());
            catalog.add_user(new("ana", "admin"), "root").await.unwrap();
            catalog.add_user(new("bo", "director"), "ana").await.unwrap();
            assert!(matches!(catalog.add_user(new("bo", "rep"), "ana").await, Err(StoreError::UserExists(_))));
            let disabled = catalog.update_user("ana", "ana", |u| u.active = false).await;
            assert!(matches!(disabled, Err(StoreError::LastAdmin(login)) if login == "ana"), "nothing changed");
            assert!(catalog.user("ana").await.unwrap().unwrap().active);
            catalog.update_user("bo", "ana", |u| u.role = "admin".into()).await.unwrap();
            catalog.update_user("ana", "bo", |u| u.active = false).await.unwrap();
            let log = catalog.audit_log(&Default::default()).await.unwrap();
            let last = log.last().unwrap();
            assert_eq!((last.actor.as_str(), last.action.as_str(), last.object.as_str()), ("bo", "user.change", "ana"));
            assert_eq!(last.before.as_ref().unwrap()["active"], true);
            assert_eq!(last.after.as_ref().unwrap()["active"], false);
            assert!(!serde_json::to_string(&log).unwrap().contains("argon2"), "no hash in the log");
        }
    }

    #[tokio::test]
    async fn signins_count_failures_tokens_revoke_and_links_work_once() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            catalog.add_user(new("ana", "admin"), "root").await.unwrap();
            let later = Utc::now() + chrono::Duration::minutes(15);
            catalog.record_signin("ana", false, None).await.unwrap();
            catalog.record_signin("ana", false, Some(later)).await.unwrap();
            let ana = catalog.user("ana").await.unwrap().unwrap();
            assert_eq!(ana.failed_signins, 2);
            assert!(ana.locked_until.is_some_and(|t| (t - later).num_seconds().abs() < 2));
            catalog.record_signin("ana", true, None).await.unwrap();
            assert_eq!(catalog.user("ana").await.unwrap().unwrap().failed_signins, 0);

            catalog.add_token("t1", "ana", "hash", "ana").await.unwrap();
            assert_eq!(catalog.token("t1").await.unwrap().unwrap().login, "ana");
            assert!(catalog.revoke_token("t1", "ana").await.unwrap());
            assert!(!catalog.revoke_token("t1", "ana").await.unwrap(), "already revoked");
            assert!(catalog.token("t1").await.unwrap().unwrap().revoked_at.is_some());

            catalog.add_signin_link("link", "ana", later).await.unwrap();
            assert_eq!(catalog.use_signin_link("link").await.unwrap().as_deref(), Some("ana"));
            assert_eq!(catalog.use_signin_link("link").await.unwrap(), None, "once only");
            catalog.add_signin_link("old", "ana", Utc::now() - chrono::Duration::minutes(1)).await.unwrap();
            assert_eq!(catalog.use_signin_link("old").await.unwrap(), None, "expired");
            let failures = crate::AuditFilter { action: Some("signin_failed".into()), ..Default::default() };
            assert_eq!(catalog.audit_log(&failures).await.unwrap().len(), 2);
        }
    }
}
