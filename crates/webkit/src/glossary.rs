//! Plain (B1) explanations of ICPC codes, NHG-Tabel 45 tests and the abbreviations that
//! appear in journal text, in every language the portal offers. Written by us; the data is
//! `glossary/<lang>.toml`, compiled in. Every language has the same entries (a test checks).
//! A term's key is the Dutch word as the GP writes it, in every language: the record stays as
//! written, and the explanation beside it is in the reader's language.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Deserialize)]
pub struct IcpcEntry {
    pub title: String,
    pub plain: String,
}

#[derive(Debug, Deserialize)]
pub struct LabEntry {
    pub name: String,
    pub plain: String,
}

#[derive(Debug, Deserialize)]
pub struct TermEntry {
    pub plain: String,
}

#[derive(Debug, Deserialize)]
struct File {
    icpc: HashMap<String, IcpcEntry>,
    lab: HashMap<String, LabEntry>,
    term: HashMap<String, TermEntry>,
}

/// One explained term found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained<'g> {
    pub term: &'g str,
    pub plain: &'g str,
}

pub struct Glossary {
    icpc: HashMap<String, IcpcEntry>,
    lab: HashMap<String, LabEntry>,
    terms: Vec<(String, TermEntry)>,
    matcher: AhoCorasick,
}

/// The glossary files, in the order of `inzage_domain::locale::LANGUAGES`.
const SOURCES: [(&str, &str); 5] = [
    ("nl", include_str!("../glossary/nl.toml")),
    ("en", include_str!("../glossary/en.toml")),
    ("ar", include_str!("../glossary/ar.toml")),
    ("tr", include_str!("../glossary/tr.toml")),
    ("pl", include_str!("../glossary/pl.toml")),
];

static GLOSSARIES: [LazyLock<Glossary>; 5] = [
    LazyLock::new(|| load(0)),
    LazyLock::new(|| load(1)),
    LazyLock::new(|| load(2)),
    LazyLock::new(|| load(3)),
    LazyLock::new(|| load(4)),
];

fn load(i: usize) -> Glossary {
    let (lang, text) = SOURCES[i];
    // The files are compiled in and checked by a test.
    Glossary::parse(text).unwrap_or_else(|e| panic!("glossary/{lang}.toml: {e}"))
}

