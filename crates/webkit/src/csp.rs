//! The Content-Security-Policy of every page: only our own scripts, styles and images, no
//! framing, and forms that post only to us. One page differs: the MedMij consent page, whose
//! answer sends the browser on to the PGO that asked (another origin), and a browser checks
//! the redirect after a form post against `form-action` too.

use axum::http::HeaderValue;

/// The policy of every page.
pub const POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// The policy of a page whose form's answer redirects to `target` (an absolute http(s) URL):
/// `form-action` allows that URL's origin besides our own. `None` when `target` is not such a
/// URL (the caller keeps [`POLICY`]).
pub fn with_form_target(target: &str) -> Option<HeaderValue> {
    let url = url::Url::parse(target).ok()?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return None;
    }
    let origin = url.origin().ascii_serialization();
    // An origin is a scheme, a host and maybe a port: nothing that could end the directive.
    if origin.contains([';', ',', ' ', '\'']) {
        return None;
    }
    HeaderValue::from_str(&POLICY.replace(
        "form-action 'self'",
        &format!("form-action 'self' {origin}"),
    ))
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consent_page_may_send_its_answer_to_the_pgo_and_nowhere_else() {
        let csp = with_form_target("https://pgo.example.nl:8443/pgo/terug?x=1").unwrap();
        let csp = csp.to_str().unwrap_or_default();
        assert!(
            csp.contains("form-action 'self' https://pgo.example.nl:8443;"),
            "{csp}"
        );
        assert!(csp.contains("script-src 'self';"));
        for bad in [
            "javascript:alert(1)",
            "/pgo/terug",
            "data:text/html,x",
            "not a url",
        ] {
            assert!(with_form_target(bad).is_none(), "{bad}");
        }
    }
}
