//! Measurements a person took themselves (MedMij data service 52, "Meetwaarden vitale functies",
//! the zibs of Nictiz SelfMeasurements 2.0): blood pressure, weight, height, temperature, blood
//! glucose, heart rate, oxygen saturation and pain score.
//!
//! At the practice they arrive from a PGO and stay patient-reported (R127): they live beside the
//! record, never among the practice's own results, carry who sent them, and wait in a queue until
//! a GP has looked at them ([`Review`]). In the PGO the same type holds what the person entered.

use crate::codes::{Coding, system};
use crate::ids::PatientId;
use crate::record::Decimal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The kinds of measurement data service 52 carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VitalSign {
    BloodPressure,
    BodyWeight,
    BodyHeight,
    BodyTemperature,
    BloodGlucose,
    HeartRate,
    OxygenSaturation,
    PainScore,
}

/// LOINC codes of blood glucose measurements (Nictiz `vitalsign-bloodglucose`): capillary by
/// glucometer, then fasting and after a meal.
pub const GLUCOSE_CODES: [(&str, &str); 3] = [
    (
        "14743-9",
        "Glucose [Moles/volume] in Capillary blood by Glucometer",
    ),
    (
        "14760-3",
        "Glucose [Moles/volume] in Capillary blood by Glucometer --post meal",
    ),
    (
        "14770-2",
        "Glucose [Moles/volume] in Capillary blood by Glucometer --fasting",
    ),
];
/// The components of a blood pressure: systolic and diastolic.
pub const SYSTOLIC: &str = "8480-6";
pub const DIASTOLIC: &str = "8462-4";

impl VitalSign {
    pub const ALL: [VitalSign; 8] = [
        VitalSign::BloodPressure,
        VitalSign::BodyWeight,
        VitalSign::BodyHeight,
        VitalSign::BodyTemperature,
        VitalSign::BloodGlucose,
        VitalSign::HeartRate,
        VitalSign::OxygenSaturation,
        VitalSign::PainScore,
    ];

