//! "Wie heeft mijn dossier bekeken" (issue 18 item 6): the record's audit entries as a person
//! reads them. Filters by who (me, the practice, apps, others on this website) and period; the
//! person's own page views of one visit fold into one line; "what" names the page or the data,
//! never an event code or the entry's internal detail.

use super::*;
use inzage_store::{AuditEvent, AuditFilter, Channel};

pub struct LogRow {
    pub when: String,
    pub who: String,
    pub what: String,
    pub channel: String,
}

/// One choice in a filter: its value, its label and whether it is chosen.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub chosen: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "log.html")]
pub(super) struct LogPage {
    pub(super) ctx: PageCtx,
    pub(super) rows: Vec<LogRow>,
    pub(super) who: Vec<Choice>,
    pub(super) period: Vec<Choice>,
    pub(super) filtered: bool,
    /// The link to the next page of older rows, if there are more.
    pub(super) older: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct LogQuery {
    #[serde(default)]
    wie: String,
    #[serde(default)]
    periode: String,
    /// Rows from before this entry (its `seq`): the next page of older rows. Anything but a
    /// positive number shows the first page.
    #[serde(default)]
    voor: Option<String>,
}

/// Whose entry it is, for the filter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    Me,
    Practice,
    App,
    /// The patient or a representative other than the person reading, on this website.
    Other,
    /// Another provider's system: a huisartsenpost, a pharmacy, a hospital (R118).
    Provider,
    System,
}

const WHO: [(&str, &str); 6] = [
    ("alle", "log-who-all"),
    ("ik", "log-who-me"),
    ("praktijk", "log-who-practice"),
    ("zorgverleners", "log-who-providers"),
    ("apps", "log-who-apps"),
    ("anderen", "log-who-others"),
];

const PERIOD: [(&str, &str, Option<i64>); 3] = [
    ("alles", "log-period-all", None),
    ("maand", "log-period-month", Some(31)),
    ("jaar", "log-period-year", Some(366)),
];

/// Two of one's own page views at most this far apart are one visit.
const VISIT_GAP_MINUTES: i64 = 30;

fn who_of(open: &OpenRecord, e: &AuditEvent) -> Who {
    who_by(e.channel, &e.role, &e.user, &open.login.subject)
}

/// Whose entry it is, from its channel, role and user and the reader's login (`subject`).
fn who_by(channel: Channel, role: &str, user: &str, subject: &str) -> Who {
    match channel {
        Channel::Practice => Who::Practice,
        Channel::Medmij => Who::App,
        Channel::Exchange => Who::Provider,
        Channel::Cli => Who::System,
        Channel::Portal if role == "pgo" => Who::App,
        Channel::Portal if user == subject => Who::Me,
        Channel::Portal => Who::Other,
    }
}

/// Whether an entry of `who` passes the filter `wie` (one of [`WHO`]'s values).
fn passes(wie: &str, who: Who) -> bool {
    match wie {
        "ik" => who == Who::Me,
        "praktijk" => who == Who::Practice || who == Who::System,
        "apps" => who == Who::App,
        "zorgverleners" => who == Who::Provider,
        "anderen" => who == Who::Other,
        _ => true,
    }
}

/// The channels through which an entry that passes the filter `wie` can have been made (see
/// [`who_by`]), for the database to pass over the rest; `None`: any channel.
fn channels_of(wie: &str) -> Option<&'static [Channel]> {
    match wie {
        "ik" | "anderen" => Some(&[Channel::Portal]),
        "praktijk" => Some(&[Channel::Practice, Channel::Cli]),
        "apps" => Some(&[Channel::Medmij, Channel::Portal]),
        "zorgverleners" => Some(&[Channel::Exchange]),
        _ => None,
    }
}

/// The page a portal entry was for, by the menu's own words.
fn portal_page(detail: &str) -> Option<&'static str> {
    Some(match detail.strip_prefix("portal: ")? {
        "overview" => "nav-overview",
        "episodes" => "nav-episodes",
        "medication" => "nav-medication",
        "allergies" => "nav-allergies",
        "results" => "nav-results",
        "letters" => "nav-letters",
        "details" => "nav-details",
        "access log" => "nav-log",
        "copy page" => "nav-copy",
        "messages" => "nav-messages",
        "appointments" => "nav-appointments",
        "repeat prescriptions" => "nav-prescriptions",
        "correction requests" => "nav-corrections",
        "result timing choice" => "nav-result-timing",
        "sharing choices" => "nav-sharing",
        "destruction requests" => "nav-destroy",
        _ => return None,
    })
}

