//! The electronic copy as a download, shared by the portal ("Kopie van mijn dossier") and the
//! practice (handing a copy to a patient). What goes in is decided by `inzage-copy` and the
//! visibility rules; this only names the file and sets the headers.

use crate::error::{WebError, WebResult};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use inzage_copy::{Copy, Format};

/// How long an approved request for the full copy may be used.
pub const APPROVAL_DAYS: i64 = 30;

/// The day by which a practice answers a request for a copy: one month after it was made
/// (WGBO 7:456 with AVG art. 12(3)), on the Dutch calendar.
pub fn answer_by(requested_at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    let day = inzage_domain::time::local_date(requested_at);
    day.checked_add_months(chrono::Months::new(1))
        .unwrap_or(day)
}

/// The copy as a file download. Never cached: it is a medical record.
pub fn download(copy: &Copy<'_>, format: Format, base: &str) -> WebResult<Response> {
    let bytes = copy.write(format, base).map_err(|e| {
        tracing::error!(error = %e, "copy could not be written");
        WebError::Invalid("de kopie kon niet worden gemaakt")
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", copy.file_name(format)),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// The format and selection of a copy form, as (`formaat`, `selectie`) values.
pub fn parse_choice(format: &str, selection: &str) -> Option<(Format, inzage_copy::Selection)> {
    Some((
        Format::parse(format)?,
        inzage_copy::Selection::parse(selection)?,
    ))
}
