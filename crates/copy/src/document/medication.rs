//! The sections about medicines: medication agreements, allergies and contra-indications.

use super::*;

pub(super) fn medication(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section("Medicijnen");
    let mut list = copy.view.medication.clone();
    list.sort_by_key(|m| std::cmp::Reverse(m.period_start));
    if list.is_empty() {
        return empty(flow, "Er staan geen medicijnen in deze kopie.");
    }
    let mut legend: Vec<String> = vec![];
    let rows: Vec<(Vec<String>, bool)> = list
        .iter()
        .map(|m| {
            let (first, marked) = with_mark(
                copy,
                &mut legend,
                ItemKind::Medication,
                m.id.as_str(),
                present::medicine_name(&m.product.name),
            );
            (
                vec![
                    first,
                    m.dosage_text.clone(),
                    m.period_start.map(dmy).unwrap_or_default(),
                    m.period_end.map(dmy).unwrap_or_else(|| "-".into()),
                    m.prescriber
                        .as_ref()
                        .and_then(|id| copy.view.practitioner(id))
                        .map(|p| p.name.display())
                        .unwrap_or_default(),
                ],
                marked,
            )
        })
        .collect();
    print_legend(flow, &legend);
    flow.table(
        &[
            Column {
                title: "Medicijn",
                share: 3.2,
            },
            Column {
                title: "Gebruik",
                share: 3.2,
            },
            Column {
                title: "Vanaf",
                share: 1.3,
            },
            Column {
                title: "Tot",
                share: 1.3,
            },
            Column {
                title: "Voorgeschreven door",
                share: 2.0,
            },
        ],
        &rows,
    );
}

pub(super) fn allergies(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section("Allergieën en waarschuwingen");
    let view = &copy.view;
    if view.allergies.is_empty() && view.contra_indications.is_empty() {
        return empty(
            flow,
            "Er staan geen allergieën of contra-indicaties in deze kopie.",
        );
    }
    if !view.allergies.is_empty() {
        flow.heading("Allergieën en overgevoeligheden", 30.0);
        let mut legend: Vec<String> = vec![];
        let rows: Vec<(Vec<String>, bool)> = view
            .allergies
            .iter()
            .map(|a| {
                let name = a
                    .substance
                    .display
                    .clone()
                    .unwrap_or_else(|| a.substance.code.clone());
                let (first, marked) =
                    with_mark(copy, &mut legend, ItemKind::Allergy, a.id.as_str(), name);
                (
                    vec![
                        first,
                        a.reaction.clone().unwrap_or_default(),
                        match a.criticality {
                            Some(Criticality::High) => "ernstig",
                            Some(Criticality::Low) => "niet ernstig",
                            Some(Criticality::UnableToAssess) => "onbekend",
                            None => "",
                        }
                        .into(),
                        match a.status {
                            AllergyStatus::Active => "actief",
                            AllergyStatus::Inactive => "niet actief",
                            AllergyStatus::Resolved => "over",
                        }
                        .into(),
                        a.onset.as_ref().map(partial).unwrap_or_default(),
                    ],
                    marked,
                )
            })
            .collect();
        print_legend(flow, &legend);
        flow.table(
            &[
                Column {
                    title: "Stof",
                    share: 3.0,
                },
                Column {
                    title: "Reactie",
                    share: 3.0,
                },
                Column {
                    title: "Ernst",
                    share: 1.4,
                },
                Column {
                    title: "Status",
                    share: 1.3,
                },
                Column {
                    title: "Sinds",
                    share: 1.2,
                },
            ],
            &rows,
        );
    }
    if !view.contra_indications.is_empty() {
        flow.heading("Contra-indicaties", 30.0);
        let mut legend: Vec<String> = vec![];
        let rows: Vec<(Vec<String>, bool)> = view
            .contra_indications
            .iter()
            .map(|c| {
                let name = c
                    .code
                    .display
                    .clone()
                    .unwrap_or_else(|| c.code.code.clone());
                let (first, marked) = with_mark(
                    copy,
                    &mut legend,
                    ItemKind::ContraIndication,
                    c.id.as_str(),
                    name,
                );
                (
                    vec![
                        first,
                        c.start.as_ref().map(partial).unwrap_or_default(),
                        c.end.as_ref().map(partial).unwrap_or_default(),
                    ],
                    marked,
                )
            })
            .collect();
        print_legend(flow, &legend);
        flow.table(
            &[
                Column {
                    title: "Contra-indicatie",
                    share: 5.0,
                },
                Column {
                    title: "Vanaf",
                    share: 1.5,
                },
                Column {
                    title: "Tot",
                    share: 1.5,
                },
            ],
            &rows,
        );
    }
}
