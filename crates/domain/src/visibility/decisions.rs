//! The per-item decisions: for one record at one moment, whether each item is visible online and,
//! if not, why (`None` = visible). Every view and the full copy are built from them.

use super::*;

/// The per-item decisions for one record at one moment, in record order. `None` = visible.
/// A part not asked for has no decisions (an empty list).
pub(super) struct Decisions {
    pub(super) today: NaiveDate,
    pub(super) episodes: Vec<Option<ExclusionReason>>,
    pub(super) problems: Vec<Option<ExclusionReason>>,
    pub(super) alerts: Vec<Option<ExclusionReason>>,
    pub(super) contacts: Vec<Option<ExclusionReason>>,
    pub(super) journal: Vec<Option<ExclusionReason>>,
    pub(super) medication: Vec<Option<ExclusionReason>>,
    pub(super) allergies: Vec<Option<ExclusionReason>>,
    pub(super) contra_indications: Vec<Option<ExclusionReason>>,
    pub(super) results: Vec<Option<ExclusionReason>>,
    pub(super) treatments: Vec<Option<ExclusionReason>>,
    pub(super) prophylaxis: Vec<Option<ExclusionReason>>,
    pub(super) letters: Vec<Option<ExclusionReason>>,
    pub(super) appointments: Vec<Option<ExclusionReason>>,
}

pub(super) fn shielded(meta: &ItemMeta) -> Option<ExclusionReason> {
    meta.shield
        .as_ref()
        .map(|s| ExclusionReason::Shielded { reason: s.reason })
}

