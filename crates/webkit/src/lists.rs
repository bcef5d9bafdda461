//! The MedMij list formats, read from their XML and checked.
//!
//! - The provider side reads its own entry in the Zorgaanbiederslijst (`parse_provider_entry`)
//!   and the OAuth client list (`parse_client_list`).
//! - The PGO reads the whole lists (R92, R93): the Zorgaanbiederslijst (release 2 and 3,
//!   `parse_provider_list`), the Gegevensdienstnamenlijst (`parse_service_names`) and the
//!   whitelist (`parse_whitelist`). Each has a root in its MedMij namespace, a timestamp and a
//!   sequence number (`ListHeader`). The checks are the XSDs' rules that matter to a client:
//!   names unique, endpoints https (plain http only on this machine: localhost or a loopback
//!   address, for development and tests), host names plain. Both sides share one bounded reader
//!   (`element_tree`).

use crate::config::{DataService, OAuthClient};

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
    const WHAT: &str = "provider entry";
    let root = element_tree(xml, WHAT)?;
    let mut providers: Vec<(String, Vec<DataService>)> = providers_in(&root, WHAT)?
        .into_iter()
        .map(|p| (p.name, p.services))
        .collect();
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

// ---- the whole lists, as the PGO reads them (R92, R93) ----

/// The namespaces of the lists (MedMij afsprakenstelsel). The Zorgaanbiederslijst is read in
/// release 2 and release 3 (which groups the data services per interface version).
const ZAL_NS: [&str; 2] = [
    "xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release2/",
    "xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release3/",
];
const GNL_NS: &str = "xmlns://afsprakenstelsel.medmij.nl/gegevensdienstnamenlijst/release1/";
const WHITELIST_NS: &str = "xmlns://afsprakenstelsel.medmij.nl/whitelist/release2/";

/// Lists are shallow; anything deeper is not a MedMij list.
const MAX_DEPTH: usize = 12;
/// Far above the national lists' size (thousands of providers), far below what hurts.
const MAX_ELEMENTS: usize = 2_000_000;

/// What every list starts with: when it was made and its sequence number. A list is newer than
/// the one in use only when its sequence number is higher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListHeader {
    pub timestamp: chrono::DateTime<chrono::FixedOffset>,
    pub sequence: u64,
}

/// A Zorgaanbieder with its data services and their endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub name: String,
    pub services: Vec<DataService>,
}

/// The Zorgaanbiederslijst.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderList {
    pub header: ListHeader,
    pub providers: Vec<Provider>,
}

/// The Gegevensdienstnamenlijst: the name a person reads for each data service id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceNames {
    pub header: ListHeader,
    /// (GegevensdienstId, Weergavenaam)
    pub names: Vec<(String, String)>,
}

/// The whitelist: the only hosts a PGO may call (R93).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Whitelist {
    pub header: ListHeader,
    pub hosts: Vec<String>,
}

