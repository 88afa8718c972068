//! The API reference page, rendered from the OpenAPI document itself (no
//! external viewer to vendor): every path with its parameters and responses.

use maud::{Markup, html};
use serde_json::Value;

use super::Ctx;

pub fn render(ctx: &Ctx, openapi: &Value) -> Markup {
    let t = |key| ctx.lang.t(key);
    let empty = serde_json::Map::new();
    let paths = openapi["paths"].as_object().unwrap_or(&empty);
    html! {
        p { a href="/api/v1/openapi.json" { "openapi.json" } " · " (openapi["info"]["description"].as_str().unwrap_or("")) }
        @for (path, item) in paths {
            @for (method, operation) in item.as_object().unwrap_or(&empty) {
                section.card.endpoint {
                    h2 { span class={ "method " (method) } { (method.to_uppercase()) } " " code { (path) } }
                    @if let Some(text) = operation["description"].as_str().or(operation["summary"].as_str()) { p { (text) } }
                    @if let Some(parameters) = operation["parameters"].as_array() {
                        h3 { (t("parameters")) }
                        table.data {
                            tbody { @for p in parameters {
                                tr {
                                    td { code { (p["name"].as_str().unwrap_or("")) } }
                                    td.muted { (p["in"].as_str().unwrap_or("")) @if p["required"] == true { " · required" } }
                                    td { (p["description"].as_str().unwrap_or("")) }
                                }
                            } }
                        }
                    }
                    h3 { (t("response")) }
                    ul { @for (status, response) in operation["responses"].as_object().unwrap_or(&empty) {
                        li { code { (status) } " " (response["description"].as_str().unwrap_or("")) " " (schema_name(response)) }
                    } }
                }
            }
        }
    }
}

/// The schema a response names (`Overview`, `WebError`, …).
fn schema_name(response: &Value) -> String {
    let schema = &response["content"]["application/json"]["schema"];
    let reference = schema["$ref"].as_str().or(schema["items"]["$ref"].as_str()).unwrap_or("");
    reference.rsplit('/').next().unwrap_or("").to_owned()
}
