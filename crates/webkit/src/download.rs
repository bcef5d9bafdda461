//! The electronic copy as a download, shared by the portal ("Kopie van mijn dossier") and the
//! practice (handing a copy to a patient). What goes in is decided by `inzage-copy` and the
//! visibility rules; this only names the file and sets the headers.

use crate::error::{WebError, WebResult};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use inzage_copy::{Copy, Format};

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
