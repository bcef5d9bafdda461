//! Validated codes and identifiers from the Dutch code systems the GP record uses.
//! Each is parsed once at the boundary and cannot be invalid afterwards.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

/// Why a code was rejected. The message names the code system and the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {system}: {value:?} ({why})")]
pub struct InvalidCode {
    pub system: &'static str,
    pub value: String,
    pub why: &'static str,
}

fn invalid(system: &'static str, value: &str, why: &'static str) -> InvalidCode {
    InvalidCode {
        system,
        value: value.to_owned(),
        why,
    }
}

macro_rules! string_code {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = InvalidCode;
            fn try_from(s: String) -> Result<Self, InvalidCode> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.0.into_string()
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
    };
}

/// Burgerservicenummer: nine digits passing the eleven-test (elfproef).
#[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Bsn(Box<str>);
string_code!(Bsn);

impl Bsn {
    pub fn parse(s: &str) -> Result<Self, InvalidCode> {
        let s = s.trim();
        if s.len() != 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("BSN", "<redacted>", "must be nine digits"));
        }
        if !Self::eleven_test(s) {
            return Err(invalid("BSN", "<redacted>", "fails the eleven-test"));
        }
        Ok(Self(s.into()))
    }

    /// The BSN eleven-test: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is a multiple of 11 (and not 0).
    pub fn eleven_test(digits: &str) -> bool {
        let d: Vec<i64> = digits.bytes().map(|b| i64::from(b - b'0')).collect();
        if d.len() != 9 {
            return false;
        }
        let sum: i64 = (0..8).map(|i| d[i] * (9 - i as i64)).sum::<i64>() - d[8];
        sum != 0 && sum % 11 == 0
    }

    /// Masked form for display to staff: only the last three digits.
    pub fn masked(&self) -> String {
        format!("******{}", &self.0[6..])
    }
}

/// Never print a BSN into a log by accident.
impl fmt::Debug for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bsn({})", self.masked())
    }
}

/// An ICPC-1-NL code (NHG-Tabel 24): a chapter letter, two digits, optionally a
/// subcode ".nn" (for example `K86`, `R21.01`, `L86.01`). Process codes (-30..-69) are digits too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct IcpcCode(Box<str>);
string_code!(IcpcCode);

impl IcpcCode {
    const CHAPTERS: &'static str = "ABDFHKLNPRSTUWXYZ";

    pub fn parse(s: &str) -> Result<Self, InvalidCode> {
        let b = s.as_bytes();
        let ok_main = b.len() >= 3
            && Self::CHAPTERS.as_bytes().contains(&b[0])
            && b[1].is_ascii_digit()
            && b[2].is_ascii_digit();
        let ok_sub = match b.len() {
            3 => true,
            6 => b[3] == b'.' && b[4].is_ascii_digit() && b[5].is_ascii_digit(),
            _ => false,
        };
        if ok_main && ok_sub {
            Ok(Self(s.into()))
        } else {
            Err(invalid(
                "ICPC-1-NL code",
                s,
                "expected a chapter letter and two digits, optionally .nn",
            ))
        }
    }

    /// The ICPC chapter letter (tractus), e.g. `K` for the circulatory system.
    pub fn chapter(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }
}

/// AGB code (Vektis): eight digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct AgbCode(Box<str>);
string_code!(AgbCode);

impl AgbCode {
    pub fn parse(s: &str) -> Result<Self, InvalidCode> {
        if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.into()))
        } else {
            Err(invalid("AGB code", s, "must be eight digits"))
        }
    }
}

/// NHG-Tabel 14 contactwijze: a two-digit code such as `01` (visite), `03` (consult),
/// `04` (telefonisch consult).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct ContactType(Box<str>);
string_code!(ContactType);

