//! The sign-in page.

use maud::{Markup, html};

use super::Ctx;

pub fn render(ctx: &Ctx, next: &str, error: Option<&str>) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        form.card.signin #signin method="post" action="/login" {
            @if let Some(error) = error { p.error #signin-error { (error) } }
            input type="hidden" name="next" value=(next);
            label { (t("login")) input #login name="login" autocomplete="username" required autofocus; }
            label { (t("password")) input #password name="password" type="password" autocomplete="current-password" required; }
            button type="submit" { (t("sign_in")) }
        }
    }
}