    /// A stable key (forms, translations, storage).
    pub fn key(self) -> &'static str {
        match self {
            VitalSign::BloodPressure => "blood-pressure",
            VitalSign::BodyWeight => "body-weight",
            VitalSign::BodyHeight => "body-height",
            VitalSign::BodyTemperature => "body-temperature",
            VitalSign::BloodGlucose => "blood-glucose",
            VitalSign::HeartRate => "heart-rate",
            VitalSign::OxygenSaturation => "oxygen-saturation",
            VitalSign::PainScore => "pain-score",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.key() == key)
    }

    /// The Nictiz profile (STU3, zib 2017) a resource of this kind claims.
    pub fn profile(self) -> &'static str {
        match self {
            VitalSign::BloodPressure => {
                "http://nictiz.nl/fhir/StructureDefinition/zib-BloodPressure"
            }
            VitalSign::BodyWeight => "http://nictiz.nl/fhir/StructureDefinition/zib-BodyWeight",
            VitalSign::BodyHeight => "http://nictiz.nl/fhir/StructureDefinition/zib-BodyHeight",
            VitalSign::BodyTemperature => {
                "http://nictiz.nl/fhir/StructureDefinition/zib-BodyTemperature"
            }
            VitalSign::BloodGlucose => {
                "http://nictiz.nl/fhir/StructureDefinition/vitalsign-bloodglucose"
            }
            VitalSign::HeartRate => "http://nictiz.nl/fhir/StructureDefinition/zib-HeartRate",
            VitalSign::OxygenSaturation => {
                "http://nictiz.nl/fhir/StructureDefinition/zib-O2Saturation"
            }
            VitalSign::PainScore => "http://nictiz.nl/fhir/StructureDefinition/zib-PainScore",
        }
    }

    /// The LOINC code (and display) of a measurement of this kind that we write ourselves.
    pub fn code(self) -> Coding {
        let (code, display) = match self {
            VitalSign::BloodPressure => {
                ("85354-9", "Blood pressure panel with all children optional")
            }
            VitalSign::BodyWeight => ("29463-7", "Body weight"),
            VitalSign::BodyHeight => ("8302-2", "Body height"),
            VitalSign::BodyTemperature => ("8310-5", "Body temperature"),
            VitalSign::BloodGlucose => GLUCOSE_CODES[0],
            VitalSign::HeartRate => ("8867-4", "Heart rate"),
            VitalSign::OxygenSaturation => (
                "59408-5",
                "Oxygen saturation in Arterial blood by Pulse oximetry",
            ),
            VitalSign::PainScore => (
                "72514-3",
                "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            ),
        };
        Coding::new(system::LOINC, code, Some(display))
    }

    /// The kind a LOINC code names, if it is one of data service 52's.
    pub fn of_loinc(code: &str) -> Option<Self> {
        match code {
            "85354-9" => Some(VitalSign::BloodPressure),
            "29463-7" | "3141-9" => Some(VitalSign::BodyWeight),
            "8302-2" | "8306-3" => Some(VitalSign::BodyHeight),
            "8310-5" => Some(VitalSign::BodyTemperature),
            "8867-4" => Some(VitalSign::HeartRate),
            "59408-5" | "2708-6" => Some(VitalSign::OxygenSaturation),
            "72514-3" => Some(VitalSign::PainScore),
            c if GLUCOSE_CODES.iter().any(|(g, _)| *g == c) => Some(VitalSign::BloodGlucose),
            _ => None,
        }
    }

    /// The UCUM unit a value of this kind is written in, and the sensible range a person can
    /// enter (anything outside is a typing error, refused with a message).
    pub fn unit(self) -> (&'static str, f64, f64) {
        match self {
            VitalSign::BloodPressure => ("mm[Hg]", 20.0, 300.0),
            VitalSign::BodyWeight => ("kg", 0.3, 500.0),
            VitalSign::BodyHeight => ("cm", 20.0, 260.0),
            VitalSign::BodyTemperature => ("Cel", 25.0, 45.0),
            VitalSign::BloodGlucose => ("mmol/L", 0.5, 60.0),
            VitalSign::HeartRate => ("/min", 10.0, 300.0),
            VitalSign::OxygenSaturation => ("%", 40.0, 100.0),
            VitalSign::PainScore => ("{score}", 0.0, 10.0),
        }
    }

    /// The Observation category this kind is written with: vital signs, except blood glucose,
    /// which the Nictiz profile files as a laboratory finding.
    pub fn category(self) -> Coding {
        match self {
            VitalSign::BloodGlucose => Coding::new(
                system::SNOMED,
                "49581000146104",
                Some("bevinding betreffende laboratoriumonderzoek"),
            ),
            _ => Coding::new(
                "http://hl7.org/fhir/observation-category",
                "vital-signs",
                Some("Vital Signs"),
            ),
        }
    }
}

/// A unit written for people: "mm Hg", "°C", "per minuut".
pub fn unit_for_people(ucum: &str) -> &str {
    match ucum {
        "mm[Hg]" => "mm Hg",
        "Cel" => "°C",
        "mmol/L" | "mmol/l" => "mmol/l",
        "/min" | "{beats}/min" => "per minuut",
        "{score}" | "{score_0-10}" => "van 10",
        other => other,
    }
}

/// One value of a measurement: a blood pressure has two (systolic, diastolic), the rest one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// The component's code (blood pressure), or the measurement's own code.
    pub code: Coding,
    pub value: Decimal,
    /// The UCUM unit as sent.
    pub unit: String,
}

/// What a GP decided about a measurement a patient sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Review {
    /// Waiting in the practice's queue.
    New,
    /// The GP looked at it and takes it into account (it shows in the record as the patient's).
    Accepted { by: String, at: DateTime<Utc> },
    /// The GP looked at it and does not take it into the record (it stays the patient's own).
    Declined { by: String, at: DateTime<Utc> },
}

