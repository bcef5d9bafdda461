//! The patient's visible GP data as FHIR STU3 resources, in the shapes of the MedMij data service
//! "Huisartsgegevens" (GenPractData 2.0: Nictiz zib2017 / gp-* profiles). The input is a
//! [`PatientView`]: what the visibility rules let this person see, so nothing here decides what
//! is shown; it only writes it down.
//!
//! Rules every resource follows (they are the qualification's generic assertions): one
//! `meta.profile`; every Reference carries a `display`; every CodeableConcept a coding display or
//! a text; no BSN (the patient is known from the login, never from the data). A Composition is
//! built per contact from its visible E and P lines (the journal as MedMij shows it).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use inzage_domain::codes::system;
use inzage_domain::*;
use rustc_hash::FxHashSet as HashSet;

/// Builds a [`Json`] the way `serde_json::json!` builds a `Value`, but a value given as an
/// expression is converted with [`IntoJson`]: a `Json` built elsewhere (a coding, a name, a
/// list of them) is moved in, and a string literal is kept by reference. Keys are string
/// literals.
macro_rules! fhir {
    // The elements of an array: tokens gathered up to each comma at the top level, each
    // element built, then all put in one `vec!`.
    (@array [$($done:expr,)*] ($($elem:tt)+) , $($rest:tt)*) => {
        fhir!(@array [$($done,)* fhir!($($elem)+),] () $($rest)*)
    };
    (@array [$($done:expr,)*] ($($elem:tt)*) $next:tt $($rest:tt)*) => {
        fhir!(@array [$($done,)*] ($($elem)* $next) $($rest)*)
    };
    (@array [$($done:expr,)*] ()) => {
        ::std::vec![$($done,)*]
    };
    (@array [$($done:expr,)*] ($($elem:tt)+)) => {
        ::std::vec![$($done,)* fhir!($($elem)+)]
    };
    // The members of an object: a literal key, a colon, and the value's tokens up to a comma;
    // each member built, then all put in one `vec!` and sorted once.
    (@object [$($done:expr,)*]) => {
        $crate::export::Object::from_members(::std::vec![$($done,)*])
    };
    (@object [$($done:expr,)*] $key:literal : $($rest:tt)+) => {
        fhir!(@member [$($done,)*] $key () $($rest)+)
    };
    (@member [$($done:expr,)*] $key:literal ($($v:tt)+) , $($rest:tt)*) => {
        fhir!(@object [$($done,)* ($key, fhir!($($v)+)),] $($rest)*)
    };
    (@member [$($done:expr,)*] $key:literal ($($v:tt)*) $next:tt $($rest:tt)*) => {
        fhir!(@member [$($done,)*] $key ($($v)* $next) $($rest)*)
    };
    (@member [$($done:expr,)*] $key:literal ($($v:tt)+)) => {
        fhir!(@object [$($done,)* ($key, fhir!($($v)+)),])
    };
    (null) => {
        $crate::export::Json::Null
    };
    ([ $($tt:tt)* ]) => {
        $crate::export::Json::Array(fhir!(@array [] () $($tt)*))
    };
    ({ $($tt:tt)* }) => {
        $crate::export::Json::Object(fhir!(@object [] $($tt)*))
    };
    // A negative number is no literal token; without this arm `-x` would fail to match.
    (- $($t:tt)+) => {
        $crate::export::IntoJson::into_json(- $($t)+)
    };
    ($lit:literal) => {
        $crate::export::Literal::literal($lit)
    };
    ($other:expr) => {
        $crate::export::IntoJson::into_json($other)
    };
}

/// The URL of an nl-core profile (`nl_core!("nl-core-patient")`), written at compile time.
macro_rules! nl_core {
    ($name:literal) => {
        concat!("http://fhir.nl/fhir/StructureDefinition/", $name)
    };
}

/// The URL of a Nictiz profile or extension (`nictiz!("zib-Problem")`).
macro_rules! nictiz {
    ($name:literal) => {
        concat!("http://nictiz.nl/fhir/StructureDefinition/", $name)
    };
}

/// What [`fhir!`] takes as a value: moved in where owned, copied where borrowed.
pub(crate) trait IntoJson {
    fn into_json(self) -> Json;
}

/// A literal in [`fhir!`]: a string literal is kept by reference, not copied.
pub(crate) trait Literal {
    fn literal(self) -> Json;
}

