//! A submitted practice form, URL-encoded or multipart (a letter's PDF), as plain fields plus at
//! most one file. Parsing into domain values happens in the handlers, field by field, so every
//! mistake gets its own message.

use crate::error::WebError;
use crate::extract::Form;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct FormData {
    pub fields: HashMap<String, String>,
    /// The uploaded file's bytes, when one was chosen.
    pub file: Option<Vec<u8>>,
    /// The uploaded file's name as the browser sent it.
    pub file_name: Option<String>,
}

impl FormData {
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |s| s.as_str())
    }
    pub fn checked(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        let multipart = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let Form(fields) = Form::<HashMap<String, String>>::from_request(req, state).await?;
            return Ok(Self {
                fields,
                ..Self::default()
            });
        }
        let mut parts = Multipart::from_request(req, state)
            .await
            .map_err(|_| WebError::Invalid("form"))?;
        let mut out = Self::default();
        // A body over the route's limit fails here: the whole request is refused.
        let too_large = |_| WebError::TooLarge;
        while let Some(field) = parts.next_field().await.map_err(too_large)? {
            let name = field.name().unwrap_or_default().to_owned();
            if let Some(file_name) = field.file_name().map(str::to_owned) {
                let bytes = field.bytes().await.map_err(too_large)?;
                if !bytes.is_empty() {
                    out.file = Some(bytes.to_vec());
                    out.file_name = Some(file_name);
                }
            } else {
                let text = field.text().await.map_err(too_large)?;
                out.fields.insert(name, text);
            }
        }
        Ok(out)
    }
}