impl Whitelist {
    /// Whether `host` (a host name, any case) is on the list.
    pub fn allows(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// One element of a list: its local name, namespace, text and children.
#[derive(Debug, Default)]
struct El {
    name: String,
    ns: Option<String>,
    text: String,
    children: Vec<El>,
}

impl El {
    fn all<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a El> + use<'a, 'n> {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn one(&self, name: &str, what: &str) -> Result<&El, String> {
        let mut found = self.all(name);
        match (found.next(), found.next()) {
            (Some(e), None) => Ok(e),
            (None, _) => Err(format!("{what}: no {name} in {}", self.name)),
            (Some(_), Some(_)) => Err(format!("{what}: more than one {name} in {}", self.name)),
        }
    }
    fn text_of(&self, name: &str, what: &str) -> Result<String, String> {
        let text = self.one(name, what)?.text.trim().to_owned();
        if text.is_empty() {
            return Err(format!("{what}: {name} is empty"));
        }
        Ok(text)
    }
    /// The elements named `name` anywhere below, in document order.
    fn descendants<'a>(&'a self, name: &'a str, out: &mut Vec<&'a El>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.descendants(name, out);
        }
    }
}

/// Reads a list's elements, bounded in depth and size.
fn element_tree(xml: &str, what: &str) -> Result<El, String> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let mut reader = quick_xml::NsReader::from_str(xml);
    let mut stack: Vec<El> = vec![El::default()];
    let mut count = 0usize;
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("{what}: {e}"))?;
        let ns = match ns {
            ResolveResult::Bound(n) => Some(String::from_utf8_lossy(n.as_ref()).into_owned()),
            _ => None,
        };
        match event {
            Event::Start(e) | Event::Empty(e) if stack.len() > MAX_DEPTH => {
                let _ = e;
                return Err(format!("{what}: nested too deeply"));
            }
            Event::Start(e) => {
                count += 1;
                stack.push(El {
                    name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    ns,
                    ..El::default()
                });
            }
            Event::Empty(e) => {
                count += 1;
                let el = El {
                    name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    ns,
                    ..El::default()
                };
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(el);
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| format!("{what}: unbalanced"))?;
                let parent = stack
                    .last_mut()
                    .ok_or_else(|| format!("{what}: unbalanced"))?;
                parent.children.push(el);
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| format!("{what}: {e}"))?;
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&text);
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if count > MAX_ELEMENTS {
            return Err(format!("{what}: too many elements"));
        }
    }
    let mut document = stack
        .pop()
        .filter(|_| stack.is_empty())
        .ok_or_else(|| format!("{what}: unbalanced"))?;
    match document.children.len() {
        1 => Ok(document.children.remove(0)),
        _ => Err(format!("{what}: not one root element")),
    }
}

/// The root's name and namespace, and the header that follows it.
fn list_root(
    xml: &str,
    root: &str,
    namespaces: &[&str],
    what: &str,
) -> Result<(El, ListHeader), String> {
    let el = element_tree(xml, what)?;
    if el.name != root || !el.ns.as_deref().is_some_and(|ns| namespaces.contains(&ns)) {
        return Err(format!(
            "{what}: the root is not {root} in {}",
            namespaces.join(" or ")
        ));
    }
    let timestamp = chrono::DateTime::parse_from_rfc3339(&el.text_of("Tijdstempel", what)?)
        .map_err(|e| format!("{what}: Tijdstempel: {e}"))?;
    let sequence = el
        .text_of("Volgnummer", what)?
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{what}: Volgnummer is not a positive number"))?;
    Ok((
        el,
        ListHeader {
            timestamp,
            sequence,
        },
    ))
}

/// An endpoint a PGO may call: an absolute https URL with a host and nothing a browser would
/// read as someone else's (no user information, no fragment). Plain http only to this machine
/// (`localhost`, a loopback address): a provider in development or in the tests.
fn endpoint(uri: &str, what: &str) -> Result<(), String> {
    let ok = url::Url::parse(uri).is_ok_and(|u| {
        (u.scheme() == "https" || (u.scheme() == "http" && loopback(&u)))
            && u.host_str().is_some()
            && u.username().is_empty()
            && u.password().is_none()
            && u.fragment().is_none()
    });
    if ok {
        Ok(())
    } else {
        Err(format!("{what}: {uri:?} is not an https endpoint"))
    }
}

/// Whether a URL's host is this machine.
pub fn loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn unique<'a>(
    items: impl IntoIterator<Item = &'a str>,
    what: &str,
    name: &str,
) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for item in items {
        if !seen.insert(item.to_ascii_lowercase()) {
            return Err(format!("{what}: {name} {item:?} appears twice"));
        }
    }
    Ok(())
}