impl Literal for &'static str {
    fn literal(self) -> Json {
        Json::from_static(self)
    }
}
impl Literal for bool {
    fn literal(self) -> Json {
        Json::Bool(self)
    }
}
impl Literal for i32 {
    fn literal(self) -> Json {
        Json::Number(self.into())
    }
}
impl Literal for f64 {
    fn literal(self) -> Json {
        self.into_json()
    }
}

impl IntoJson for Json {
    fn into_json(self) -> Json {
        self
    }
}
impl IntoJson for &Json {
    fn into_json(self) -> Json {
        self.clone()
    }
}
impl IntoJson for String {
    fn into_json(self) -> Json {
        Json::String(self.into())
    }
}
impl IntoJson for &String {
    fn into_json(self) -> Json {
        Json::String(self.as_str().into())
    }
}
impl IntoJson for compact_str::CompactString {
    fn into_json(self) -> Json {
        Json::String(self)
    }
}
impl IntoJson for &compact_str::CompactString {
    fn into_json(self) -> Json {
        Json::String(self.clone())
    }
}
impl IntoJson for &inzage_domain::codes::CodeSystem {
    fn into_json(self) -> Json {
        Json::String(self.as_str().into())
    }
}
impl IntoJson for &str {
    fn into_json(self) -> Json {
        Json::String(self.into())
    }
}
impl IntoJson for &&str {
    fn into_json(self) -> Json {
        Json::String((*self).into())
    }
}
impl IntoJson for bool {
    fn into_json(self) -> Json {
        Json::Bool(self)
    }
}
macro_rules! into_number {
    ($($t:ty),*) => {$(
        impl IntoJson for $t {
            fn into_json(self) -> Json {
                Json::Number(self.into())
            }
        }
    )*};
}
into_number!(i32, i64, u32, u64, usize);
impl IntoJson for f64 {
    /// As `serde_json` does: a number that JSON cannot write (NaN, infinite) is null.
    fn into_json(self) -> Json {
        serde_json::Number::from_f64(self).map_or(Json::Null, Json::Number)
    }
}
impl<T: IntoJson> IntoJson for Vec<T> {
    fn into_json(self) -> Json {
        Json::Array(self.into_iter().map(IntoJson::into_json).collect())
    }
}
impl<T: IntoJson> IntoJson for Option<T> {
    fn into_json(self) -> Json {
        self.map_or(Json::Null, IntoJson::into_json)
    }
}
impl<'a, T> IntoJson for &'a Option<T>
where
    &'a T: IntoJson,
{
    fn into_json(self) -> Json {
        self.as_ref().map_or(Json::Null, IntoJson::into_json)
    }
}

mod json;
pub use json::{Json, JsonTree, Object};
use json::{push_escaped, write_string};
mod resources;
mod write;
pub use resources::binary;
pub(crate) use resources::*;
pub use write::concept;
pub(crate) use write::*;

const EXT_EPISODE: &str = nictiz!("extension-context-nl-core-episodeofcare");

/// The resources of one patient's visible record, grouped the way the MedMij queries ask.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct GpResources {
    pub patient: Json,
    pub practitioners: Vec<Json>,
    pub organization: Json,
    pub episodes: Vec<Json>,
    /// The diagnoses the episodes point at (zib-Problem).
    pub conditions: Vec<Json>,
    /// Attentiewaarde of an episode (zib-Alert).
    pub flags: Vec<Json>,
    pub encounters: Vec<Json>,
    pub compositions: Vec<Json>,
    /// The E and P lines the compositions refer to (gp-JournalEntry).
    pub journal: Vec<Json>,
    /// Results and measurements (gp-LaboratoryResult, gp-DiagnosticResult).
    pub results: Vec<Json>,
    pub medication_requests: Vec<Json>,
    pub medications: Vec<Json>,
    pub allergies: Vec<Json>,
    /// Letters (data service 51): a DocumentReference per visible letter with a PDF.
    pub documents: Vec<Json>,
}

impl GpResources {
    /// Every resource, once.
    pub fn all(&self) -> Vec<&Json> {
        let mut out = vec![&self.patient, &self.organization];
        for group in [
            &self.practitioners,
            &self.episodes,
            &self.conditions,
            &self.flags,
            &self.encounters,
            &self.compositions,
            &self.journal,
            &self.results,
            &self.medication_requests,
            &self.medications,
            &self.allergies,
            &self.documents,
        ] {
            out.extend(group.iter());
        }
        out
    }
}