impl Decisions {
    pub(super) fn new(
        record: &PatientRecord,
        settings: &PracticeSettings,
        now: DateTime<Utc>,
        parts: Parts,
    ) -> Self {
        let today = local_date(now);
        // Only what `parts` asks for; an episode's visibility needs its lines' (R4).
        fn of<T>(
            wanted: bool,
            items: &[T],
            decide: impl FnMut(&T) -> Option<ExclusionReason>,
        ) -> Vec<Option<ExclusionReason>> {
            if wanted {
                items.iter().map(decide).collect()
            } else {
                Vec::new()
            }
        }
        let episodes_wanted = parts.has(Parts::EPISODES);
        let journal_wanted = parts.has(Parts::JOURNAL);
        let lines_wanted = episodes_wanted || journal_wanted;
        let contacts: HashMap<&str, &Contact> = match lines_wanted {
            true => record.contacts.iter().map(|c| (c.id.as_str(), c)).collect(),
            false => HashMap::default(),
        };
        let episodes: HashMap<&str, &Episode> = match lines_wanted {
            true => record.episodes.iter().map(|e| (e.id.as_str(), e)).collect(),
            false => HashMap::default(),
        };
        let contact_with_patient = |c: &Contact| {
            c.patient_took_part
                .unwrap_or_else(|| settings.contact_type_includes_patient(&c.contact_type))
        };

        // The episode a line belongs to: its own link, else its contact's.
        fn line_episode_of<'r>(
            l: &'r JournalLine,
            contacts: &HashMap<&str, &'r Contact>,
        ) -> Option<&'r str> {
            l.episode.as_ref().map(|e| e.as_str()).or_else(|| {
                l.contact
                    .as_ref()
                    .and_then(|c| contacts.get(c.as_str()))
                    .and_then(|c| c.episode.as_ref())
                    .map(|e| e.as_str())
            })
        }

        // Journal lines (R5-R10).
        let journal: Vec<Option<ExclusionReason>> = of(lines_wanted, &record.journal, |l| {
            let contact = l.contact.as_ref().and_then(|c| contacts.get(c.as_str()));
            let episode = line_episode_of(l, &contacts).and_then(|e| episodes.get(e));
            if l.soep == Soep::S {
                Some(ExclusionReason::SubjectiveLine)
            } else if l.soep == Soep::O {
                Some(ExclusionReason::ObjectiveLine)
            } else if let Some(r) = shielded(&l.meta) {
                Some(r)
            } else if l.date < settings.journal_start_date {
                Some(ExclusionReason::BeforeJournalStartDate {
                    start: settings.journal_start_date,
                })
            } else if contact.is_some_and(|c| c.meta.shield.is_some()) {
                Some(ExclusionReason::ContactShielded)
            } else if contact.is_some_and(|c| !contact_with_patient(c)) {
                Some(ExclusionReason::ContactWithoutPatient)
            } else if episode.is_some_and(|e| e.meta.shield.is_some()) {
                Some(ExclusionReason::EpisodeShielded)
            } else {
                None
            }
        });

        // Episodes with at least one visible E/P line (R4).
        let mut episodes_with_visible_lines: HashMap<&str, ()> = HashMap::default();
        for (l, reason) in record.journal.iter().zip(&journal) {
            if reason.is_none()
                && let Some(e) = line_episode_of(l, &contacts)
            {
                episodes_with_visible_lines.insert(e, ());
            }
        }

        // Episodes (R1-R4).
        let episode_decisions: Vec<Option<ExclusionReason>> =
            of(episodes_wanted, &record.episodes, |e| {
                if let Some(r) = shielded(&e.meta) {
                    Some(r)
                } else if !e.is_closed(today)
                    || e.attentiewaarde
                    || episodes_with_visible_lines.contains_key(e.id.as_str())
                {
                    None
                } else {
                    Some(ExclusionReason::ClosedEpisodeWithoutAttention)
                }
            });
        let visible_episode: HashMap<&str, bool> = record
            .episodes
            .iter()
            .zip(&episode_decisions)
            .map(|(e, r)| (e.id.as_str(), r.is_none()))
            .collect();
        let is_visible_episode = |id: Option<&EpisodeId>| {
            id.is_some_and(|e| visible_episode.get(e.as_str()).copied().unwrap_or(false))
        };

        // Problems and alerts: only as part of a visible episode.
        let problems = of(episodes_wanted, &record.problems, |p| {
            shielded(&p.meta).or_else(|| {
                let in_visible_episode = record
                    .episodes
                    .iter()
                    .zip(&episode_decisions)
                    .any(|(e, r)| r.is_none() && e.problem.as_ref() == Some(&p.id));
                (!in_visible_episode).then_some(ExclusionReason::NotInOnlineSelection)
            })
        });
        let alerts = of(episodes_wanted, &record.alerts, |a| {
            shielded(&a.meta).or_else(|| {
                (!is_visible_episode(a.episode.as_ref()))
                    .then_some(ExclusionReason::NotInOnlineSelection)
            })
        });

        // Contacts: visible when at least one of their E/P lines is.
        let mut contacts_with_visible_lines: HashMap<&str, ()> = HashMap::default();
        for (l, reason) in record.journal.iter().zip(&journal) {
            if let (None, Some(c)) = (reason, &l.contact) {
                contacts_with_visible_lines.insert(c.as_str(), ());
            }
        }
        let contact_decisions = of(journal_wanted, &record.contacts, |c| {
            if let Some(r) = shielded(&c.meta) {
                Some(r)
            } else if contacts_with_visible_lines.contains_key(c.id.as_str()) {
                None
            } else if !contact_with_patient(c) {
                Some(ExclusionReason::ContactWithoutPatient)
            } else if c.date < settings.journal_start_date {
                Some(ExclusionReason::BeforeJournalStartDate {
                    start: settings.journal_start_date,
                })
            } else {
                Some(ExclusionReason::NoVisibleJournalLines)
            }
        });

        // Medication (R13, R14).
        let medication = of(parts.has(Parts::MEDICATION), &record.medication, |m| {
            shielded(&m.meta).or_else(|| match m.period_end {
                Some(end) if end < today => Some(ExclusionReason::MedicationEnded { on: end }),
                _ => None,
            })
        });

        // Results (R17-R19, R26-R28).
        let cutoff = months_before(today, settings.results_window_months);
        let immediate = settings.patients_may_choose_immediate_results
            && record.patient.wants_results_immediately;
        let results = of(parts.has(Parts::RESULTS), &record.results, |r| {
            if let Some(s) = shielded(&r.meta) {
                return Some(s);
            }
            if local_date(r.effective) < cutoff {
                return Some(ExclusionReason::OutsideResultsWindow { cutoff });
            }
            match &r.review {
                ReviewState::Released { .. } => None,
                ReviewState::Withheld { .. } => Some(ExclusionReason::WithheldByGp),
                ReviewState::Pending { received_at } => {
                    let available_from = local_date(*received_at)
                        .checked_add_days(Days::new(u64::from(settings.result_release_delay_days)))
                        .unwrap_or(NaiveDate::MAX);
                    if immediate || today >= available_from {
                        None
                    } else {
                        Some(ExclusionReason::NotYetReleased { available_from })
                    }
                }
            }
        });

        // Letters (R20, R21).
        let letters = of(parts.has(Parts::LETTERS), &record.letters, |l| {
            shielded(&l.meta).or_else(|| {
                if l.letter_type == LetterType::Other {
                    Some(ExclusionReason::LetterTypeNotOnline)
                } else if l.date < settings.correspondence_start_date {
                    Some(ExclusionReason::BeforeCorrespondenceStartDate {
                        start: settings.correspondence_start_date,
                    })
                } else {
                    None
                }
            })
        });

        let allergies = parts.has(Parts::ALLERGIES);
        let treatments = parts.has(Parts::TREATMENTS);
        Self {
            today,
            episodes: episode_decisions,
            problems,
            alerts,
            contacts: contact_decisions,
            // Decided for the episodes (R4), shown only when asked for.
            journal: if journal_wanted { journal } else { Vec::new() },
            medication,
            // R15, R16: allergies (also inactive ones) and contra-indications are visible.
            allergies: of(allergies, &record.allergies, |a| shielded(&a.meta)),
            contra_indications: of(allergies, &record.contra_indications, |c| shielded(&c.meta)),
            results,
            // R11, R12.
            treatments: of(treatments, &record.treatments, |t| shielded(&t.meta)),
            prophylaxis: of(treatments, &record.prophylaxis, |p| shielded(&p.meta)),
            letters,
            appointments: of(parts.has(Parts::APPOINTMENTS), &record.appointments, |a| {
                shielded(&a.meta)
            }),
        }
    }
}
