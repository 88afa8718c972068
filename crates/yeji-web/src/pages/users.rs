//! The users page (admins): who signs in, with what role and scope; adding a
//! user, changing a role or an entity, disabling and enabling.

use maud::{Markup, html};
use yeji_people::Role;
use yeji_store::User;

use super::{Ctx, role_label};

pub fn render(ctx: &Ctx, users: &[User], message: Option<&str>) -> Markup {
    let t = |key| ctx.lang.t(key);
    let roles = |selected: &str| {
        html! { @for role in Role::ALL { option value=(role.name()) selected[role.name() == selected] { (role_label(ctx.lang, role)) } } }
    };
    html! {
        @if let Some(message) = message { div.card.note #users-message { p { (message) } } }
        section.card {
            h2 { (t("users")) }
            table.data #users {
                thead { tr { th { (t("login")) } th { (t("name")) } th { (t("role")) } th { (t("scope")) } th { (t("state")) } th {} } }
                tbody { @for user in users {
                    tr data-login=(user.login) {
                        td { (user.login) } td { (user.name) }
                        td colspan="2" {
                            form.inline method="post" action="/users" {
                                input type="hidden" name="login" value=(user.login);
                                select name="role" { (roles(&user.role)) }
                                input name="entity" value=(user.entity.as_deref().unwrap_or("")) size="10" placeholder=(t("entity_hint"));
                                button type="submit" name="action" value="set" { (t("save")) }
                            }
                        }
                        td { @if user.active { (t("active")) } @else { span.muted { (t("disabled")) } } }
                        td {
                            form.inline method="post" action="/users" {
                                input type="hidden" name="login" value=(user.login);
                                @if user.active {
                                    button type="submit" name="action" value="disable" { (t("disable")) }
                                } @else {
                                    button type="submit" name="action" value="enable" { (t("enable")) }
                                }
                            }
                        }
                    }
                } }
            }
        }
        form.card #add-user method="post" action="/users" {
            h2 { (t("add_user")) }
            input type="hidden" name="action" value="add";
            label { (t("login")) input name="login" required; }
            label { (t("name")) input name="name"; }
            label { (t("role")) select name="role" { (roles("rep")) } }
            label { (t("entity")) input name="entity" placeholder=(t("entity_hint")); }
            label { (t("password")) input name="password" type="password" autocomplete="new-password" required; }
            button type="submit" { (t("add_user")) }
        }
    }
}
