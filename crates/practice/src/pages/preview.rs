//! "Wat ziet de patiënt?": the portal's own decision for this patient or any representative,
//! shown to staff.

use super::*;

// ---- "Wat ziet de patiënt?" ----

pub(super) struct Seen {
    pub(super) kind: String,
    pub(super) text: String,
}

pub(super) struct Choice {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_preview.html")]
pub(super) struct PreviewPage {
    pub(super) ctx: PageCtx,
    pub(super) id: String,
    pub(super) name: String,
    pub(super) viewers: Vec<Choice>,
    pub(super) denied: Option<String>,
    /// The portal's own pages as this person sees them (when they may look online).
    pub(super) pages_href: Option<String>,
    pub(super) seen: Vec<Seen>,
    pub(super) left_out: Vec<Seen>,
}

#[derive(Deserialize)]
pub(super) struct PreviewQuery {
    /// A representation id: the view of that representative; absent: the patient's own.
    pub(super) als: Option<String>,
}

pub(super) async fn preview(
    rec: StaffRecord,
    Query(q): Query<PreviewQuery>,
) -> WebResult<Response> {
    rec.access(Action::PreviewPatientView, "preview of the online view")
        .await?;
    let ctx = rec.staff.ctx(&rec.session, "/praktijk").await?;
    let r = &rec.record;
    let now = rec.state.now();
    let settings = rec.state.store.settings(&r.practice.id).await?;
    // The form's choice for the patient themself is empty.
    let als = q.als.as_deref().filter(|a| !a.is_empty());
    // The same decision the portal makes for this person: access first, then the view.
    let viewer = match als {
        Some(id) => r
            .representations
            .iter()
            .find(|rep| rep.id.as_str() == id)
            .map(|rep| Viewer::Representative {
                bsn: rep.agent_bsn.clone(),
                representation: rep.id.clone(),
            }),
        None => r
            .patient
            .bsn
            .as_ref()
            .map(|bsn| Viewer::Patient { bsn: bsn.clone() }),
    };
    let (denied, view) =
        match viewer.map(|v| authorize(r, &v, OnlineChannel::Portal, &settings, now)) {
            Some(Ok(access)) => (None, view_with_access(r, &access, &settings, now)),
            Some(Err(why)) => (
                Some(ctx.tr.t(inzage_webkit::page::denied_key(why))),
                online_view(r, &settings, now),
            ),
            None => (
                Some(ctx.tr.t("practice-no-login")),
                online_view(r, &settings, now),
            ),
        };
    let tr = &ctx.tr;
    let mut seen = vec![];
    for e in &view.episodes {
        seen.push(Seen {
            kind: tr.t("nav-episodes"),
            text: e.title.clone(),
        });
    }
    for l in &view.journal {
        seen.push(Seen {
            kind: format!("{} {}", tr.date(l.date), l.soep.letter()),
            text: l.text.clone(),
        });
    }
    for m in &view.medication {
        seen.push(Seen {
            kind: tr.t("nav-medication"),
            text: m.product.name.clone(),
        });
    }
    for x in &view.results {
        seen.push(Seen {
            kind: tr.t("nav-results"),
            text: format!("{} ({})", x.name, tr.date(local_date(x.effective))),
        });
    }
    for h in &view.held_results {
        seen.push(Seen {
            kind: tr.t("nav-results"),
            text: tr.ta(
                "held-result",
                &[
                    (
                        "name",
                        h.test_name
                            .map_or_else(|| tr.t("held-a-result"), str::to_owned),
                    ),
                    ("date", tr.date(h.available_from)),
                ],
            ),
        });
    }
    for l in &view.letters {
        seen.push(Seen {
            kind: tr.t("nav-letters"),
            text: l.title.clone(),
        });
    }
    // What is left out, by what it is called and why: never by internal id (issue 18 item 13).
    let whole = inzage_domain::PatientView::whole(r, view.today);
    let left_out = view
        .excluded
        .iter()
        .map(|x| Seen {
            kind: x.item.kind.name_nl().to_owned(),
            text: match whole.title_of(&x.item) {
                Some(title) => format!("{title}: {}", x.reason.explain_nl()),
                None => x.reason.explain_nl(),
            },
        })
        .collect();
    let mut viewers = vec![Choice {
        value: String::new(),
        label: format!(
            "{} ({})",
            r.patient.name.display(),
            tr.t("practice-the-patient")
        ),
        current: als.is_none(),
    }];
    for rep in &r.representations {
        viewers.push(Choice {
            value: rep.id.to_string(),
            label: format!(
                "{} ({})",
                rep.agent_name.display(),
                tr.t(inzage_webkit::page::basis_key(rep.basis))
            ),
            current: als == Some(rep.id.as_str()),
        });
    }
    let pages_href = denied.is_none().then(|| {
        format!(
            "/praktijk/patienten/{}/inzage/portaal/{}/overzicht",
            r.patient.id,
            als.unwrap_or("patient")
        )
    });
    Ok(PreviewPage {
        id: r.patient.id.to_string(),
        name: r.patient.name.display(),
        viewers,
        pages_href,
        denied,
        seen,
        left_out,
        ctx,
    }
    .into_response())
}
