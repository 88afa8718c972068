//! `yeji variance` (SPEC §15.3): why an entity's revenue changed between two
//! periods: volume, price, mix, new and lost products, and the largest moves
//! by product, customer and channel.

use std::process::ExitCode;

use yeji_core::Period;
use yeji_facts::Workspace;

use crate::WorkspaceArg;
use crate::output::{Format, table};

#[derive(clap::Args)]
pub struct VarianceArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    #[arg(long)]
    entity: String,
    #[arg(long)]
    period: String,
    /// The period compared with (e.g. the same quarter a year before).
    #[arg(long)]
    against: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The largest moves shown per key in the table.
const SHOWN: usize = 5;

pub async fn run(args: VarianceArgs) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace.workspace).await?;
    let fiscal = workspace.settings().fiscal_year_first_month;
    let (period, against) = (Period::parse_fiscal(&args.period, fiscal)?, Period::parse_fiscal(&args.against, fiscal)?);
    let facts = workspace.facts().await?;
    let variance = yeji_variance::variance(&facts, args.entity.trim(), &period, &against).await?;
    if args.format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&variance)?);
        return Ok(ExitCode::SUCCESS);
    }
    say!(
        "{} revenue {}: {} → {}: {}",
        variance.entity_id,
        against,
        variance.revenue_against,
        variance.revenue,
        variance.change
    );
    let e = &variance.effects;
    let effects = [
        ("volume", e.volume),
        ("price", e.price),
        ("mix", e.mix),
        ("new products", e.new_products),
        ("lost products", e.lost_products),
        ("other", e.other),
    ];
    let rows: Vec<Vec<String>> = effects.iter().map(|(name, v)| vec![name.to_string(), v.to_string()]).collect();
    say!("{}", table(&["effect", "amount"], &rows));
    for (name, changes) in
        [("product", &variance.by_product), ("customer", &variance.by_customer), ("channel", &variance.by_channel)]
    {
        let rows: Vec<Vec<String>> = changes
            .iter()
            .take(SHOWN)
            .map(|c| vec![c.key.clone(), c.revenue_against.to_string(), c.revenue.to_string(), c.change.to_string()])
            .collect();
        say!("\n{}", table(&[name, &against.to_string(), &period.to_string(), "change"], &rows));
    }
    Ok(ExitCode::SUCCESS)
}
