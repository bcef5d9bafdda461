//! What the portal and the practice share about questions to the practice (e-consult, R47):
//! the limits, the check of an attachment by its content, and the download of one.

use crate::error::WebResult;
use crate::form::FormData;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use inzage_store::Attachment;

/// The longest subject and message.
pub const MAX_SUBJECT: usize = 150;
pub const MAX_BODY: usize = 5000;
/// The largest attachment: a photo from a phone or a scanned letter.
pub const MAX_ATTACHMENT: usize = 5 * 1024 * 1024;
/// The request body limit of a route that takes an attachment (the form fields besides it).
pub const MAX_REQUEST: usize = MAX_ATTACHMENT + 64 * 1024;

/// Why a message was refused: a Fluent key with the text for the person.
pub type Refusal = &'static str;

/// The status a refused message gets: 413 for a too-large file, otherwise 400.
pub fn refusal_status(key: Refusal) -> axum::http::StatusCode {
    if key == "msg-file-too-large" {
        axum::http::StatusCode::PAYLOAD_TOO_LARGE
    } else {
        axum::http::StatusCode::BAD_REQUEST
    }
}

/// A checked message: its text and its attachment, if any.
pub struct Checked {
    pub body: String,
    pub attachment: Option<Attachment>,
}

/// Checks the message text and the attachment. An attachment must be a JPEG or PNG image or a
/// PDF by its content (the name and the browser's type are not trusted) and at most
/// [`MAX_ATTACHMENT`].
pub fn check(form: &FormData, text_field: &str) -> Result<Checked, Refusal> {
    let body = form.get(text_field).trim().to_owned();
    if body.is_empty() {
        return Err("msg-text-needed");
    }
    if body.chars().count() > MAX_BODY {
        return Err("msg-text-too-long");
    }
    let attachment = match &form.file {
        None => None,
        Some(bytes) if bytes.len() > MAX_ATTACHMENT => return Err("msg-file-too-large"),
        Some(bytes) => {
            let media_type = match infer::get(bytes).map(|t| t.mime_type()) {
                Some(t @ ("image/jpeg" | "image/png" | "application/pdf")) => t,
                _ => return Err("msg-file-type"),
            };
            Some(Attachment {
                name: file_name(form.file_name.as_deref().unwrap_or(""), media_type),
                media_type: media_type.to_owned(),
                bytes: bytes.clone(),
            })
        }
    };
    Ok(Checked { body, attachment })
}

/// A safe file name: letters, digits, `-`, `_` and `.` only, at most 80 characters, with the
/// extension of the checked type.
fn file_name(given: &str, media_type: &str) -> String {
    let ext = match media_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "pdf",
    };
    let stem = given.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let clean = if clean.trim_matches('_').is_empty() {
        "bijlage".to_owned()
    } else {
        clean
    };
    format!("{clean}.{ext}")
}

/// An attachment as a download (never shown inline: the browser does not render it in our
/// origin).
pub fn download(a: Attachment) -> WebResult<Response> {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", a.name))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let media = HeaderValue::from_str(&a.media_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, media),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        a.bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(file: Option<&[u8]>, name: &str) -> FormData {
        let mut f = FormData::default();
        f.fields.insert("tekst".into(), "Vraag".into());
        f.file = file.map(<[u8]>::to_vec);
        f.file_name = Some(name.into());
        f
    }

    #[test]
    fn an_attachment_is_checked_by_content_not_by_name() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let a = check(&form(Some(png), "../../foto van mij.exe"), "tekst")
            .unwrap()
            .attachment
            .unwrap();
        assert_eq!(a.media_type, "image/png");
        assert_eq!(a.name, "foto_van_mij.png");
        assert_eq!(
            check(&form(Some(b"MZ\x90\0 not a picture"), "foto.png"), "tekst").err(),
            Some("msg-file-type")
        );
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
        assert_eq!(
            check(&form(Some(pdf), "brief.pdf"), "tekst")
                .unwrap()
                .attachment
                .unwrap()
                .media_type,
            "application/pdf"
        );
        let big = vec![0u8; MAX_ATTACHMENT + 1];
        assert_eq!(
            check(&form(Some(&big), "x.pdf"), "tekst").err(),
            Some("msg-file-too-large")
        );
        assert!(
            check(&form(None, ""), "tekst")
                .unwrap()
                .attachment
                .is_none()
        );
    }
}