/// A Bundle of type `collection` with every resource, fullUrls under `base`
/// (e.g. `https://praktijk.example/fhir`).
pub fn collection(resources: &GpResources, base: &str) -> serde_json::Value {
    let entries: Vec<Entry<'_, Json>> = resources
        .all()
        .into_iter()
        .map(|r| Entry::new(r, base, None))
        .collect();
    serde_json::json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": entries,
    })
}

/// A Bundle of type `searchset`: `matches` then `includes`, `total` counting the matches,
/// the self link as given (it must carry every request parameter).
pub fn searchset<R: JsonTree>(
    matches: &[&R],
    includes: &[&R],
    base: &str,
    self_link: &str,
) -> serde_json::Value {
    searchset_page(
        matches,
        includes,
        base,
        matches.len(),
        &[("self", self_link.to_owned())],
    )
}

/// One page of a search: `page` (the matches on it) then `includes`; `total` counts every
/// match of the search; `links` are the relations (`self`, `next`, ...) and their URLs.
pub fn searchset_page<R: JsonTree>(
    page: &[&R],
    includes: &[&R],
    base: &str,
    total: usize,
    links: &[(&str, String)],
) -> serde_json::Value {
    serde_json::to_value(Searchset::new(page, includes, base, total, links))
        .unwrap_or(serde_json::Value::Null)
}

/// [`searchset_page`] as JSON text, written straight from the resources (no copy of them is
/// made): what a server sends. The same text as `serde_json` writes for [`searchset_page`]:
/// the members in key order, as there.
pub fn searchset_page_text<R: JsonTree>(
    page: &[&R],
    includes: &[&R],
    base: &str,
    total: usize,
    links: &[(&str, String)],
) -> String {
    let base = base.trim_end_matches('/');
    let entries = page
        .iter()
        .map(|r| (*r, "match"))
        .chain(includes.iter().map(|r| (*r, "include")));
    let mut out = String::with_capacity(256 + 2048 * (page.len() + includes.len()));
    out.push('{');
    // FHIR allows no empty array: a page without entries (`_count=0`) has none.
    if !page.is_empty() || !includes.is_empty() {
        out.push_str("\"entry\":[");
        for (i, (r, mode)) in entries.enumerate() {
            if i > 0 {
                out.push(',');
            }
            let (ty, id) = r.type_and_id();
            out.push_str("{\"fullUrl\":\"");
            for (i, part) in [base, ty, id].into_iter().enumerate() {
                if i > 0 {
                    out.push('/');
                }
                push_escaped(&mut out, part);
            }
            out.push('"');
            out.push_str(",\"resource\":");
            r.write_text(&mut out);
            out.push_str(",\"search\":{\"mode\":\"");
            out.push_str(mode);
            out.push_str("\"}}");
        }
        out.push_str("],");
    }
    out.push_str("\"link\":[");
    for (i, (relation, url)) in links.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"relation\":");
        write_string(&mut out, relation);
        out.push_str(",\"url\":");
        write_string(&mut out, url);
        out.push('}');
    }
    out.push_str("],\"resourceType\":\"Bundle\",\"total\":");
    {
        use std::fmt::Write as _;
        let _ = write!(out, "{total}");
    }
    out.push_str(",\"type\":\"searchset\"}");
    out
}

/// A searchset Bundle that borrows its resources. Fields in the order the JSON writer of a
/// `Value` sorts them, so that both forms are the same text.
#[derive(serde::Serialize)]
struct Searchset<'a, R: JsonTree> {
    // FHIR allows no empty array: a page without entries (`_count=0`) has none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    entry: Vec<Entry<'a, R>>,
    link: Vec<Link<'a>>,
    #[serde(rename = "resourceType")]
    resource_type: &'static str,
    total: usize,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(serde::Serialize)]
struct Entry<'a, R: JsonTree> {
    #[serde(rename = "fullUrl")]
    full_url: String,
    resource: &'a R,
    #[serde(skip_serializing_if = "Option::is_none")]
    search: Option<SearchMode>,
}

#[derive(serde::Serialize)]
struct SearchMode {
    mode: &'static str,
}

