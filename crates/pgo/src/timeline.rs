//! Two other ways through the same data (issue 19, part 5): a timeline of everything with a
//! date, newest first, grouped by year; and the course over time of every result and
//! measurement that has a number, as a chart with the same values in a table beside it, each
//! value naming the sources that reported it (R125: a value two sources report is one point).

use crate::pages::{ctx, parts, required};
use crate::view::{self, Trend};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use inzage_domain::selfmeasure::{DIASTOLIC, SYSTOLIC};
use inzage_domain::time::local_date;
use inzage_login::auth::Login;
use inzage_store::PgoStore;
use inzage_webkit::AppState;
use inzage_webkit::chart::{Chart, Point};
use inzage_webkit::error::WebResult;
use inzage_webkit::page::PageCtx;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pgo/tijdlijn", get(timeline))
        .route("/pgo/verloop", get(trends))
}

// ---- the timeline ----

struct Event {
    date: String,
    part: String,
    title: String,
    detail: String,
    sources: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pgo_timeline.html")]
struct TimelinePage {
    ctx: PageCtx,
    /// (year, events newest first), newest year first.
    years: Vec<(i32, Vec<Event>)>,
    /// How many items have no date, as a sentence.
    undated: Option<String>,
}

async fn timeline(
    State(state): State<AppState>,
    session: Session,
    login: Login,
) -> WebResult<Response> {
    let account = required(&state, &session, &login).await?;
    let ctx = ctx(&session, "/pgo/tijdlijn").await?;
    let own_source = ctx.tr.t("pgo-own-source");
    let parts = parts(&state, &account.id, &ctx.tr, &own_source).await?;
    let mut dated = vec![];
    let mut undated = 0;
    for (key, _, lines) in parts.sections {
        // The part's short name, as a label on each event.
        let part = ctx.tr.t(&format!("pgo-part-{key}"));
        for l in lines {
            match l.date {
                Some(date) => dated.push((date, part.clone(), l)),
                None => undated += 1,
            }
        }
    }
    // Newest first; on one day in the order of the parts (a stable sort keeps it).
    dated.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut years: Vec<(i32, Vec<Event>)> = vec![];
    for (date, part, l) in dated {
        use chrono::Datelike;
        let event = Event {
            date: ctx.tr.date(date),
            part,
            title: l.title,
            detail: l.detail,
            sources: l.sources.join(", "),
        };
        match years.last_mut() {
            Some((y, events)) if *y == date.year() => events.push(event),
            _ => years.push((date.year(), vec![event])),
        }
    }
    let undated = (undated > 0).then(|| ctx.tr.tc("pgo-timeline-undated", undated, &[]));
    Ok(TimelinePage {
        ctx,
        years,
        undated,
    }
    .into_response())
}

// ---- the course of results and measurements ----

struct Row {
    date: String,
    value: String,
    sources: String,
}

struct Course {
    anchor: String,
    title: String,
    explanation: Option<String>,
    unit: String,
    chart: Option<Chart>,
    rows: Vec<Row>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pgo_trends.html")]
struct TrendsPage {
    ctx: PageCtx,
    courses: Vec<Course>,
}

/// A number as people read it here: decimal comma, no trailing zeros.
fn number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0')
        .trim_end_matches('.')
        .replace('.', ",")
}

fn course(ctx: &PageCtx, t: Trend, index: usize) -> Course {
    let points: Vec<Point> = t
        .points
        .iter()
        .map(|p| Point {
            date: local_date(p.at),
            value: p.value,
        })
        .collect();
    let chart = Chart::build(&t.title, &t.unit, &points, t.range, &ctx.tr);
    let rows = t
        .points
        .iter()
        .rev()
        .map(|p| Row {
            date: ctx.tr.date(local_date(p.at)),
            value: number(p.value),
            sources: p.sources.join(", "),
        })
        .collect();
    Course {
        anchor: format!("verloop-{index}"),
        title: t.title,
        explanation: t.explanation,
        unit: t.unit,
        chart,
        rows,
    }
}

async fn trends(
    State(state): State<AppState>,
    session: Session,
    login: Login,
) -> WebResult<Response> {
    let account = required(&state, &session, &login).await?;
    let ctx = ctx(&session, "/pgo/verloop").await?;
    let resources = state.store.pgo_resources(&account.id).await?;
    let own = state.store.pgo_own_items(&account.id).await?;
    let own_source = ctx.tr.t("pgo-own-source");
    let mut all = view::measurement_trends(
        &resources,
        &crate::own::measurements(&own),
        &|v| ctx.tr.t(&format!("vital-{}", v.key())),
        &|code| match code {
            SYSTOLIC => Some(ctx.tr.t("pgo-trend-systolic")),
            DIASTOLIC => Some(ctx.tr.t("pgo-trend-diastolic")),
            _ => None,
        },
        &own_source,
    );
    all.extend(view::merge(&resources, state.now(), ctx.tr.code()).trends);
    // A course needs at least two values; a single one is on the data page.
    let courses = all
        .into_iter()
        .filter(|t| t.points.len() >= 2)
        .enumerate()
        .map(|(i, t)| course(&ctx, t, i))
        .collect();
    Ok(TrendsPage { ctx, courses }.into_response())
}