/// A measurement the person took, as the practice received it or the PGO holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelfMeasurement {
    pub id: String,
    pub patient: PatientId,
    pub kind: VitalSign,
    pub code: Coding,
    /// The categories as sent (the vital-signs search answers by these).
    pub categories: Vec<Coding>,
    /// When it was measured, as written (a date or a date-time with zone).
    pub effective: String,
    /// The same as an instant, for order and period searches (a date counts from its start).
    pub effective_at: DateTime<Utc>,
    pub values: Vec<Measured>,
    /// The person's own remark.
    pub comment: Option<String>,
    pub received_at: DateTime<Utc>,
    /// Who sent it (the PGO's client id) or `self` when entered in our own PGO.
    pub sent_by: String,
    pub review: Review,
}

impl SelfMeasurement {
    /// The value for people: "133/92 mm Hg", "72,5 kg" (Dutch decimal comma).
    pub fn summary(&self) -> String {
        let number = |d: &Decimal| d.as_str().replace('.', ",");
        let unit = self
            .values
            .first()
            .map(|m| unit_for_people(&m.unit))
            .unwrap_or_default();
        let text = if self.kind == VitalSign::BloodPressure {
            let part = |code: &str| self.values.iter().find(|m| m.code.code == code);
            match (part(SYSTOLIC), part(DIASTOLIC)) {
                (Some(s), Some(d)) => format!("{}/{}", number(&s.value), number(&d.value)),
                _ => self
                    .values
                    .iter()
                    .map(|m| number(&m.value))
                    .collect::<Vec<_>>()
                    .join("/"),
            }
        } else {
            self.values
                .first()
                .map(|m| number(&m.value))
                .unwrap_or_default()
        };
        if unit.is_empty() {
            text
        } else {
            format!("{text} {unit}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bp() -> SelfMeasurement {
        let at = DateTime::parse_from_rfc3339("2026-11-01T07:30:00+01:00")
            .unwrap()
            .with_timezone(&Utc);
        SelfMeasurement {
            id: "m1".into(),
            patient: PatientId::new("p1").unwrap(),
            kind: VitalSign::BloodPressure,
            code: VitalSign::BloodPressure.code(),
            categories: vec![VitalSign::BloodPressure.category()],
            effective: "2026-11-01T07:30:00+01:00".into(),
            effective_at: at,
            values: vec![
                Measured {
                    code: Coding::new(system::LOINC, DIASTOLIC, None),
                    value: Decimal::parse("92").unwrap(),
                    unit: "mm[Hg]".into(),
                },
                Measured {
                    code: Coding::new(system::LOINC, SYSTOLIC, None),
                    value: Decimal::parse("133").unwrap(),
                    unit: "mm[Hg]".into(),
                },
            ],
            comment: None,
            received_at: at,
            sent_by: "self".into(),
            review: Review::New,
        }
    }

    #[test]
    fn a_blood_pressure_reads_systolic_over_diastolic_in_words_people_know() {
        assert_eq!(bp().summary(), "133/92 mm Hg");
    }

    #[test]
    fn a_weight_has_a_decimal_comma() {
        let mut m = bp();
        m.kind = VitalSign::BodyWeight;
        m.values = vec![Measured {
            code: VitalSign::BodyWeight.code(),
            value: Decimal::parse("72.5").unwrap(),
            unit: "kg".into(),
        }];
        assert_eq!(m.summary(), "72,5 kg");
    }

    #[test]
    fn every_kind_is_found_back_from_its_own_code_and_key() {
        for v in VitalSign::ALL {
            assert_eq!(VitalSign::of_loinc(&v.code().code), Some(v));
            assert_eq!(VitalSign::from_key(v.key()), Some(v));
        }
        for (g, _) in GLUCOSE_CODES {
            assert_eq!(VitalSign::of_loinc(g), Some(VitalSign::BloodGlucose));
        }
        assert_eq!(
            VitalSign::of_loinc("2345-7"),
            None,
            "a lab glucose is not a self-measurement"
        );
    }
}