#[derive(serde::Serialize)]
struct Link<'a> {
    relation: &'a str,
    url: &'a str,
}

impl<'a, R: JsonTree> Searchset<'a, R> {
    fn new(
        page: &[&'a R],
        includes: &[&'a R],
        base: &str,
        total: usize,
        links: &'a [(&'a str, String)],
    ) -> Self {
        let entry = page
            .iter()
            .map(|r| Entry::new(*r, base, Some("match")))
            .chain(
                includes
                    .iter()
                    .map(|r| Entry::new(*r, base, Some("include"))),
            )
            .collect();
        Searchset {
            entry,
            link: links
                .iter()
                .map(|(relation, url)| Link { relation, url })
                .collect(),
            resource_type: "Bundle",
            total,
            kind: "searchset",
        }
    }
}

impl<'a, R: JsonTree> Entry<'a, R> {
    fn new(r: &'a R, base: &str, mode: Option<&'static str>) -> Self {
        let (ty, id) = r.type_and_id();
        Entry {
            full_url: format!("{}/{ty}/{id}", base.trim_end_matches('/')),
            resource: r,
            search: mode.map(|mode| SearchMode { mode }),
        }
    }
}

// ---- the mapping ----

struct Ctx<'a> {
    view: &'a PatientView<'a>,
    patient_ref: Json,
    org_ref: Json,
    /// The view's episodes, contacts and practitioners by id: items refer to them (a 20-year
    /// record's thousands of lines and results to hundreds of contacts). An episode's and a
    /// practitioner's reference is kept once made: many items refer to each, and a copy costs
    /// less than making it again (its title written, its strings allocated). A contact's is
    /// not: most have one result or line that refers to them.
    episodes: rustc_hash::FxHashMap<&'a str, Referred<&'a Episode>>,
    contacts: rustc_hash::FxHashMap<&'a str, &'a Contact>,
    practitioners: rustc_hash::FxHashMap<&'a str, Referred<&'a Practitioner>>,
}

/// One of the view's items that others refer to, with its reference once made.
struct Referred<T> {
    item: T,
    reference: std::cell::OnceCell<Json>,
}

impl<T> Referred<T> {
    fn new(item: T) -> Self {
        Referred {
            item,
            reference: std::cell::OnceCell::new(),
        }
    }

    fn reference(&self, make: impl FnOnce(&T) -> Json) -> Json {
        self.reference.get_or_init(|| make(&self.item)).clone()
    }
}

impl Ctx<'_> {
    fn practitioner(&self, id: Option<&PractitionerId>) -> Option<Json> {
        let p = self.practitioners.get(id?.as_str())?;
        Some(p.reference(|p| reference("Practitioner", p.id.as_str(), &p.name.display())))
    }
    fn episode(&self, id: Option<&EpisodeId>) -> Option<Json> {
        let e = self.episodes.get(id?.as_str())?;
        Some(e.reference(|e| reference("EpisodeOfCare", e.id.as_str(), &episode_title(e))))
    }
    fn encounter(&self, id: Option<&ContactId>) -> Option<Json> {
        let c = self.contacts.get(id?.as_str())?;
        Some(reference("Encounter", c.id.as_str(), &contact_title(c)))
    }
    fn episode_ext(&self, id: Option<&EpisodeId>) -> Vec<Json> {
        self.episode(id)
            .map(|r| fhir!({ "url": Json::from_static(EXT_EPISODE), "valueReference": r }))
            .into_iter()
            .collect()
    }
}

pub(crate) fn episode_title(e: &Episode) -> String {
    if e.title.trim().is_empty() {
        e.icpc_display
            .clone()
            .or_else(|| e.icpc.as_ref().map(|c| c.to_string()))
            .unwrap_or_else(|| "Episode".into())
    } else {
        e.title.clone()
    }
}

pub(crate) fn contact_title(c: &Contact) -> String {
    format!(
        "{} op {}",
        c.contact_type.display_nl().unwrap_or("Contact"),
        day(c.date)
    )
}

/// A group of [`GpResources`] that can be built on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Episodes with their conditions and attention flags.
    Episodes,
    /// The contacts as Encounters.
    Encounters,
    /// The encounters' reports: a Composition per contact with visible lines. A group of its
    /// own, so that a search for encounters builds no reports and one for reports no
    /// encounters (the two largest answers of a MedMij pull).
    Compositions,
    /// The E and P journal lines.
    Journal,
    Results,
    /// Medication agreements with their products.
    Medication,
    Allergies,
    Documents,
}

