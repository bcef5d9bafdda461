//! The episodes page: each episode with its E/P journal lines, explanations and corrections.

use super::*;

// ---- episodes and their E/P lines ----

pub struct EpisodeRow {
    pub title: String,
    pub code: Option<String>,
    /// The code's title in the reader's language, when that is not Dutch: the title above is
    /// the GP's own, in Dutch.
    pub code_title: Option<String>,
    pub code_plain: Option<String>,
    pub period: String,
    pub current: bool,
    pub important: bool,
    pub new: bool,
    pub lines: Vec<LineRow>,
    /// The person's own statements added to this item (R109).
    pub statements: Vec<String>,
    /// Where to ask for a correction or add a statement.
    pub correct: String,
}

pub struct LineRow {
    pub date: String,
    pub kind: String,
    pub text: String,
    pub explanations: Vec<Explanation>,
    pub new: bool,
    pub statements: Vec<String>,
    pub correct: String,
}

/// Statements added to items, by item id.
pub(super) type Statements = HashMap<String, Vec<String>>;

pub(super) fn correct_link(kind: &str, id: &str) -> String {
    format!("/correcties/nieuw?soort={kind}&item={id}")
}

pub(super) fn line_row(
    tr: &Tr,
    l: &JournalLine,
    previous: Option<DateTime<Utc>>,
    statements: &Statements,
) -> LineRow {
    LineRow {
        statements: statements.get(l.id.as_str()).cloned().unwrap_or_default(),
        correct: correct_link("journal_line", l.id.as_str()),
        date: tr.date(l.date),
        kind: tr.t(match l.soep {
            Soep::E => "soep-e",
            Soep::P => "soep-p",
            // Never shown online (R7, R8); the rules do not return them.
            Soep::S | Soep::O => "soep-other",
        }),
        text: l.text.clone(),
        explanations: explain(tr, &l.text),
        new: is_new(&l.meta, previous),
    }
}

pub(super) fn episode_row(
    tr: &Tr,
    e: &Episode,
    today: NaiveDate,
    lines: Vec<LineRow>,
    previous: Option<DateTime<Utc>>,
    statements: &Statements,
) -> EpisodeRow {
    let label = episode_label(e);
    let period = match &e.end {
        Some(end) => tr.ta(
            "period-from-to",
            &[
                ("from", tr.partial_date(&e.start)),
                ("to", tr.partial_date(end)),
            ],
        ),
        None => tr.t1("period-since", "from", tr.partial_date(&e.start)),
    };
    EpisodeRow {
        title: label.primary.to_owned(),
        code: label.secondary,
        code_title: e
            .icpc
            .as_ref()
            .filter(|_| !tr.is_dutch())
            .and_then(|c| Glossary::for_lang(tr.code()).icpc(c.as_str()))
            .map(|g| g.title.clone()),
        code_plain: e
            .icpc
            .as_ref()
            .and_then(|c| Glossary::for_lang(tr.code()).icpc(c.as_str()))
            .map(|g| g.plain.clone()),
        period,
        current: !e.is_closed(today),
        important: e.attentiewaarde,
        new: is_new(&e.meta, previous),
        lines,
        statements: statements.get(e.id.as_str()).cloned().unwrap_or_default(),
        correct: correct_link("episode", e.id.as_str()),
    }
}

pub(super) fn lines_by_episode<'a>(
    view: &PatientView<'a>,
) -> HashMap<&'a str, Vec<&'a JournalLine>> {
    let mut by: HashMap<&str, Vec<&JournalLine>> = HashMap::new();
    for l in &view.journal {
        let key = l.episode.as_ref().map_or("", |e| e.as_str());
        by.entry(key).or_default().push(l);
    }
    for lines in by.values_mut() {
        lines.sort_by_key(|x| std::cmp::Reverse(x.date));
    }
    by
}

#[derive(Template, WebTemplate)]
#[template(path = "episodes.html")]
pub(super) struct EpisodesPage {
    pub(super) ctx: PageCtx,
    pub(super) episodes: Vec<EpisodeRow>,
    pub(super) other_lines: Vec<LineRow>,
    pub(super) oldest_first: bool,
}

#[derive(Deserialize)]
pub(super) struct SortQuery {
    pub(super) sort: Option<String>,
}

pub(super) async fn episodes(open: OpenRecord, Query(q): Query<SortQuery>) -> WebResult<Response> {
    let view = open.view()?;
    let ctx = open.ctx("/ziektes").await?;
    let tr = &ctx.tr;
    let prev = open.previous_visit;
    let by = lines_by_episode(&view);
    let st = crate::corrections::statements(&open).await?;
    let mut eps: Vec<&Episode> = view.episodes.clone();
    let oldest_first = q.sort.as_deref() == Some("oud");
    eps.sort_by(|a, b| {
        let o = a.start.earliest().cmp(&b.start.earliest());
        if oldest_first { o } else { o.reverse() }
    });
    let episodes = eps
        .iter()
        .map(|e| {
            let lines = by
                .get(e.id.as_str())
                .map(|ls| ls.iter().map(|l| line_row(tr, l, prev, &st)).collect())
                .unwrap_or_default();
            episode_row(tr, e, view.today, lines, prev, &st)
        })
        .collect();
    let other_lines = by
        .get("")
        .map(|ls| ls.iter().map(|l| line_row(tr, l, prev, &st)).collect())
        .unwrap_or_default();
    open.audit(EventType::Read, "episodes").await?;
    Ok(EpisodesPage {
        episodes,
        other_lines,
        oldest_first,
        ctx,
    }
    .into_response())
}