impl ContactType {
    pub fn parse(s: &str) -> Result<Self, InvalidCode> {
        if (1..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.into()))
        } else {
            Err(invalid(
                "NHG-Tabel 14 contactwijze",
                s,
                "must be a numeric code",
            ))
        }
    }

    /// The NHG display name for the common codes; `None` for codes we have no name for.
    pub fn display_nl(&self) -> Option<&'static str> {
        Some(match &*self.0 {
            "01" => "Visite",
            "02" => "Visite (avond/nacht/weekend)",
            "03" => "Consult",
            "04" => "Telefonisch consult",
            "05" => "E-consult",
            "06" => "Consult (avond/nacht/weekend)",
            "07" => "Telefonisch consult (avond/nacht/weekend)",
            "08" => "Overleg met hulpverlener",
            "09" => "Contact met derde",
            "10" => "Administratief contact",
            "11" => "Brief",
            "12" => "Post/registratie",
            _ => return None,
        })
    }
}

/// NHG-Tabel 45 diagnostische bepaling: the numeric code (not the mnemonic), e.g. `3208`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Nhg45Code(Box<str>);
string_code!(Nhg45Code);

impl Nhg45Code {
    pub fn parse(s: &str) -> Result<Self, InvalidCode> {
        if (1..=6).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.into()))
        } else {
            Err(invalid("NHG-Tabel 45 code", s, "must be a numeric code"))
        }
    }
}

/// A UCUM unit expression (`mmol/L`, `mm[Hg]`, `/min`, `Cel`, `kg`, `%`, `1`).
/// Checked for UCUM's lexical rules (printable ASCII, no spaces, balanced brackets),
/// not against the full grammar.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Ucum(Box<str>);
string_code!(Ucum);

impl Ucum {
    pub fn parse(s: &str) -> Result<Self, InvalidCode> {
        let printable = !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic());
        let mut depth = 0i32;
        let mut balanced = true;
        for c in s.chars() {
            match c {
                '[' | '(' | '{' => depth += 1,
                ']' | ')' | '}' => {
                    depth -= 1;
                    if depth < 0 {
                        balanced = false;
                    }
                }
                _ => {}
            }
        }
        if printable && balanced && depth == 0 {
            Ok(Self(s.into()))
        } else {
            Err(invalid("UCUM unit", s, "not a UCUM expression"))
        }
    }
}

/// A coded concept from any code system: what a FHIR Coding carries.
///
/// Kept small, as most codings of a kept record are (issue 21): the system is shared
/// ([`CodeSystem`]), and a code or display of up to 24 bytes is held inline (`CompactString`),
/// not allocated. A record of the reference shape names a system 183 times; its codings took
/// about 15 KB of heap of its 84 KB as separate `String`s.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Coding {
    pub system: CodeSystem,
    pub code: CompactString,
    pub display: Option<CompactString>,
}

impl Coding {
    pub fn new(system: &str, code: &str, display: Option<&str>) -> Self {
        Self {
            system: CodeSystem::new(system),
            code: code.into(),
            display: display.map(CompactString::from),
        }
    }
    /// What a person reads for it: the display, else the code.
    pub fn label(&self) -> &str {
        self.display.as_deref().unwrap_or(&self.code)
    }
}

/// A code system's URI as a [`Coding`] names it. A record names the same few systems over and
/// over (LOINC, ICPC, the G-Standaard's, the source's identifier system), so each URI is held
/// once in the process and every coding that names it shares it: 16 bytes in the coding and no
/// copy of its own. What a source (or a patient's PGO) may send is not bounded, so only URIs
/// of at most [`CodeSystem::SHARED_LONGEST`] bytes are shared, and after
/// [`CodeSystem::SHARED_MOST`] distinct ones a new one is held by its coding alone (shared only
/// with its clones): at most about 600 KB are held for the process.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodeSystem(Arc<str>);

/// URIs held once for the process, at most `most` of them.
struct SharedUris {
    held: RwLock<HashSet<Arc<str>>>,
    most: usize,
}

