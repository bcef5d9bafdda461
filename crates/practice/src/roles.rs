//! Who in the practice may do what: one table (issue 5). Every practice route names its action;
//! `allowed` is the only place that decides.

use inzage_domain::StaffRole::{self, Administrator, Assistant, Gp, PracticeNurse};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Find a patient of the practice.
    SearchPatients,
    /// Open the whole record (including S/O lines and personal work notes).
    ViewRecord,
    /// "Wat ziet de patiënt?": the patient's (or a representative's) online view.
    PreviewPatientView,
    /// The access log of one patient.
    ViewAuditLog,
    /// Write consultations with SOEP lines.
    EditJournal,
    EditEpisodes,
    EditMedication,
    /// Allergies and intolerances.
    EditAllergies,
    /// A GP's personal work notes (never online, R23).
    WriteWorkNotes,
    RegisterResults,
    /// Release a held result or withhold it (R26, R27).
    ReleaseResults,
    /// Shield an item from online view (R29-R31).
    ShieldItems,
    RegisterLetters,
    RegisterAppointments,
    /// Record online consent and representations (R35, R41, R53).
    ManageAccess,
    ManageSettings,
    ManageStaff,
    /// Make the electronic copy of a record for the patient and decide requests for it (R102).
    HandOutCopies,
    /// Decide repeat-prescription requests (R48).
    ApprovePrescriptions,
    /// See the day schedule (who booked which slot).
    ViewAgenda,
    /// Add bookable slots (R49).
    ManageAgenda,
    /// Read and answer patients' questions (e-consult, R47).
    AnswerMessages,
    /// Decide patients' correction requests and statements (R109, R110).
    DecideCorrections,
    /// Look at the measurements patients sent from their PGO (data service 52, R127).
    ReviewSelfMeasurements,
    /// Look afterwards at another provider's emergency retrieval of a summary (R114).
    ReviewEmergencies,
    /// Agree to a patient's request not to share an item with a kind of provider, or ask to
    /// discuss it (issue 20).
    DecideBlocks,
    /// Destroy a record whose term ended or keep it longer, and decide patients' requests to
    /// destroy (R108, R111).
    DecideRetention,
    /// File a locum's report of a contact into the record (issue 20).
    FileLocumReports,
    /// Make a referral letter from the record (issue 20).
    WriteReferrals,
}

/// The table. A GP does everything medical; an assistant registers and writes journal lines but
/// releases and shields nothing; a practice nurse works in the record for chronic care; the
/// administrator manages accounts and settings and never opens a record.
const TABLE: &[(Action, &[StaffRole])] = &[
    (Action::SearchPatients, &[Gp, Assistant, PracticeNurse]),
    (Action::ViewRecord, &[Gp, Assistant, PracticeNurse]),
    (Action::PreviewPatientView, &[Gp, Assistant, PracticeNurse]),
    (Action::ViewAuditLog, &[Gp, Administrator]),
    (Action::EditJournal, &[Gp, Assistant, PracticeNurse]),
    (Action::EditEpisodes, &[Gp, PracticeNurse]),
    (Action::EditMedication, &[Gp]),
    (Action::EditAllergies, &[Gp, PracticeNurse]),
    (Action::WriteWorkNotes, &[Gp]),
    (Action::RegisterResults, &[Gp, Assistant, PracticeNurse]),
    (Action::ReleaseResults, &[Gp]),
    (Action::ShieldItems, &[Gp]),
    (Action::RegisterLetters, &[Gp, Assistant]),
    (
        Action::RegisterAppointments,
        &[Gp, Assistant, PracticeNurse],
    ),
    (Action::ManageAccess, &[Gp, Assistant]),
    (Action::ManageSettings, &[Gp, Administrator]),
    (Action::ManageStaff, &[Administrator]),
    (Action::HandOutCopies, &[Gp, Assistant]),
    (Action::ApprovePrescriptions, &[Gp]),
    (Action::ViewAgenda, &[Gp, Assistant, PracticeNurse]),
    (Action::ManageAgenda, &[Gp, Assistant]),
    (Action::AnswerMessages, &[Gp, Assistant, PracticeNurse]),
    (Action::DecideCorrections, &[Gp]),
    (Action::ReviewSelfMeasurements, &[Gp, PracticeNurse]),
    (Action::ReviewEmergencies, &[Gp]),
    (Action::DecideBlocks, &[Gp]),
    (Action::DecideRetention, &[Gp]),
    (Action::FileLocumReports, &[Gp]),
    (Action::WriteReferrals, &[Gp]),
];

pub fn allowed(role: StaffRole, action: Action) -> bool {
    TABLE
        .iter()
        .any(|(a, roles)| *a == action && roles.contains(&role))
}

/// Dutch name of a role, for pages and the patient's access log.
pub fn role_nl(role: StaffRole) -> &'static str {
    match role {
        Gp => "huisarts",
        Assistant => "doktersassistent",
        PracticeNurse => "praktijkondersteuner",
        Administrator => "praktijkbeheerder",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_exactly_one_row_and_someone_who_may() {
        for (i, (action, roles)) in TABLE.iter().enumerate() {
            assert!(!roles.is_empty(), "{action:?}");
            assert!(
                TABLE[i + 1..].iter().all(|(a, _)| a != action),
                "{action:?} twice"
            );
        }
    }

    #[test]
    fn only_a_gp_releases_results_and_shields_items() {
        for role in [Gp, Assistant, PracticeNurse, Administrator] {
            assert_eq!(allowed(role, Action::ReleaseResults), role == Gp);
            assert_eq!(allowed(role, Action::ShieldItems), role == Gp);
        }
        assert!(allowed(Assistant, Action::RegisterAppointments));
        assert!(allowed(Assistant, Action::RegisterLetters));
    }

    #[test]
    fn the_administrator_never_opens_a_record() {
        assert!(!allowed(Administrator, Action::ViewRecord));
        assert!(!allowed(Administrator, Action::SearchPatients));
        assert!(!allowed(Administrator, Action::PreviewPatientView));
        assert!(allowed(Administrator, Action::ManageStaff));
    }
}
