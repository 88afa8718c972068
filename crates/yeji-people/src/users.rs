//! Adding and changing users, each checked against the roles and the org
//! tree before anything is stored: a manager's entity is an org unit, a rep's
//! a rep_id, the other roles see everything and have none. (Users could later
//! come from a reps.csv column: a rep's user is keyed by login and points at
//! the rep by `entity`, so such a column would only add rows here.)

use yeji_core::Org;
use yeji_store::{Catalog, NewUser, User};

use crate::role::Role;
use crate::secrets::hash_password;
use crate::{PeopleError, Result};

/// The shortest password accepted.
const MIN_PASSWORD: usize = 8;

fn invalid(message: String) -> PeopleError {
    PeopleError::Invalid(message)
}

/// A login: 1 to 64 letters, digits and `. _ @ -`.
fn check_login(login: &str) -> Result<()> {
    let fine = |c: char| c.is_alphanumeric() || "._@-".contains(c);
    if login.is_empty() || login.chars().count() > 64 || !login.chars().all(fine) {
        return Err(invalid(format!("login '{login}': use 1 to 64 letters, digits and . _ @ -")));
    }
    Ok(())
}

fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(invalid(format!("a password needs at least {MIN_PASSWORD} characters")));
    }
    Ok(())
}

/// The entity a role is scoped to, checked against the org tree.
fn check_entity(role: Role, entity: Option<&str>, org: &Org) -> Result<()> {
    match (role, entity) {
        (Role::Manager, Some(unit)) if org.unit(unit).is_some() => Ok(()),
        (Role::Manager, Some(unit)) => Err(invalid(format!("--entity '{unit}': no org unit of that id"))),
        (Role::Rep, Some(rep)) if org.has_rep(rep) => Ok(()),
        (Role::Rep, Some(rep)) => Err(invalid(format!("--entity '{rep}': no rep of that id"))),
        (Role::Manager | Role::Rep, None) => {
            Err(invalid(format!("a {role} needs --entity (a manager's org unit, a rep's rep_id)")))
        }
        (_, Some(entity)) => Err(invalid(format!("a {role} sees everything: no --entity (got '{entity}')"))),
        (_, None) => Ok(()),
    }
}

/// A user to add.
#[derive(Clone, Copy, Debug)]
pub struct Person<'a> {
    pub login: &'a str,
    pub role: Role,
    /// A manager's org unit, a rep's rep_id.
    pub entity: Option<&'a str>,
    /// The name shown; the login when none.
    pub name: Option<&'a str>,
    pub password: &'a str,
}

/// Adds a user (audited as done by `actor`).
pub async fn add_user(catalog: &Catalog, org: &Org, person: Person<'_>, actor: &str) -> Result<User> {
    let Person { login, role, entity, name, password } = person;
    check_login(login)?;
    check_entity(role, entity, org)?;
    check_password(password)?;
    let password = password.to_owned();
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| invalid(format!("hashing the password: {e}")))?;
    let user = NewUser { login, name: name.unwrap_or(login), role: role.name(), entity, password_hash: &password_hash };
    Ok(catalog.add_user(user, actor).await?)
}

/// What to change of a user; `None` keeps a field.
#[derive(Clone, Debug, Default)]
pub struct UserChange {
    pub role: Option<Role>,
    /// `Some(None)` clears the entity.
    pub entity: Option<Option<String>>,
    pub name: Option<String>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

/// Changes a user, checked as [`add_user`] checks a new one (audited).
pub async fn change_user(catalog: &Catalog, org: &Org, login: &str, change: UserChange, actor: &str) -> Result<User> {
    let before = catalog.user(login).await?.ok_or_else(|| yeji_store::StoreError::NoSuchUser(login.to_owned()))?;
    let role = match change.role {
        Some(role) => role,
        None => before.role.parse()?,
    };
    let entity = change.entity.clone().unwrap_or(before.entity.clone());
    if change.role.is_some() || change.entity.is_some() {
        check_entity(role, entity.as_deref(), org)?;
    }
    if let Some(password) = change.password {
        check_password(&password)?;
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| invalid(format!("hashing the password: {e}")))?;
        catalog.set_password(login, &hash, actor).await?;
    }
    if change.role.is_none() && change.entity.is_none() && change.name.is_none() && change.active.is_none() {
        return Ok(catalog.user(login).await?.unwrap_or(before));
    }
    Ok(catalog
        .update_user(login, actor, |user| {
            user.role = role.name().to_owned();
            user.entity = entity;
            if let Some(name) = change.name {
                user.name = name;
            }
            if let Some(active) = change.active {
                user.active = active;
            }
        })
        .await?)
}

#[cfg(test)]
mod tests {
    use yeji_core::org::{OrgUnit, RepRow};

    use super::*;

    fn org() -> Org {
        let unit = OrgUnit { id: "E".into(), name: "华东".into(), parent: None, kind: None };
        Org::new([unit], [RepRow::new("R1", "张三", "E")])
    }

    #[tokio::test]
    async fn users_are_checked_against_roles_and_the_org_tree_before_anything_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::open(&dir.path().join("c.sqlite"), true).await.unwrap();
        let org = org();
        let add = |login: &'static str, role: Role, entity: Option<&'static str>, password: &'static str| {
            let (catalog, org) = (&catalog, &org);
            async move { add_user(catalog, org, Person { login, role, entity, name: None, password }, "root").await }
        };
        let error = |result: Result<User>| result.unwrap_err().to_string();
        assert_eq!(
            error(add("li", Role::Manager, Some("W"), "long enough").await),
            "--entity 'W': no org unit of that id"
        );
        assert_eq!(error(add("zs", Role::Rep, Some("R9"), "long enough").await), "--entity 'R9': no rep of that id");
        assert!(error(add("zs", Role::Rep, None, "long enough").await).contains("a rep needs --entity"));
        assert!(error(add("ana", Role::Director, Some("E"), "long enough").await).contains("sees everything"));
        assert!(error(add("a b", Role::Hr, None, "long enough").await).contains("login 'a b'"));
        assert!(error(add("hr", Role::Hr, None, "short").await).contains("at least 8"));
        assert!(catalog.users().await.unwrap().is_empty(), "nothing was stored");
        add("li", Role::Manager, Some("E"), "long enough").await.unwrap();
        let moved =
            change_user(&catalog, &org, "li", UserChange { role: Some(Role::Rep), ..Default::default() }, "root");
        assert!(moved.await.unwrap_err().to_string().contains("no rep of that id"), "E is a unit, not a rep");
        let renamed = UserChange { name: Some("李主管".into()), ..Default::default() };
        assert_eq!(change_user(&catalog, &org, "li", renamed, "root").await.unwrap().name, "李主管");
    }
}
