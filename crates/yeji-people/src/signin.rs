//! Signing in (SPEC §15.1): by password (five failures in a row lock the
//! login for a while; every failure is audited), by API token, or by a
//! one-time link. Passwords are verified off the async threads.

use chrono::{DateTime, Utc};
use yeji_store::{Catalog, StoreError, User};

use crate::principal::Principal;
use crate::secrets::{new_secret, password_matches, secret_hash};

/// Failed sign-ins in a row that lock a login…
pub const LOCK_AFTER: i64 = 5;
/// …for this long.
pub const LOCK_FOR_MINUTES: i64 = 15;

#[derive(Debug, thiserror::Error)]
pub enum SigninError {
    /// Unknown login, wrong password or a disabled user: the same answer for all.
    #[error("wrong login or password")]
    Wrong,
    #[error("too many failed sign-ins: the login is locked until {} UTC", .0.format("%Y-%m-%d %H:%M:%S"))]
    Locked(DateTime<Utc>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<User> for Principal {
    fn from(user: User) -> Principal {
        // The catalog only holds roles it was given by name (a CHECK constraint).
        let role = user.role.parse().unwrap_or(crate::Role::Rep);
        Principal { login: user.login, name: user.name, role, entity: user.entity }
    }
}

/// A hash to verify against when the login is unknown, so that an unknown
/// login takes as long to refuse as a wrong password.
fn decoy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| crate::hash_password("not a password of anyone"))
}

async fn matches(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || password_matches(&password, &hash)).await.unwrap_or(false)
}

/// Signs `login` in with `password`.
pub async fn sign_in(catalog: &Catalog, login: &str, password: &str) -> Result<Principal, SigninError> {
    let Some(user) = catalog.user(login).await? else {
        matches(password, decoy_hash()).await;
        catalog.audit(&yeji_store::AuditEntry::new(login, "signin_failed", login)).await?;
        return Err(SigninError::Wrong);
    };
    let now = Utc::now();
    if let Some(until) = user.locked_until.filter(|until| *until > now) {
        catalog.record_signin(login, false, None).await?;
        return Err(SigninError::Locked(until));
    }
    if user.active && matches(password, &user.password_hash).await {
        catalog.record_signin(login, true, None).await?;
        return Ok(user.into());
    }
    let failures = user.failed_signins + 1;
    let lock = (failures % LOCK_AFTER == 0).then(|| now + chrono::Duration::minutes(LOCK_FOR_MINUTES));
    catalog.record_signin(login, false, lock).await?;
    Err(lock.map_or(SigninError::Wrong, SigninError::Locked))
}

/// A new API token for `login`, as its holder sends it (`Bearer …`): shown
/// once, kept only as a hash.
pub async fn create_token(catalog: &Catalog, login: &str, actor: &str) -> Result<String, StoreError> {
    if catalog.user(login).await?.is_none() {
        return Err(StoreError::NoSuchUser(login.to_owned()));
    }
    let id = new_secret()[..12].to_owned();
    let secret = new_secret();
    catalog.add_token(&id, login, &secret_hash(&secret), actor).await?;
    Ok(format!("yeji_{id}_{secret}"))
}

/// The user an API token stands for, if it is one of ours, not revoked, and
/// its user is active.
pub async fn token_principal(catalog: &Catalog, token: &str) -> Result<Option<Principal>, StoreError> {
    let Some((id, secret)) = token.strip_prefix("yeji_").and_then(|rest| rest.split_once('_')) else {
        return Ok(None);
    };
    let Some(stored) = catalog.token(id).await? else { return Ok(None) };
    if stored.revoked_at.is_some() || stored.secret_hash != secret_hash(secret) {
        return Ok(None);
    }
    Ok(catalog.user(&stored.login).await?.filter(|u| u.active).map(Principal::from))
}

/// A one-time sign-in link's secret for `login`, valid for `minutes`.
pub async fn create_signin_link(catalog: &Catalog, login: &str, minutes: i64) -> Result<String, StoreError> {
    let secret = new_secret();
    catalog.add_signin_link(&secret_hash(&secret), login, Utc::now() + chrono::Duration::minutes(minutes)).await?;
    Ok(secret)
}

/// Signs in with a one-time link's secret (once only).
pub async fn sign_in_with_link(catalog: &Catalog, secret: &str) -> Result<Option<Principal>, StoreError> {
    let Some(login) = catalog.use_signin_link(&secret_hash(secret)).await? else { return Ok(None) };
    Ok(catalog.user(&login).await?.filter(|u| u.active).map(Principal::from))
}

#[cfg(test)]
mod tests {
    use yeji_core::Org;

    use super::*;
    use crate::{Person, Role, add_user};

    async fn catalog_with_ana() -> (Catalog, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::open(&dir.path().join("c.sqlite"), true).await.unwrap();
        let ana =
            Person {
                login: "ana", role: Role::Director, entity: None, name: Some("安娜"), password: "correct horse"
            };
        add_user(&catalog, &Org::default(), ana, "root").await.unwrap();
        (catalog, dir)
    }

    #[tokio::test]
    async fn five_failures_in_a_row_lock_the_login_and_each_is_audited() {
        let (catalog, _dir) = catalog_with_ana().await;
        assert_eq!(sign_in(&catalog, "ana", "correct horse").await.unwrap().name, "安娜");
        for attempt in 1..=4 {
            assert!(matches!(sign_in(&catalog, "ana", "wrong").await, Err(SigninError::Wrong)), "{attempt}");
        }
        assert!(matches!(sign_in(&catalog, "ana", "wrong").await, Err(SigninError::Locked(_))), "the fifth locks");
        // Locked: even the right password is refused until the lock ends.
        assert!(matches!(sign_in(&catalog, "ana", "correct horse").await, Err(SigninError::Locked(_))));
        assert!(matches!(sign_in(&catalog, "nobody", "x").await, Err(SigninError::Wrong)));
        let failures = yeji_store::AuditFilter { action: Some("signin_failed".into()), ..Default::default() };
        let logged = catalog.audit_log(&failures).await.unwrap();
        assert_eq!(logged.len(), 7, "4 wrong, the locking one, one while locked, the unknown login");
        assert_eq!(logged.last().unwrap().object, "nobody");
    }

    #[tokio::test]
    async fn tokens_and_links_sign_in_until_revoked_or_used() {
        let (catalog, _dir) = catalog_with_ana().await;
        let token = create_token(&catalog, "ana", "root").await.unwrap();
        assert_eq!(token_principal(&catalog, &token).await.unwrap().unwrap().login, "ana");
        let other = if token.ends_with('0') { '1' } else { '0' };
        let forged = format!("{}{other}", &token[..token.len() - 1]);
        assert_eq!(token_principal(&catalog, &forged).await.unwrap(), None);
        let id = token.split('_').nth(1).unwrap();
        catalog.revoke_token(id, "root").await.unwrap();
        assert_eq!(token_principal(&catalog, &token).await.unwrap(), None, "revoked");
        let link = create_signin_link(&catalog, "ana", 10).await.unwrap();
        assert_eq!(sign_in_with_link(&catalog, &link).await.unwrap().unwrap().login, "ana");
        assert_eq!(sign_in_with_link(&catalog, &link).await.unwrap(), None, "used once");
    }
}
