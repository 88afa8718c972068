//! Who is looking (SPEC §14, §15.1): users with a role, the scope each role
//! gives over the org tree, what each role may change, and how one proves
//! who one is (a password, an API token, a one-time link).
//!
//! ```text
//! role.rs       the five roles and what each may change
//! principal.rs  who is asking and what they see (their scope)
//! secrets.rs    password hashes (argon2), tokens and links (random, kept as hashes)
//! users.rs      adding and changing users, checked against the org tree
//! signin.rs     signing in: passwords, five failures lock the login, tokens, links
//! ```
//!
//! ```
//! use yeji_people::{Principal, Role};
//! let manager = Principal { login: "li".into(), name: "李经理".into(), role: Role::Manager, entity: Some("RG-E".into()) };
//! assert!(!manager.role.may_change_data());
//! assert!(manager.role.may_coach());
//! ```

mod principal;
mod role;
mod secrets;
mod signin;
mod users;

pub use principal::{Principal, Scope};
pub use role::Role;
pub use secrets::{hash_password, new_secret, secret_hash};
pub use signin::{
    LOCK_AFTER, LOCK_FOR_MINUTES, SigninError, create_signin_link, create_token, sign_in, sign_in_with_link,
    token_principal,
};
pub use users::{Person, UserChange, add_user, change_user};

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error(transparent)]
    Store(#[from] yeji_store::StoreError),
    #[error("unknown role '{0}'; expected admin, director, manager, rep or hr")]
    UnknownRole(String),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, PeopleError>;