impl Glossary {
    /// The Dutch glossary: the titles and names the practice's forms offer.
    pub fn dutch() -> &'static Glossary {
        &GLOSSARIES[0]
    }

    /// The glossary in `lang`, Dutch for a language not offered.
    pub fn for_lang(lang: &str) -> &'static Glossary {
        let lang = inzage_domain::locale::offered(lang);
        let i = SOURCES.iter().position(|(l, _)| *l == lang).unwrap_or(0);
        &GLOSSARIES[i]
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut terms: Vec<(String, TermEntry)> = file.term.into_iter().collect();
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(terms.iter().map(|(t, _)| t.as_str()))
            .map_err(|e| e.to_string())?;
        Ok(Self {
            icpc: file.icpc,
            lab: file.lab,
            terms,
            matcher,
        })
    }

    pub fn icpc(&self, code: &str) -> Option<&IcpcEntry> {
        self.icpc.get(code)
    }

    pub fn lab(&self, nhg45: &str) -> Option<&LabEntry> {
        self.lab.get(nhg45)
    }

    /// Every ICPC code with its title, sorted by code: the searchable list on entry forms.
    pub fn icpc_list(&self) -> Vec<(String, String)> {
        let mut v: Vec<_> = self
            .icpc
            .iter()
            .map(|(c, e)| (c.clone(), e.title.clone()))
            .collect();
        v.sort();
        v
    }

    /// Every NHG-Tabel 45 test with its name, sorted by number.
    pub fn lab_list(&self) -> Vec<(String, String)> {
        let mut v: Vec<_> = self
            .lab
            .iter()
            .map(|(c, e)| (c.clone(), e.name.clone()))
            .collect();
        v.sort_by_key(|(c, _)| c.parse::<u32>().unwrap_or(u32::MAX));
        v
    }

    /// The explanation of one term, by its key as the GP writes it.
    pub fn term(&self, term: &str) -> Option<&TermEntry> {
        self.terms
            .binary_search_by(|(t, _)| t.as_str().cmp(term))
            .ok()
            .map(|i| &self.terms[i].1)
    }

    pub fn counts(&self) -> (usize, usize, usize) {
        (self.icpc.len(), self.lab.len(), self.terms.len())
    }

    /// The known terms in `text`, each once, in order of first appearance. A term counts only
    /// as a whole word: "RR" in "RR 140/90" but not in "CORR".
    pub fn explain<'g>(&'g self, text: &str) -> Vec<Explained<'g>> {
        let mut found: Vec<Explained<'g>> = vec![];
        let bytes = text.as_bytes();
        for m in self.matcher.find_iter(text) {
            let before_ok = m.start() == 0 || !is_word_byte(bytes[m.start() - 1]);
            let after_ok = m.end() == bytes.len() || !is_word_byte(bytes[m.end()]);
            if !(before_ok && after_ok) {
                continue;
            }
            // Matching ignores case ("rr" is "RR"), but where two terms differ only in case
            // ("DD", differential diagnosis; "dd", daily) the one written wins.
            let written = &text[m.start()..m.end()];
            let (term, entry) = match self
                .terms
                .binary_search_by(|(t, _)| t.as_str().cmp(written))
            {
                Ok(i) => &self.terms[i],
                Err(_) => &self.terms[m.pattern().as_usize()],
            };
            if !found.iter().any(|f| f.term == term) {
                found.push(Explained {
                    term,
                    plain: &entry.plain,
                });
            }
        }
        found
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_glossary_covers_what_the_portal_needs() {
        let g = Glossary::dutch();
        let (icpc, lab, terms) = g.counts();
        assert!(icpc >= 150, "{icpc} ICPC codes");
        assert!(terms >= 50, "{terms} terms");
        assert!(lab >= 8, "{lab} lab tests");
        for code in [
            "T90", "K86", "R95", "R96", "P76", "L90", "K78", "U71", "H71", "R74",
        ] {
            assert!(g.icpc(code).is_some(), "{code}");
        }
    }

    /// Issue 17: every language explains every code and term the Dutch glossary does, and no
    /// entry is empty.
    #[test]
    fn every_language_explains_the_same_codes_and_terms() {
        let nl = Glossary::dutch();
        for (lang, _) in SOURCES {
            let g = Glossary::for_lang(lang);
            assert_eq!(g.counts(), nl.counts(), "{lang}");
            for (code, _) in nl.icpc_list() {
                let e = g
                    .icpc(&code)
                    .unwrap_or_else(|| panic!("{lang}: ICPC {code}"));
                assert!(
                    !e.title.trim().is_empty() && !e.plain.trim().is_empty(),
                    "{lang} {code}"
                );
            }
            for (code, _) in nl.lab_list() {
                let e = g.lab(&code).unwrap_or_else(|| panic!("{lang}: lab {code}"));
                assert!(
                    !e.name.trim().is_empty() && !e.plain.trim().is_empty(),
                    "{lang} {code}"
                );
            }
            for (term, _) in &nl.terms {
                let e = g
                    .term(term)
                    .unwrap_or_else(|| panic!("{lang}: term {term}"));
                assert!(!e.plain.trim().is_empty(), "{lang} {term}");
            }
        }
        let k86 = |lang| {
            Glossary::for_lang(lang)
                .icpc("K86")
                .map(|e| e.plain.clone())
        };
        assert_ne!(k86("nl"), k86("tr"));
        assert!(std::ptr::eq(Glossary::for_lang("de"), nl));
    }

    #[test]
    fn terms_match_whole_words_only() {
        let g = Glossary::parse(
            "[icpc]\n[lab]\n[term.RR]\nplain = \"Bloeddruk.\"\n[term.\"z.n.\"]\nplain = \"Zo nodig.\"\n",
        )
        .unwrap();
        let found = g.explain("RR 140/90, paracetamol z.n.; CORR rr");
        assert_eq!(
            found,
            vec![
                Explained {
                    term: "RR",
                    plain: "Bloeddruk."
                },
                Explained {
                    term: "z.n.",
                    plain: "Zo nodig."
                }
            ]
        );
        assert!(g.explain("CORRECT").is_empty());
    }

    #[test]
    fn a_term_written_in_another_case_than_a_twin_is_that_term() {
        let g = Glossary::dutch();
        let daily = g.explain("paracetamol 3 dd 1");
        assert_eq!(daily.first().map(|e| e.term), Some("dd"));
        let ddx = g.explain("DD: astma");
        assert_eq!(ddx.first().map(|e| e.term), Some("DD"));
        assert_eq!(g.explain("rr 140/90").first().map(|e| e.term), Some("RR"));
    }
}