impl Group {
    pub const ALL: [Group; 8] = [
        Group::Episodes,
        Group::Encounters,
        Group::Compositions,
        Group::Journal,
        Group::Results,
        Group::Medication,
        Group::Allergies,
        Group::Documents,
    ];
}

impl Group {
    /// The parts of the record that `groups` are built from, with the parts their resources
    /// refer to (an episode, an encounter): a view of these parts builds the same resources of
    /// these groups as a view of the whole record.
    pub fn parts(groups: &[Group]) -> Parts {
        groups.iter().fold(Parts::NONE, |parts, g| {
            parts.with(match g {
                Group::Episodes => Parts::EPISODES,
                Group::Encounters | Group::Compositions | Group::Journal => {
                    Parts::JOURNAL.with(Parts::EPISODES)
                }
                Group::Results => Parts::RESULTS.with(Parts::JOURNAL).with(Parts::EPISODES),
                Group::Medication => Parts::MEDICATION.with(Parts::JOURNAL).with(Parts::EPISODES),
                Group::Allergies => Parts::ALLERGIES,
                Group::Documents => Parts::LETTERS,
            })
        })
    }
}

/// Every resource of the view.
pub fn gp_resources(view: &PatientView<'_>) -> GpResources {
    gp_resources_of(view, &Group::ALL)
}

/// The resources beside the groups: the patient, the organization and the practitioners the
/// groups' items refer to (with the patient's GP). A search or read that answers with none of
/// them builds none of them ([`gp_resources_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    pub patient: bool,
    pub organization: bool,
    pub practitioners: bool,
}

impl Frame {
    pub const ALL: Frame = Frame {
        patient: true,
        organization: true,
        practitioners: true,
    };
    pub const NONE: Frame = Frame {
        patient: false,
        organization: false,
        practitioners: false,
    };
    /// The Patient resource alone (an answer that echoes the patient a PGO sent).
    pub const PATIENT: Frame = Frame {
        patient: true,
        organization: false,
        practitioners: false,
    };
}

/// The patient, the organization, the practitioners referred to, and only the groups asked for:
/// a MedMij search builds what it answers with, not the whole record.
pub fn gp_resources_of(view: &PatientView<'_>, groups: &[Group]) -> GpResources {
    gp_resources_for(view, groups, Frame::ALL)
}

