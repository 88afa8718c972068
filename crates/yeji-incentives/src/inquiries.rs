//! A rep's inquiry about their pay (SPEC §12): a reason, answered with a
//! resolution note; both audited by the catalog. An inquiry names a known
//! rep and a period, a reason and a note are never blank, and a resolved
//! inquiry is not resolved again.

use yeji_core::{Org, Period};
use yeji_store::{Catalog, PayInquiryRow};

use crate::IncentiveError;

fn store(error: yeji_store::StoreError) -> IncentiveError {
    match error {
        yeji_store::StoreError::NoSuchInquiry(id) => IncentiveError::NoSuchInquiry(id),
        other => IncentiveError::Bad(format!("the catalog: {other}")),
    }
}

fn said(text: &str, what: &str) -> Result<String, IncentiveError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(IncentiveError::Bad(format!("{what} is empty: say what it is about")));
    }
    Ok(text.to_owned())
}

/// Records `rep`'s inquiry about their pay for `period`; its id.
pub async fn inquire(
    (catalog, org): (&Catalog, &Org),
    (rep, period): (&str, &Period),
    reason: &str,
    actor: &str,
) -> Result<i64, IncentiveError> {
    if !org.has_rep(rep) {
        return Err(IncentiveError::Bad(format!("no rep '{rep}' in this workspace")));
    }
    let reason = said(reason, "the reason")?;
    catalog.raise_pay_inquiry((rep, &period.to_string()), &reason, actor).await.map_err(store)
}

/// Resolves open inquiry `id` with `note`; the inquiry after it.
pub async fn resolve(catalog: &Catalog, id: i64, note: &str, actor: &str) -> Result<PayInquiryRow, IncentiveError> {
    let note = said(note, "the resolution note")?;
    if !catalog.resolve_pay_inquiry(id, &note, actor).await.map_err(store)? {
        let row = catalog.pay_inquiry(id).await.map_err(store)?;
        return Err(IncentiveError::Refused(format!("pay inquiry {id} is {} already", row.state)));
    }
    catalog.pay_inquiry(id).await.map_err(store)
}
