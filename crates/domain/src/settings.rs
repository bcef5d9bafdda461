//! The practice settings the visibility rules read (issue: visibility rules, item 1).

use crate::codes::ContactType;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeSettings {
    /// E/P journal lines recorded before this date are not visible online (R5, R6, R9).
    pub journal_start_date: NaiveDate,
    /// Correspondence dated before this date is not visible online (R20, R21).
    pub correspondence_start_date: NaiveDate,
    /// Results older than this many months are not visible online (R17-R19).
    pub results_window_months: u32,
    /// A received lab result becomes visible after this many days unless a GP released
    /// or withheld it earlier (R26). 0 means immediately.
    pub result_release_delay_days: u32,
    /// Patients may choose to see results immediately instead of after the delay (R26).
    pub patients_may_choose_immediate_results: bool,
    /// The placeholder for a held result names the test ("HbA1c") rather than only "a result".
    pub held_result_placeholder_names_test: bool,
    /// Online access for patients under 16, own or parental (R39). Off by default.
    pub online_access_under_16: bool,
    /// NHG-Tabel 14 contact types in which the patient takes part (R10). Contacts of other
    /// types (a relative's phone call, consultation with another professional) keep their
    /// E/P lines offline unless staff mark the contact otherwise.
    pub contact_types_with_patient: Vec<ContactType>,
    /// A patient's request for the full copy (R102) waits for the practice's check before the
    /// copy is given. Off by default: the copy is given at once.
    #[serde(default)]
    pub full_copy_needs_check: bool,
    /// A patient may cancel an appointment online until this many hours before it (R49).
    #[serde(default = "default_cancel_hours")]
    pub cancel_until_hours_before: u32,
    /// How many future appointments a patient may have booked online at once (R49); more go
    /// through the practice. 0 turns online booking off.
    #[serde(default = "default_open_bookings")]
    pub max_open_online_bookings: u32,
}

fn default_cancel_hours() -> u32 {
    24
}

fn default_open_bookings() -> u32 {
    3
}

impl Default for PracticeSettings {
    fn default() -> Self {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
        let types = ["01", "02", "03", "04", "05", "06", "07"]
            .iter()
            .filter_map(|c| ContactType::parse(c).ok())
            .collect();
        Self {
            journal_start_date: date(2020, 7, 1),
            correspondence_start_date: date(2020, 7, 1),
            results_window_months: 14,
            result_release_delay_days: 7,
            patients_may_choose_immediate_results: false,
            held_result_placeholder_names_test: true,
            online_access_under_16: false,
            contact_types_with_patient: types,
            full_copy_needs_check: false,
            cancel_until_hours_before: default_cancel_hours(),
            max_open_online_bookings: default_open_bookings(),
        }
    }
}

impl PracticeSettings {
    pub fn contact_type_includes_patient(&self, t: &ContactType) -> bool {
        self.contact_types_with_patient.contains(t)
    }
}