/// As [`gp_resources_of`], with only the parts of `frame` built beside the groups; what is not
/// built is left empty (`Json::Null`, no practitioners). Each resource built is the same as
/// [`gp_resources_of`] builds.
pub fn gp_resources_for(view: &PatientView<'_>, groups: &[Group], frame: Frame) -> GpResources {
    let want = |g: Group| groups.contains(&g);
    let p = view.patient;
    let ctx = Ctx {
        view,
        patient_ref: reference("Patient", p.id.as_str(), &p.name.display()),
        org_ref: reference(
            "Organization",
            view.practice.id.as_str(),
            &view.practice.name,
        ),
        episodes: view
            .episodes
            .iter()
            .map(|e| (e.id.as_str(), Referred::new(*e)))
            .collect(),
        contacts: view.contacts.iter().map(|c| (c.id.as_str(), *c)).collect(),
        // The first of a repeated id, as `PatientView::practitioner` finds it.
        practitioners: view
            .practitioners
            .iter()
            .rev()
            .map(|p| (p.id.as_str(), Referred::new(*p)))
            .collect(),
    };
    let mut out = GpResources::default();
    if frame.patient {
        out.patient = patient(&ctx);
    }
    if frame.organization {
        out.organization = organization(view.practice);
    }
    // Only the practitioners the visible items of the groups asked for refer to, and the
    // patient's GP.
    let mut wanted: Vec<&PractitionerId> = vec![];
    if frame.practitioners {
        wanted.extend(p.general_practitioner.as_ref());
        if want(Group::Episodes) {
            wanted.extend(view.episodes.iter().filter_map(|e| e.care_manager.as_ref()));
        }
        if want(Group::Encounters) || want(Group::Compositions) {
            wanted.extend(view.contacts.iter().filter_map(|c| c.practitioner.as_ref()));
        }
        // A report's author is its contact's practitioner, else one of its lines' authors.
        if want(Group::Compositions) || want(Group::Journal) {
            wanted.extend(view.journal.iter().filter_map(|l| l.author.as_ref()));
        }
        if want(Group::Results) {
            wanted.extend(view.results.iter().filter_map(|x| x.performer.as_ref()));
        }
        if want(Group::Medication) {
            wanted.extend(view.medication.iter().filter_map(|m| m.prescriber.as_ref()));
        }
        if want(Group::Allergies) {
            wanted.extend(view.allergies.iter().filter_map(|a| a.recorder.as_ref()));
        }
    }
    let mut seen = HashSet::default();
    for id in wanted {
        if seen.insert(id.as_str())
            && let Some(x) = view.practitioner(id)
        {
            out.practitioners.push(practitioner(x));
        }
    }
    for e in view.episodes.iter().filter(|_| want(Group::Episodes)) {
        let (ep, condition, flag) = episode(&ctx, e);
        out.episodes.push(ep);
        out.conditions.extend(condition);
        out.flags.extend(flag);
    }
    for c in view.contacts.iter().filter(|_| want(Group::Encounters)) {
        out.encounters.push(encounter(&ctx, c));
    }
    if want(Group::Compositions) {
        // Each contact's lines, in the record's order (one pass, not one per contact).
        let mut lines_of: rustc_hash::FxHashMap<&str, Vec<&JournalLine>> = Default::default();
        for l in &view.journal {
            if let Some(c) = &l.contact {
                lines_of.entry(c.as_str()).or_default().push(l);
            }
        }
        for c in &view.contacts {
            if let Some(lines) = lines_of.get(c.id.as_str()) {
                out.compositions.push(composition(&ctx, c, lines));
            }
        }
    }
    // Every line the view holds: the visibility rules decide (a PGO's view has E and P lines
    // only, R7/R8; the full copy has S and O lines too).
    for l in view.journal.iter().filter(|_| want(Group::Journal)) {
        out.journal.push(journal_line(&ctx, l));
    }
    for x in view.results.iter().filter(|_| want(Group::Results)) {
        out.results.push(result(&ctx, x));
    }
    let mut products = HashSet::default();
    for m in view.medication.iter().filter(|_| want(Group::Medication)) {
        let (request, product_id) = medication_request(&ctx, m);
        out.medication_requests.push(request);
        if products.insert(product_id.clone()) {
            out.medications.push(medication(&product_id, &m.product));
        }
    }
    for a in view.allergies.iter().filter(|_| want(Group::Allergies)) {
        out.allergies.push(allergy(&ctx, a));
    }
    for l in view.letters.iter().filter(|_| want(Group::Documents)) {
        if matches!(l.content, LetterContent::Pdf { .. }) {
            out.documents.push(document_reference(&ctx, l));
        }
    }
    for r in [&mut out.patient, &mut out.organization] {
        prune(r);
    }
    for group in [
        &mut out.practitioners,
        &mut out.episodes,
        &mut out.conditions,
        &mut out.flags,
        &mut out.encounters,
        &mut out.compositions,
        &mut out.journal,
        &mut out.results,
        &mut out.medication_requests,
        &mut out.medications,
        &mut out.allergies,
        &mut out.documents,
    ] {
        group.iter_mut().for_each(prune);
    }
    out
}

/// FHIR allows no empty arrays, objects or strings: drops them, deepest first.
pub(crate) fn prune(v: &mut Json) {
    match v {
        Json::Object(map) => {
            map.values_mut().for_each(prune);
            map.retain(|_, x| !is_empty(x));
        }
        Json::Array(items) => {
            items.iter_mut().for_each(prune);
            items.retain(|x| !is_empty(x));
        }
        _ => {}
    }
}

/// [`prune`] for a `serde_json::Value` (the R4 copy builds those).
pub(crate) fn prune_value(v: &mut serde_json::Value) {
    use serde_json::Value;
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    match v {
        Value::Object(map) => {
            map.values_mut().for_each(prune_value);
            map.retain(|_, x| !empty(x));
        }
        Value::Array(items) => {
            items.iter_mut().for_each(prune_value);
            items.retain(|x| !empty(x));
        }
        _ => {}
    }
}
