//! The MedMij list formats (release 2): our entry in the Zorgaanbiederslijst and the OAuth client
//! list, read from their XML and checked. The PGO's client side reads the same lists.

use inzage_webkit::config::{DataService, OAuthClient};

/// The system role for providing GP data (data service 49).
pub const GP_DATA_ROLE: &str = "MM-2.0-HGB-FHIR";

/// Reads our entry from a file in the Zorgaanbiederslijst format
/// (`xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release2/`): the Zorgaanbieder named
/// `name` (or the only one), with every Gegevensdienst and its endpoints. The entry must offer
/// data service 49 with the GP data role and all three endpoints.
pub fn parse_provider_entry(
    xml: &str,
    name: Option<&str>,
) -> Result<(String, Vec<DataService>), String> {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = vec![];
    let mut providers: Vec<(String, Vec<DataService>)> = vec![];
    let mut service = DataService::default();
    let mut role = (String::new(), String::new());
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("provider entry: {e}"))?
        {
            Event::Start(e) => {
                let tag = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                match tag.as_str() {
                    "Zorgaanbieder" => providers.push((String::new(), vec![])),
                    "Gegevensdienst" => service = DataService::default(),
                    "Systeemrol" => role = (String::new(), String::new()),
                    _ => {}
                }
                path.push(tag);
            }
            Event::End(_) => {
                let closed = path.pop();
                match closed.as_deref() {
                    Some("Gegevensdienst") => {
                        if let Some(p) = providers.last_mut() {
                            p.1.push(std::mem::take(&mut service));
                        }
                    }
                    Some("Systeemrol") => service.roles.push(std::mem::take(&mut role)),
                    _ => {}
                }
            }
            Event::Text(t) => {
                let text = t
                    .unescape()
                    .map_err(|e| format!("provider entry: {e}"))?
                    .trim()
                    .to_owned();
                match path.last().map(String::as_str) {
                    Some("Zorgaanbiedernaam") => {
                        if let Some(p) = providers.last_mut() {
                            p.0 = text;
                        }
                    }
                    Some("GegevensdienstId") => service.id = text,
                    Some("AuthorizationEndpointuri") => service.authorization_endpoint = text,
                    Some("TokenEndpointuri") => service.token_endpoint = text,
                    Some("Systeemrolcode") => role.0 = text,
                    Some("ResourceEndpointuri") => role.1 = text,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let entry = match name {
        Some(n) => providers.into_iter().find(|(p, _)| p == n),
        None if providers.len() == 1 => providers.pop(),
        None => None,
    }
    .ok_or("provider entry: no (single) Zorgaanbieder with the configured zorgaanbiedernaam")?;
    let gp = entry
        .1
        .iter()
        .find(|s| s.id == "49")
        .ok_or("provider entry: no Gegevensdienst 49 (Huisartsgegevens)")?;
    let complete = !gp.authorization_endpoint.is_empty()
        && !gp.token_endpoint.is_empty()
        && gp
            .roles
            .iter()
            .any(|(code, uri)| code == GP_DATA_ROLE && !uri.is_empty());
    if !complete {
        return Err(format!(
            "provider entry: data service 49 needs an authorization endpoint, a token endpoint and role {GP_DATA_ROLE} with a resource endpoint"
        ));
    }
    Ok(entry)
}

/// Reads a MedMij OAuth client list (`xmlns://afsprakenstelsel.medmij.nl/oauthclientlist/release2/`):
/// every `OAuthclient` with its `Hostname` and `OAuthclientOrganisatienaam`.
pub fn parse_client_list(xml: &str) -> Result<Vec<OAuthClient>, String> {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    let mut reader = Reader::from_str(xml);
    let mut out = vec![];
    let mut path: Vec<String> = vec![];
    let (mut host, mut org) = (None::<String>, None::<String>);
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("client list: {e}"))?
        {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if name == "OAuthclient" {
                    host = None;
                    org = None;
                }
                path.push(name);
            }
            Event::End(_) => {
                let closed = path.pop();
                if closed.as_deref() == Some("OAuthclient") {
                    match (host.take(), org.take()) {
                        (Some(hostname), Some(organisation)) => out.push(OAuthClient {
                            hostname,
                            organisation,
                        }),
                        _ => return Err("client list: an OAuthclient without Hostname or OAuthclientOrganisatienaam".into()),
                    }
                }
            }
            Event::Text(t) => {
                let text = t
                    .unescape()
                    .map_err(|e| format!("client list: {e}"))?
                    .trim()
                    .to_owned();
                match path.last().map(String::as_str) {
                    Some("Hostname") => host = Some(text),
                    Some("OAuthclientOrganisatienaam") => org = Some(text),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if out.is_empty() {
        return Err("client list: no OAuthclient".into());
    }
    Ok(out)
}