/// Every Zorgaanbieder of a Zorgaanbiederslijst with its data services, checked: names unique,
/// service ids unique per provider, role codes unique per service, every endpoint https.
fn providers_in(root: &El, what: &str) -> Result<Vec<Provider>, String> {
    let mut providers = vec![];
    for p in root.one("Zorgaanbieders", what)?.all("Zorgaanbieder") {
        let name = p.text_of("Zorgaanbiedernaam", what)?;
        let mut found = vec![];
        p.descendants("Gegevensdienst", &mut found);
        let mut services = vec![];
        for s in found {
            let mut service = DataService {
                id: s.text_of("GegevensdienstId", what)?,
                authorization_endpoint: s
                    .one("AuthorizationEndpoint", what)?
                    .text_of("AuthorizationEndpointuri", what)?,
                token_endpoint: s
                    .one("TokenEndpoint", what)?
                    .text_of("TokenEndpointuri", what)?,
                roles: vec![],
            };
            for r in s.one("Systeemrollen", what)?.all("Systeemrol") {
                service.roles.push((
                    r.text_of("Systeemrolcode", what)?,
                    r.one("ResourceEndpoint", what)?
                        .text_of("ResourceEndpointuri", what)?,
                ));
            }
            if service.roles.is_empty() {
                return Err(format!(
                    "{what}: {name} service {} has no Systeemrol",
                    service.id
                ));
            }
            endpoint(&service.authorization_endpoint, what)?;
            endpoint(&service.token_endpoint, what)?;
            for (_, uri) in &service.roles {
                endpoint(uri, what)?;
            }
            unique(
                service.roles.iter().map(|(c, _)| c.as_str()),
                what,
                "Systeemrolcode",
            )?;
            services.push(service);
        }
        if services.is_empty() {
            return Err(format!("{what}: {name} has no Gegevensdienst"));
        }
        unique(
            services.iter().map(|s| s.id.as_str()),
            what,
            "GegevensdienstId",
        )?;
        providers.push(Provider { name, services });
    }
    unique(
        providers.iter().map(|p| p.name.as_str()),
        what,
        "Zorgaanbiedernaam",
    )?;
    Ok(providers)
}

/// Reads and checks the whole Zorgaanbiederslijst (release 2 or 3): every provider with every
/// data service; names unique, service ids unique per provider, role codes unique per service,
/// every endpoint https (R92: a PGO uses only endpoints from this list).
pub fn parse_provider_list(xml: &str) -> Result<ProviderList, String> {
    const WHAT: &str = "Zorgaanbiederslijst";
    let (root, header) = list_root(xml, "Zorgaanbiederslijst", &ZAL_NS, WHAT)?;
    let providers = providers_in(&root, WHAT)?;
    Ok(ProviderList { header, providers })
}

/// Reads and checks the Gegevensdienstnamenlijst: ids unique, every name present.
pub fn parse_service_names(xml: &str) -> Result<ServiceNames, String> {
    const WHAT: &str = "Gegevensdienstnamenlijst";
    let (root, header) = list_root(xml, "Gegevensdienstnamenlijst", &[GNL_NS], WHAT)?;
    let mut names = vec![];
    for s in root.one("Gegevensdiensten", WHAT)?.all("Gegevensdienst") {
        names.push((
            s.text_of("GegevensdienstId", WHAT)?,
            s.text_of("Weergavenaam", WHAT)?,
        ));
    }
    unique(
        names.iter().map(|(id, _)| id.as_str()),
        WHAT,
        "GegevensdienstId",
    )?;
    Ok(ServiceNames { header, names })
}