/// "What" in words: the page, or the kind of data, or what was done.
fn what_of(tr: &Tr, e: &AuditEvent) -> String {
    if let Some(key) = portal_page(&e.detail) {
        return tr.t(key);
    }
    if e.detail.starts_with("portal: sharing choice:")
        || e.detail.starts_with("practice: sharing choice:")
    {
        return tr.t("log-what-sharing-choice");
    }
    if e.detail == "portal: destruction request" {
        return tr.t("log-what-destroy-request");
    }
    if e.detail.contains("destroyed") && e.detail.starts_with("practice: ") {
        return tr.t("log-what-destroyed");
    }
    if e.detail.starts_with("portal: block request") {
        return tr.t("log-what-block-request");
    }
    if e.detail.starts_with("practice: summary exclusion")
        || e.detail.starts_with("practice: block ")
    {
        return tr.t("log-what-sharing-exclusion");
    }
    if e.detail == "exchange: locum report received" {
        return tr.t("log-what-exchange-report");
    }
    if let Some(what) = e.detail.strip_prefix("exchange: ") {
        let data = tr.t(if what.starts_with("medicatie") {
            "log-data-medication"
        } else {
            "log-data-summary"
        });
        let key = if what.ends_with("refused") {
            "log-what-exchange-refused"
        } else if what.ends_with("emergency") {
            "log-what-exchange-emergency"
        } else {
            "log-what-exchange"
        };
        return tr.t1(key, "what", data);
    }
    if let Some(what) = e.detail.strip_prefix("practice: ") {
        let key = match what {
            "record" => Some("log-what-record"),
            "review queue" => Some("log-what-review"),
            "practice: shown in a patient search result" | "shown in a patient search result" => {
                Some("log-what-search-hit")
            }
            "preview of the online view" => Some("log-what-preview"),
            "access log" => Some("nav-log"),
            "copy page" => Some("nav-copy"),
            "access administration" => Some("log-what-access"),
            "questions of the patient" => Some("nav-messages"),
            _ => None,
        };
        if let Some(k) = key {
            return tr.t(k);
        }
    }
    if let Some(what) = e.detail.strip_prefix("medmij: ") {
        let resource = what.split([' ', '/']).next().unwrap_or_default();
        let key = match resource {
            "Patient" => "log-data-patient",
            "Condition" | "EpisodeOfCare" => "nav-episodes",
            "Observation" => "log-data-observations",
            "MedicationStatement" | "MedicationRequest" | "MedicationDispense" | "Medication" => {
                "nav-medication"
            }
            "AllergyIntolerance" | "Flag" => "nav-allergies",
            "Encounter" | "Composition" => "log-data-contacts",
            "DocumentReference" | "Binary" => "nav-letters",
            "Appointment" => "nav-appointments",
            _ => "log-data-other",
        };
        return tr.t1("log-what-app", "what", tr.t(key));
    }
    tr.t(match e.event {
        EventType::Create => "event-create",
        EventType::Read => "event-read",
        EventType::Update => "event-update",
        EventType::Delete => "event-delete",
        EventType::Export => "event-export",
        EventType::Transfer => "event-transfer",
        EventType::Search => "event-search",
        EventType::Emergency => "event-emergency",
        EventType::VisibilityChange => "event-visibility",
    })
}

fn when(tr: &Tr, at: DateTime<Utc>) -> (String, String) {
    let local = at.with_timezone(&chrono_tz::Europe::Amsterdam);
    (
        tr.date(local.date_naive()),
        local.format("%H:%M").to_string(),
    )
}

fn channel(tr: &Tr, c: Channel) -> String {
    tr.t(match c {
        Channel::Portal => "channel-portal",
        Channel::Practice => "channel-practice",
        Channel::Medmij => "channel-medmij",
        Channel::Exchange => "channel-exchange",
        Channel::Cli => "channel-system",
    })
}

