//! Plain-Dutch (B1) explanations of ICPC codes, NHG-Tabel 45 tests and the abbreviations that
//! appear in journal text. Written by us; the data is `glossary/nl.toml`, compiled in.

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

static DUTCH: LazyLock<Glossary> = LazyLock::new(|| {
    #[allow(clippy::expect_used)] // the file is compiled in and checked by a test
    Glossary::parse(include_str!("../glossary/nl.toml")).expect("glossary/nl.toml is valid")
});

impl Glossary {
    /// The Dutch glossary.
    pub fn dutch() -> &'static Glossary {
        &DUTCH
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
            let (term, entry) = &self.terms[m.pattern().as_usize()];
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
}