impl SharedUris {
    fn new(most: usize) -> Self {
        Self {
            held: RwLock::default(),
            most,
        }
    }
    /// The held `uri`, held from now on if there is room; else a copy of its own. A poisoned
    /// lock is used as it is: the set only ever gains whole entries.
    fn get(&self, uri: &str) -> Arc<str> {
        if uri.len() > CodeSystem::SHARED_LONGEST {
            return Arc::from(uri);
        }
        {
            let held = self.held.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(s) = held.get(uri) {
                return s.clone();
            }
            // Full: no write lock for what will not be held.
            if held.len() >= self.most {
                return Arc::from(uri);
            }
        }
        let mut held = self.held.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(s) = held.get(uri) {
            return s.clone();
        }
        let own: Arc<str> = Arc::from(uri);
        if held.len() < self.most {
            held.insert(own.clone());
        }
        own
    }
}

/// The URIs held once for the process (see [`CodeSystem`]).
static SHARED_SYSTEMS: LazyLock<SharedUris> =
    LazyLock::new(|| SharedUris::new(CodeSystem::SHARED_MOST));

impl CodeSystem {
    /// How many distinct URIs are shared at most. A practice's records name a few dozen.
    pub const SHARED_MOST: usize = 4096;
    /// The longest URI shared, in bytes (the longest the record's systems name is 93).
    pub const SHARED_LONGEST: usize = 128;