/// The rows of one page of the log at most; older ones are a link away.
const PAGE_ROWS: usize = 100;
/// Entries read from the store at a time while a page fills.
const READ_ENTRIES: u32 = 500;

/// The visit being folded: its first and last view and the pages seen, newest first.
type Visit = (DateTime<Utc>, DateTime<Utc>, Vec<String>);

/// Rows, newest first, built from entries given newest first. The person's own page views
/// (reads on this website) that follow each other within half an hour are one visit: one line
/// naming the pages in the order seen.
struct Rows<'a> {
    open: &'a OpenRecord,
    tr: &'a Tr,
    out: Vec<LogRow>,
    visit: Option<Visit>,
}

impl<'a> Rows<'a> {
    fn new(open: &'a OpenRecord, tr: &'a Tr) -> Self {
        Self {
            open,
            tr,
            out: vec![],
            visit: None,
        }
    }

    /// Rows so far, the visit being folded included.
    fn len(&self) -> usize {
        self.out.len() + usize::from(self.visit.is_some())
    }

    fn own_view(&self, e: &AuditEvent) -> bool {
        who_of(self.open, e) == Who::Me && e.event == EventType::Read
    }

    /// Whether `e` joins the visit being folded (one's own view, within half an hour of the
    /// visit's earliest and on the same day) rather than starting a row.
    fn joins_visit(&self, e: &AuditEvent) -> bool {
        self.own_view(e)
            && self.visit.as_ref().is_some_and(|(earliest, _, _)| {
                (*earliest - e.at).num_minutes() <= VISIT_GAP_MINUTES
                    && when(self.tr, *earliest).0 == when(self.tr, e.at).0
            })
    }

    fn flush(&mut self) {
        let tr = self.tr;
        if let Some((earliest, latest, mut pages)) = self.visit.take() {
            pages.reverse();
            let (day, from) = when(tr, earliest);
            let (_, to) = when(tr, latest);
            self.out.push(LogRow {
                when: if from == to {
                    format!("{day} {from}")
                } else {
                    format!("{day} {from}–{to}")
                },
                who: tr.t("who-you"),
                what: tr.t1("log-what-visit", "what", pages.join(", ")),
                channel: channel(tr, Channel::Portal),
            });
        }
    }

    fn push(&mut self, e: &AuditEvent) {
        let tr = self.tr;
        if self.own_view(e) {
            let page = what_of(tr, e);
            if self.joins_visit(e) {
                if let Some((earliest, _, pages)) = &mut self.visit {
                    *earliest = e.at;
                    if !pages.contains(&page) {
                        pages.push(page);
                    }
                }
            } else {
                self.flush();
                self.visit = Some((e.at, e.at, vec![page]));
            }
            return;
        }
        self.flush();
        let (day, time) = when(tr, e.at);
        self.out.push(LogRow {
            when: format!("{day} {time}"),
            // A provider system is named as it was registered: "Huisartsenpost Midden-Stad".
            who: if e.channel == Channel::Exchange {
                e.user.clone()
            } else {
                who_label(self.open, tr, &e.user, &e.role)
            },
            what: what_of(tr, e),
            channel: channel(tr, e.channel),
        });
    }

    fn finish(mut self) -> Vec<LogRow> {
        self.flush();
        self.out
    }
}

