//! The sections about medicines: medication agreements, allergies and contra-indications.

use super::*;

pub(super) fn medication(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section(&copy.w.t("pdf-medication"));
    let mut list = copy.view.medication.clone();
    list.sort_by_key(|m| std::cmp::Reverse(m.period_start));
    if list.is_empty() {
        return empty(flow, &copy.w.t("pdf-no-medication"));
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
    print_legend(flow, copy, &legend);
    flow.table(
        &[
            Column {
                title: &copy.w.t("pdf-col-medicine"),
                share: 3.2,
            },
            Column {
                title: &copy.w.t("pdf-col-use"),
                share: 3.2,
            },
            Column {
                title: &copy.w.t("pdf-col-from"),
                share: 1.3,
            },
            Column {
                title: &copy.w.t("pdf-col-until"),
                share: 1.3,
            },
            Column {
                title: &copy.w.t("pdf-col-prescriber"),
                share: 2.0,
            },
        ],
        &rows,
    );
}

pub(super) fn allergies(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section(&copy.w.t("pdf-allergies-section"));
    let view = &copy.view;
    if view.allergies.is_empty() && view.contra_indications.is_empty() {
        return empty(flow, &copy.w.t("pdf-no-allergies"));
    }
    if !view.allergies.is_empty() {
        flow.heading(&copy.w.t("pdf-allergies"), 30.0);
        let mut legend: Vec<String> = vec![];
        let rows: Vec<(Vec<String>, bool)> = view
            .allergies
            .iter()
            .map(|a| {
                let name = a.substance.label().to_owned();
                let (first, marked) =
                    with_mark(copy, &mut legend, ItemKind::Allergy, a.id.as_str(), name);
                (
                    vec![
                        first,
                        a.reaction.clone().unwrap_or_default(),
                        match a.criticality {
                            Some(Criticality::High) => copy.w.t("pdf-severe"),
                            Some(Criticality::Low) => copy.w.t("pdf-not-severe"),
                            Some(Criticality::UnableToAssess) => copy.w.t("pdf-unknown"),
                            None => String::new(),
                        },
                        copy.w.t(match a.status {
                            AllergyStatus::Active => "pdf-active",
                            AllergyStatus::Inactive => "pdf-not-active",
                            AllergyStatus::Resolved => "pdf-resolved",
                        }),
                        a.onset.as_ref().map(partial).unwrap_or_default(),
                    ],
                    marked,
                )
            })
            .collect();
        print_legend(flow, copy, &legend);
        flow.table(
            &[
                Column {
                    title: &copy.w.t("pdf-col-substance"),
                    share: 3.0,
                },
                Column {
                    title: &copy.w.t("pdf-col-reaction"),
                    share: 3.0,
                },
                Column {
                    title: &copy.w.t("pdf-col-severity"),
                    share: 1.4,
                },
                Column {
                    title: &copy.w.t("pdf-col-status"),
                    share: 1.3,
                },
                Column {
                    title: &copy.w.t("pdf-col-since"),
                    share: 1.2,
                },
            ],
            &rows,
        );
    }
    if !view.contra_indications.is_empty() {
        flow.heading(&copy.w.t("pdf-contraindications"), 30.0);
        let mut legend: Vec<String> = vec![];
        let rows: Vec<(Vec<String>, bool)> = view
            .contra_indications
            .iter()
            .map(|c| {
                let name = c.code.label().to_owned();
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
        print_legend(flow, copy, &legend);
        flow.table(
            &[
                Column {
                    title: &copy.w.t("pdf-col-contraindication"),
                    share: 5.0,
                },
                Column {
                    title: &copy.w.t("pdf-col-from"),
                    share: 1.5,
                },
                Column {
                    title: &copy.w.t("pdf-col-until"),
                    share: 1.5,
                },
            ],
            &rows,
        );
    }
}