/// Reads and checks the whitelist: `MedMijNodes/MedMijNode/Hostname`, or the older form with the
/// host name as the node's text; every host a plain host name, none twice. An empty list is
/// refused, so a broken download never blocks every call.
pub fn parse_whitelist(xml: &str) -> Result<Whitelist, String> {
    const WHAT: &str = "Whitelist";
    let (root, header) = list_root(xml, "Whitelist", &[WHITELIST_NS], WHAT)?;
    let mut hosts = vec![];
    for node in root.one("MedMijNodes", WHAT)?.all("MedMijNode") {
        let host = match node.all("Hostname").next() {
            Some(_) => node.text_of("Hostname", WHAT)?,
            None => node.text.trim().to_owned(),
        };
        let plain = !host.is_empty()
            && host.len() <= 253
            && host
                .split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if !plain {
            return Err(format!("{WHAT}: {host:?} is not a host name"));
        }
        hosts.push(host);
    }
    if hosts.is_empty() {
        return Err(format!("{WHAT}: no MedMijNode"));
    }
    unique(hosts.iter().map(String::as_str), WHAT, "Hostname")?;
    Ok(Whitelist { header, hosts })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn service(id: &str, host: &str) -> String {
        format!(
            "<Gegevensdienst><GegevensdienstId>{id}</GegevensdienstId>\
             <AuthorizationEndpoint><AuthorizationEndpointuri>https://{host}/auth</AuthorizationEndpointuri></AuthorizationEndpoint>\
             <TokenEndpoint><TokenEndpointuri>https://{host}:8443/token</TokenEndpointuri></TokenEndpoint>\
             <Systeemrollen><Systeemrol><Systeemrolcode>MM-2.0-HGB-FHIR</Systeemrolcode>\
             <ResourceEndpoint><ResourceEndpointuri>https://{host}/fhir</ResourceEndpointuri></ResourceEndpoint>\
             </Systeemrol></Systeemrollen></Gegevensdienst>"
        )
    }

    fn zal(release: u8, providers: &[(&str, &[&str])]) -> String {
        let mut body = String::new();
        for (name, services) in providers {
            let host = name.split('@').next().unwrap_or_default();
            let services: String = services
                .iter()
                .map(|id| service(id, &format!("{host}.example")))
                .collect();
            let services = if release == 3 {
                format!(
                    "<Interfaceversies><Interfaceversie><InterfaceversieId>1</InterfaceversieId>\
                     <Gegevensdiensten>{services}</Gegevensdiensten></Interfaceversie></Interfaceversies>"
                )
            } else {
                format!("<Gegevensdiensten>{services}</Gegevensdiensten>")
            };
            body.push_str(&format!(
                "<Zorgaanbieder><Zorgaanbiedernaam>{name}</Zorgaanbiedernaam>{services}</Zorgaanbieder>"
            ));
        }
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
             <Zorgaanbiederslijst xmlns=\"xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release{release}/\">\
             <Tijdstempel>2026-11-01T12:00:00Z</Tijdstempel><Volgnummer>17</Volgnummer>\
             <Zorgaanbieders>{body}</Zorgaanbieders></Zorgaanbiederslijst>"
        )
    }

    #[test]
    fn r92_the_provider_list_is_read_whole_and_checked() {
        for release in [2, 3] {
            let list = parse_provider_list(&zal(
                release,
                &[
                    ("delinde@medmij", &["49", "51"]),
                    ("ziekenhuis@medmij", &["48"]),
                ],
            ))
            .unwrap();
            assert_eq!(list.header.sequence, 17);
            assert_eq!(
                list.header.timestamp.to_rfc3339(),
                "2026-11-01T12:00:00+00:00"
            );
            assert_eq!(list.providers.len(), 2, "release {release}");
            let linde = &list.providers[0];
            assert_eq!(linde.name, "delinde@medmij");
            assert_eq!(linde.services.len(), 2);
            assert_eq!(linde.services[1].id, "51");
            assert_eq!(
                linde.services[0].token_endpoint,
                "https://delinde.example:8443/token"
            );
            assert_eq!(
                linde.services[0].roles,
                [(
                    "MM-2.0-HGB-FHIR".to_owned(),
                    "https://delinde.example/fhir".to_owned()
                )]
            );
        }
        let good = zal(2, &[("delinde@medmij", &["49"])]);
        for (why, bad) in [
            ("a provider twice", zal(2, &[("a@medmij", &["49"]), ("A@medmij", &["49"])])),
            ("a service twice", zal(2, &[("a@medmij", &["49", "49"])])),
            ("plain http", good.replace("https://delinde.example/fhir", "http://delinde.example/fhir")),
            ("plain http to a host named like this machine", good.replace("https://delinde.example/fhir", "http://localhost.evil.example/fhir")),
            ("user information", good.replace("https://delinde.example/auth", "https://x@delinde.example/auth")),
            ("no sequence number", good.replace("<Volgnummer>17</Volgnummer>", "")),
            ("a zero sequence number", good.replace(">17<", ">0<")),
            ("no timestamp", good.replace("<Tijdstempel>2026-11-01T12:00:00Z</Tijdstempel>", "")),
            ("another namespace", good.replace("zorgaanbiederslijst/release2", "zorgaanbiederslijst/release9")),
            ("no namespace", good.replace(" xmlns=\"xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release2/\"", "")),
            ("a service without a role", good.replace("<Systeemrol><Systeemrolcode>MM-2.0-HGB-FHIR</Systeemrolcode><ResourceEndpoint><ResourceEndpointuri>https://delinde.example/fhir</ResourceEndpointuri></ResourceEndpoint></Systeemrol>", "")),
            ("nested too deeply", good.replace("<Zorgaanbieders>", &format!("<Zorgaanbieders>{}{}", "<x>".repeat(20), "</x>".repeat(20)))),
            ("not XML", "Zorgaanbiederslijst".to_owned()),
        ] {
            assert!(parse_provider_list(&bad).is_err(), "{why} was accepted");
        }
        // The provider side's own entry is still read from the same format.
        let (name, services) = parse_provider_entry(&good, None).unwrap();
        assert_eq!((name.as_str(), services.len()), ("delinde@medmij", 1));
    }

    #[test]
    fn r92_the_service_names_list_is_read_and_checked() {
        let gnl = |items: &str| {
            format!(
                "<Gegevensdienstnamenlijst xmlns=\"xmlns://afsprakenstelsel.medmij.nl/gegevensdienstnamenlijst/release1/\">\
                 <Tijdstempel>2026-11-01T12:00:00+01:00</Tijdstempel><Volgnummer>3</Volgnummer>\
                 <Gegevensdiensten>{items}</Gegevensdiensten></Gegevensdienstnamenlijst>"
            )
        };
        let item = |id: &str, name: &str| {
            format!(
                "<Gegevensdienst><GegevensdienstId>{id}</GegevensdienstId><Weergavenaam>{name}</Weergavenaam></Gegevensdienst>"
            )
        };
        let list = parse_service_names(&gnl(&format!(
            "{}{}",
            item("49", "Huisartsgegevens"),
            item("52", "Meetwaarden vitale functies")
        )))
        .unwrap();
        assert_eq!(list.header.sequence, 3);
        assert_eq!(
            list.names[1],
            ("52".to_owned(), "Meetwaarden vitale functies".to_owned())
        );
        assert!(
            parse_service_names(&gnl(&format!("{}{}", item("49", "a"), item("49", "b")))).is_err()
        );
        assert!(parse_service_names(&gnl(&item("49", " "))).is_err());
    }

    #[test]
    fn r93_the_whitelist_names_the_only_hosts_a_pgo_may_call() {
        let wl = |nodes: &str| {
            format!(
                "<Whitelist xmlns=\"xmlns://afsprakenstelsel.medmij.nl/whitelist/release2/\">\
                 <Tijdstempel>2026-11-01T12:00:00Z</Tijdstempel><Volgnummer>901</Volgnummer>\
                 <MedMijNodes>{nodes}</MedMijNodes></Whitelist>"
            )
        };
        let list = parse_whitelist(&wl(
            "<MedMijNode><Hostname>delinde.example</Hostname></MedMijNode>\
             <MedMijNode>apotheek.example</MedMijNode>",
        ))
        .unwrap();
        assert_eq!(list.hosts, ["delinde.example", "apotheek.example"]);
        assert!(list.allows("DeLinde.example"));
        assert!(!list.allows("delinde.example.evil.example"));
        assert!(!list.allows("evil.example"));
        for bad in [
            wl(""),
            wl("<MedMijNode><Hostname>https://x.example/</Hostname></MedMijNode>"),
            wl(
                "<MedMijNode><Hostname>a.example</Hostname></MedMijNode><MedMijNode>A.example</MedMijNode>",
            ),
            wl("<MedMijNode><Hostname>a..example</Hostname></MedMijNode>"),
        ] {
            assert!(parse_whitelist(&bad).is_err(), "{bad}");
        }
    }
}