pub(super) async fn access_log(open: OpenRecord, Query(q): Query<LogQuery>) -> WebResult<Response> {
    // This page's own view is logged first, so that the first page shows it.
    open.audit(EventType::Read, "access log").await?;
    let ctx = open.ctx("/logboek").await?;
    let tr = &ctx.tr;
    let who = WHO
        .iter()
        .find(|(v, _)| *v == q.wie)
        .map_or("alle", |(v, _)| v);
    let period = PERIOD
        .iter()
        .find(|(v, _, _)| *v == q.periode)
        .unwrap_or(&PERIOD[0]);
    let since = period.2.map(|days| open.now - chrono::Duration::days(days));
    let chosen = |e: &AuditEvent| since.is_none_or(|t| e.at >= t) && passes(who, who_of(&open, e));
    // A page of rows, read newest first from before the previous page's last entry (`voor`):
    // the log grows with every read of the record (years of an app's daily pulls are
    // thousands of entries), a page does not. It ends before an entry that would start row
    // `PAGE_ROWS + 1`, so no visit is split over two pages. The database answers only the
    // entries of the period and of the channels the filter can pass (`channels_of`): the
    // practice's few among an app's thousands take one query, not hundreds.
    let filter = AuditFilter {
        channels: channels_of(who),
        since,
    };
    let mut rows = Rows::new(&open, tr);
    let mut before = q
        .voor
        .as_deref()
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|seq| *seq > 0);
    let mut older = None;
    'reading: loop {
        let entries = open
            .state()
            .store
            .audit_for_patient_before(&open.record.patient.id, filter, before, READ_ENTRIES)
            .await?;
        for stored in &entries {
            let e = &stored.event;
            if !chosen(e) {
                continue;
            }
            if rows.len() == PAGE_ROWS && !rows.joins_visit(e) {
                older = before;
                break 'reading;
            }
            rows.push(e);
            before = Some(stored.seq);
        }
        match entries.last() {
            Some(last) if entries.len() == READ_ENTRIES as usize => before = Some(last.seq),
            _ => break,
        }
    }
    let rows = rows.finish();
    let page = LogPage {
        rows,
        older: older.map(|seq| {
            let mut url = format!("/logboek?voor={seq}");
            if who != "alle" {
                url.push_str(&format!("&wie={who}"));
            }
            if period.0 != "alles" {
                url.push_str(&format!("&periode={}", period.0));
            }
            url
        }),
        who: WHO
            .iter()
            .map(|(v, k)| Choice {
                value: v,
                label: tr.t(k),
                chosen: *v == who,
            })
            .collect(),
        period: PERIOD
            .iter()
            .map(|(v, k, _)| Choice {
                value: v,
                label: tr.t(k),
                chosen: *v == period.0,
            })
            .collect(),
        filtered: who != "alle" || period.0 != "alles",
        ctx,
    };
    Ok(page.into_response())
}

pub(super) fn who_label(open: &OpenRecord, tr: &Tr, user: &str, role: &str) -> String {
    // "patiënt" was written by the apps page and the activation before they used the one role.
    if role == inzage_webkit::page::PATIENT_ROLE || role == "patiënt" {
        return if user == open.login.subject && open.viewer_is_patient() {
            tr.t("who-you")
        } else {
            tr.t("who-patient")
        };
    }
    if let Some(rep) = role.strip_prefix("representative:") {
        if user == open.login.subject {
            return tr.t("who-you");
        }
        let name = open
            .record
            .representations
            .iter()
            .find(|r| r.id.as_str() == rep)
            .map(|r| r.agent_name.display());
        return match name {
            Some(n) => tr.t1("who-representative", "name", n),
            None => tr.t("who-representative-unknown"),
        };
    }
    match role {
        "operator" | "system" => tr.t("who-system"),
        "pgo" => tr.t1(
            "who-pgo",
            "name",
            user.strip_prefix("pgo:").unwrap_or(user).to_owned(),
        ),
        other => tr.t1("who-staff", "role", other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The database is asked only for the channels of `channels_of`: every entry that the
    /// filter passes must be of one of them, or the page would miss it.
    #[test]
    fn r103_a_filter_asks_the_database_for_every_channel_it_can_pass() {
        let roles = [
            "pgo",
            inzage_webkit::page::PATIENT_ROLE,
            "representative:r1",
            "huisarts",
        ];
        let users = ["the-reader", "someone-else"];
        for (wie, _) in WHO {
            for channel in Channel::ALL {
                let passed = roles.iter().any(|role| {
                    users
                        .iter()
                        .any(|user| passes(wie, who_by(channel, role, user, "the-reader")))
                });
                let asked = channels_of(wie).is_none_or(|list| list.contains(&channel));
                assert!(
                    !passed || asked,
                    "filter {wie} passes {channel:?} entries but does not ask for them"
                );
                // And no channel is read for nothing: a narrower read is the point.
                assert!(
                    passed || !asked,
                    "filter {wie} asks for {channel:?} entries it never passes"
                );
            }
        }
    }
}