    /// The system `uri`: the shared one when the process holds it (or can still take it).
    pub fn new(uri: &str) -> Self {
        Self(SHARED_SYSTEMS.get(uri))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for CodeSystem {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for CodeSystem {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for CodeSystem {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for CodeSystem {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl fmt::Debug for CodeSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for CodeSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for CodeSystem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CodeSystem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Uri;
        impl serde::de::Visitor<'_> for Uri {
            type Value = CodeSystem;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a code system URI")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CodeSystem, E> {
                Ok(CodeSystem::new(v))
            }
        }
        d.deserialize_str(Uri)
    }
}

/// Code system URIs used by the record (see `background.md` §2.3).
pub mod system {
    pub const ICPC: &str = "http://hl7.org/fhir/sid/icpc-1-nl";
    pub const SOEP: &str = "http://fhir.nl/fhir/NamingSystem/journaalregeltypen";
    pub const NHG_14: &str = "https://referentiemodel.nhg.org/tabellen/nhg-tabel-14-contactwijze";
    pub const NHG_25: &str = "https://referentiemodel.nhg.org/tabellen/nhg-tabel-25-gebruiksvoorschrift#aanvullend-numeriek";
    pub const NHG_45: &str =
        "https://referentiemodel.nhg.org/tabellen/nhg-tabel-45-diagnostische-bepalingen";
    pub const NHG_45_RESULTS: &str =
        "https://referentiemodel.nhg.org/tabellen/nhg-tabel-45-diagnostische-bepalingen#resultaten";
    pub const NHG_56: &str =
        "https://referentiemodel.nhg.org/tabellen/nhg-tabel-56-profylaxe-en-voorzorg";
    pub const NHG_15: &str = "https://referentiemodel.nhg.org/tabellen/nhg-tabel-15-verrichtingen";
    pub const GPK: &str = "urn:oid:2.16.840.1.113883.2.4.4.1";
    pub const PRK: &str = "urn:oid:2.16.840.1.113883.2.4.4.10";
    pub const HPK: &str = "urn:oid:2.16.840.1.113883.2.4.4.7";
    pub const ZI: &str = "urn:oid:2.16.840.1.113883.2.4.4.8";
    pub const SNK: &str = "urn:oid:2.16.840.1.113883.2.4.4.1.750";
    pub const G_CI: &str = "urn:oid:2.16.840.1.113883.2.4.4.1.902.40";
    pub const ATC: &str = "http://www.whocc.no/atc";
    pub const LOINC: &str = "http://loinc.org";
    pub const SNOMED: &str = "http://snomed.info/sct";
    pub const UCUM: &str = "http://unitsofmeasure.org";
    pub const BSN: &str = "http://fhir.nl/fhir/NamingSystem/bsn";
    pub const AGB: &str = "http://fhir.nl/fhir/NamingSystem/agb-z";
    pub const URA: &str = "http://fhir.nl/fhir/NamingSystem/ura";
    pub const UZI_PERS: &str = "http://fhir.nl/fhir/NamingSystem/uzi-nr-pers";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codings_share_their_system() {
        let a = Coding::new("urn:test:shared-system", "1", None);
        let b: Coding = serde_json::from_str(
            r#"{"system":"urn:test:shared-system","code":"2","display":null}"#,
        )
        .unwrap();
        assert!(Arc::ptr_eq(&a.system.0, &b.system.0));
        assert_eq!(b.system, "urn:test:shared-system");
        // Written as before: a string, and the code and display as strings.
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            r#"{"system":"urn:test:shared-system","code":"2","display":null}"#
        );
        let long = "a display longer than twenty-four bytes";
        let c = Coding::new(system::LOINC, "2345-7", Some(long));
        assert_eq!(c.label(), long);
        assert_eq!(Coding::new(system::LOINC, "2345-7", None).label(), "2345-7");
    }

    #[test]
    fn the_shared_systems_are_bounded() {
        // A set of its own: the process's set is shared by the other tests.
        let shared = SharedUris::new(3);
        for i in 0..3 {
            shared.get(&format!("urn:test:bound:{i}"));
        }
        // Past the bound a new URI is its coding's own; one shared before stays shared.
        let (a, b) = (shared.get("urn:test:past"), shared.get("urn:test:past"));
        assert!(!Arc::ptr_eq(&a, &b));
        assert_eq!(a, b);
        let (c, d) = (
            shared.get("urn:test:bound:0"),
            shared.get("urn:test:bound:0"),
        );
        assert!(Arc::ptr_eq(&c, &d));
        assert_eq!(shared.held.read().unwrap().len(), 3);
        // A long URI is never held, however much room there is.
        let roomy = SharedUris::new(10);
        let long = format!("urn:test:{}", "x".repeat(CodeSystem::SHARED_LONGEST));
        assert!(!Arc::ptr_eq(&roomy.get(&long), &roomy.get(&long)));
        assert!(roomy.held.read().unwrap().is_empty());
        let short = roomy.get("urn:test:short");
        assert!(Arc::ptr_eq(&short, &roomy.get("urn:test:short")));
        let longest = "x".repeat(CodeSystem::SHARED_LONGEST);
        assert!(Arc::ptr_eq(&roomy.get(&longest), &roomy.get(&longest)));
        // The process's systems go through such a set.
        let a = CodeSystem::new("urn:test:through-the-process-set");
        assert!(Arc::ptr_eq(&a.0, &SHARED_SYSTEMS.get(a.as_str())));
    }

    #[test]
    fn bsn_eleven_test() {
        // Synthetic numbers constructed to pass/fail the test; not real people.
        assert!(Bsn::parse("111222333").is_ok());
        assert!(Bsn::parse("123456782").is_ok());
        assert!(Bsn::parse("123456789").is_err());
        assert!(Bsn::parse("12345678").is_err());
        assert!(Bsn::parse("000000000").is_err());
        assert!(Bsn::parse("12345678a").is_err());
    }

    #[test]
    fn bsn_never_in_debug_output() {
        let b = Bsn::parse("123456782").unwrap();
        assert!(!format!("{b:?}").contains("123456782"));
        let e = Bsn::parse("123456789").unwrap_err();
        assert!(!e.to_string().contains("123456789"));
    }

    #[test]
    fn icpc_codes() {
        for ok in ["K86", "R21.01", "L86.01", "A97", "T90"] {
            assert!(IcpcCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "K8", "k86", "Q10", "K86.1", "K86-01", "K860"] {
            assert!(IcpcCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(IcpcCode::parse("R96").unwrap().chapter(), 'R');
    }

    #[test]
    fn ucum_lexical_check() {
        for ok in [
            "mmol/L",
            "mm[Hg]",
            "/min",
            "Cel",
            "kg",
            "%",
            "10*9/L",
            "mL/min/{1.73_m2}",
        ] {
            assert!(Ucum::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "mmol L", "mm[Hg", "]"] {
            assert!(Ucum::parse(bad).is_err(), "{bad}");
        }
    }
}
