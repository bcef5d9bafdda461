//! `PgoCircleStore`: the people a PGO account lets in (issue 19; migration 0024): family members
//! with an account of their own, and care-team spaces of clinicians with a link and a code.
//!
//! Every function that acts for the person takes their account id and touches only rows of that
//! account; what a family member or a clinician reaches goes through the grant or the member
//! row that lets them in. Team titles, plans, messages and files are stored encrypted.

use crate::audit::format_instant;
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::messages::Attachment;
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::future::Future;

/// Another account's read access to chosen parts of a person's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgoFamilyGrant {
    pub id: String,
    pub owner_id: String,
    /// `None` until the invitation is accepted.
    pub viewer_id: Option<String>,
    /// The name of the account that accepted, as the owner reads it.
    pub viewer_name: Option<String>,
    pub label: String,
    pub owner_name: String,
    pub categories: Vec<String>,
    /// The SHA-256 of the invitation code, until it is accepted.
    pub invite_hash: Option<String>,
    pub invite_expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// A care-team space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgoTeam {
    pub id: String,
    pub account_id: String,
    pub title: String,
    pub owner_name: String,
    pub categories: Vec<String>,
    pub plan: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A clinician in a care-team space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgoTeamMember {
    pub id: String,
    pub team_id: String,
    pub label: String,
    pub token_hash: String,
    pub code_hash: String,
    pub created_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
    pub failed_attempts: u32,
    pub openings: u32,
}

/// A message in a care-team space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgoTeamPost {
    pub id: String,
    pub team_id: String,
    /// `None`: the person wrote it.
    pub member_id: Option<String>,
    pub author: String,
    pub body: String,
    pub at: DateTime<Utc>,
    /// Name and media type of the attached file; its bytes come from [`PgoCircleStore::pgo_team_file`].
    pub attachment: Option<(String, String)>,
}

pub trait PgoCircleStore {
    fn create_pgo_family(
        &self,
        grant: &PgoFamilyGrant,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The grants a person gave, newest first.
    fn pgo_family_given(
        &self,
        owner_id: &str,
    ) -> impl Future<Output = Result<Vec<PgoFamilyGrant>, StoreError>> + Send;
    /// The grants a person received and that have not ended.
    fn pgo_family_received(
        &self,
        viewer_id: &str,
    ) -> impl Future<Output = Result<Vec<PgoFamilyGrant>, StoreError>> + Send;
    /// Accepts the invitation with this code hash for `viewer` (account id, name), once: `None`
    /// when there is no such open invitation, it expired, or it is the person's own.
    fn accept_pgo_family(
        &self,
        invite_hash: &str,
        viewer: (&str, &str),
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<PgoFamilyGrant>, StoreError>> + Send;
    /// Ends a grant that `account_id` gave or received; `false` when there is none to end.
    fn end_pgo_family(
        &self,
        account_id: &str,
        id: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    fn create_pgo_team(
        &self,
        team: &PgoTeam,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn pgo_teams(
        &self,
        account_id: &str,
    ) -> impl Future<Output = Result<Vec<PgoTeam>, StoreError>> + Send;
    /// One of the account's own spaces.
    fn pgo_team(
        &self,
        account_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<PgoTeam>, StoreError>> + Send;
    fn set_pgo_team_plan(
        &self,
        account_id: &str,
        id: &str,
        plan: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn close_pgo_team(
        &self,
        account_id: &str,
        id: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn add_pgo_team_member(
        &self,
        member: &PgoTeamMember,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn pgo_team_members(
        &self,
        team_id: &str,
    ) -> impl Future<Output = Result<Vec<PgoTeamMember>, StoreError>> + Send;
    /// The member a link's token belongs to, with their space.
    fn pgo_team_member_by_token(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<(PgoTeamMember, PgoTeam)>, StoreError>> + Send;
    fn remove_pgo_team_member(
        &self,
        team_id: &str,
        member_id: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn pgo_team_member_opened(
        &self,
        member_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Counts a wrong code; at `max` the member's link is closed. Returns the count.
    fn pgo_team_member_wrong_code(
        &self,
        member_id: &str,
        max: u32,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<u32, StoreError>> + Send;
    fn add_pgo_team_post(
        &self,
        post: &PgoTeamPost,
        file: Option<&Attachment>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The messages of a space, oldest first.
    fn pgo_team_posts(
        &self,
        team_id: &str,
    ) -> impl Future<Output = Result<Vec<PgoTeamPost>, StoreError>> + Send;
    fn pgo_team_file(
        &self,
        team_id: &str,
        post_id: &str,
    ) -> impl Future<Output = Result<Option<Attachment>, StoreError>> + Send;
}

fn instant_opt(s: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    s.map(|s| parse_instant(&s)).transpose()
}

fn categories(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("categories: {e}")))
}

fn categories_text(c: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(c).map_err(|e| StoreError::Invalid(e.to_string()))
}

// The columns in the order the row readers below take them (macros, as SQL must be static).
macro_rules! family_columns {
    () => {
        "id, owner_id, viewer_id, label, owner_name, categories, invite_hash, \
         invite_expires_at, created_at, accepted_at, ended_at, viewer_name"
    };
}
macro_rules! team_columns {
    () => {
        "t.id, t.account_id, t.title, t.owner_name, t.categories, t.plan, t.created_at, t.closed_at"
    };
}
macro_rules! member_columns {
    () => {
        "m.id, m.team_id, m.label, m.token_hash, m.code_hash, m.created_at, \
         m.removed_at, m.failed_attempts, m.openings"
    };
}

fn family_row<R: Row>(r: &R) -> Result<PgoFamilyGrant, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(PgoFamilyGrant {
        id: r.try_get(0)?,
        owner_id: r.try_get(1)?,
        viewer_id: r.try_get(2)?,
        label: r.try_get(3)?,
        owner_name: r.try_get(4)?,
        categories: categories(&r.try_get::<String, _>(5)?)?,
        invite_hash: r.try_get(6)?,
        invite_expires_at: parse_instant(&r.try_get::<String, _>(7)?)?,
        created_at: parse_instant(&r.try_get::<String, _>(8)?)?,
        accepted_at: instant_opt(r.try_get(9)?)?,
        ended_at: instant_opt(r.try_get(10)?)?,
        viewer_name: r.try_get(11)?,
    })
}

/// A member from the row's columns starting at `at`.
fn member_row<R: Row>(r: &R, at: usize) -> Result<PgoTeamMember, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(PgoTeamMember {
        id: r.try_get(at)?,
        team_id: r.try_get(at + 1)?,
        label: r.try_get(at + 2)?,
        token_hash: r.try_get(at + 3)?,
        code_hash: r.try_get(at + 4)?,
        created_at: parse_instant(&r.try_get::<String, _>(at + 5)?)?,
        removed_at: instant_opt(r.try_get(at + 6)?)?,
        failed_attempts: u32::try_from(r.try_get::<i64, _>(at + 7)?).unwrap_or(u32::MAX),
        openings: u32::try_from(r.try_get::<i64, _>(at + 8)?).unwrap_or(u32::MAX),
    })
}

macro_rules! impl_circle {
    ($Store:ident) => {
        impl $Store {
            /// A team from the row's first eight columns, its sealed fields opened.
            fn team_row<R: Row>(&self, r: &R) -> Result<PgoTeam, StoreError>
            where
                usize: sqlx::ColumnIndex<R>,
                for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
                for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            {
                Ok(PgoTeam {
                    id: r.try_get(0)?,
                    account_id: r.try_get(1)?,
                    title: self.audit_key.open(&r.try_get::<String, _>(2)?)?,
                    owner_name: r.try_get(3)?,
                    categories: categories(&r.try_get::<String, _>(4)?)?,
                    plan: self.audit_key.open(&r.try_get::<String, _>(5)?)?,
                    created_at: parse_instant(&r.try_get::<String, _>(6)?)?,
                    closed_at: instant_opt(r.try_get(7)?)?,
                })
            }
        }

        impl PgoCircleStore for $Store {
            async fn create_pgo_family(&self, g: &PgoFamilyGrant) -> Result<(), StoreError> {
                sqlx::query(concat!("INSERT INTO pgo_family (", family_columns!(), ") \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"))
                .bind(&g.id)
                .bind(&g.owner_id)
                .bind(&g.viewer_id)
                .bind(&g.label)
                .bind(&g.owner_name)
                .bind(categories_text(&g.categories)?)
                .bind(&g.invite_hash)
                .bind(format_instant(g.invite_expires_at))
                .bind(format_instant(g.created_at))
                .bind(g.accepted_at.map(format_instant))
                .bind(g.ended_at.map(format_instant))
                .bind(&g.viewer_name)
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn pgo_family_given(&self, owner_id: &str) -> Result<Vec<PgoFamilyGrant>, StoreError> {
                sqlx::query(concat!("SELECT ", family_columns!(), " FROM pgo_family WHERE owner_id = $1 \
                     ORDER BY created_at DESC, id"))
                .bind(owner_id)
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(family_row)
                .collect()
            }

            async fn pgo_family_received(&self, viewer_id: &str) -> Result<Vec<PgoFamilyGrant>, StoreError> {
                sqlx::query(concat!("SELECT ", family_columns!(), " FROM pgo_family \
                     WHERE viewer_id = $1 AND ended_at IS NULL ORDER BY accepted_at, id"))
                .bind(viewer_id)
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(family_row)
                .collect()
            }

            async fn accept_pgo_family(
                &self,
                invite_hash: &str,
                (viewer_id, viewer_name): (&str, &str),
                at: DateTime<Utc>,
            ) -> Result<Option<PgoFamilyGrant>, StoreError> {
                let mut tx = self.write.begin().await?;
                let found = sqlx::query(concat!("SELECT ", family_columns!(), " FROM pgo_family WHERE invite_hash = $1 \
                     AND viewer_id IS NULL AND ended_at IS NULL"))
                .bind(invite_hash)
                .fetch_optional(&mut *tx)
                .await?
                .as_ref()
                .map(family_row)
                .transpose()?
                .filter(|g| at < g.invite_expires_at && g.owner_id != viewer_id);
                let Some(mut grant) = found else {
                    return Ok(None);
                };
                // The same conditions again: ended or taken in the meantime, it is not accepted.
                let n = sqlx::query(
                    "UPDATE pgo_family SET viewer_id = $1, accepted_at = $2, invite_hash = NULL, \
                     viewer_name = $3 WHERE id = $4 AND viewer_id IS NULL AND ended_at IS NULL \
                     AND invite_hash = $5",
                )
                .bind(viewer_id)
                .bind(format_instant(at))
                .bind(viewer_name)
                .bind(&grant.id)
                .bind(invite_hash)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 0 {
                    return Ok(None);
                }
                tx.commit().await?;
                grant.viewer_id = Some(viewer_id.to_owned());
                grant.viewer_name = Some(viewer_name.to_owned());
                grant.accepted_at = Some(at);
                grant.invite_hash = None;
                Ok(Some(grant))
            }

            async fn end_pgo_family(&self, account_id: &str, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
                Ok(sqlx::query(
                    "UPDATE pgo_family SET ended_at = $1, invite_hash = NULL \
                     WHERE id = $2 AND (owner_id = $3 OR viewer_id = $3) AND ended_at IS NULL",
                )
                .bind(format_instant(at))
                .bind(id)
                .bind(account_id)
                .execute(&self.write)
                .await?
                .rows_affected()
                    > 0)
            }

            async fn create_pgo_team(&self, t: &PgoTeam) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO pgo_teams (id, account_id, title, owner_name, categories, plan, \
                     created_at, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&t.id)
                .bind(&t.account_id)
                .bind(self.audit_key.seal(&t.title)?)
                .bind(&t.owner_name)
                .bind(categories_text(&t.categories)?)
                .bind(self.audit_key.seal(&t.plan)?)
                .bind(format_instant(t.created_at))
                .bind(t.closed_at.map(format_instant))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn pgo_teams(&self, account_id: &str) -> Result<Vec<PgoTeam>, StoreError> {
                sqlx::query(concat!("SELECT ", team_columns!(), " FROM pgo_teams t WHERE t.account_id = $1 \
                     ORDER BY t.created_at DESC, t.id"))
                .bind(account_id)
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(|r| self.team_row(r))
                .collect()
            }

            async fn pgo_team(&self, account_id: &str, id: &str) -> Result<Option<PgoTeam>, StoreError> {
                sqlx::query(concat!("SELECT ", team_columns!(), " FROM pgo_teams t WHERE t.account_id = $1 AND t.id = $2"))
                .bind(account_id)
                .bind(id)
                .fetch_optional(&self.read)
                .await?
                .as_ref()
                .map(|r| self.team_row(r))
                .transpose()
            }

            async fn set_pgo_team_plan(&self, account_id: &str, id: &str, plan: &str) -> Result<bool, StoreError> {
                Ok(sqlx::query(
                    "UPDATE pgo_teams SET plan = $1 \
                     WHERE account_id = $2 AND id = $3 AND closed_at IS NULL",
                )
                .bind(self.audit_key.seal(plan)?)
                .bind(account_id)
                .bind(id)
                .execute(&self.write)
                .await?
                .rows_affected()
                    > 0)
            }

            async fn close_pgo_team(&self, account_id: &str, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
                Ok(sqlx::query(
                    "UPDATE pgo_teams SET closed_at = $1 \
                     WHERE account_id = $2 AND id = $3 AND closed_at IS NULL",
                )
                .bind(format_instant(at))
                .bind(account_id)
                .bind(id)
                .execute(&self.write)
                .await?
                .rows_affected()
                    > 0)
            }

            async fn add_pgo_team_member(&self, m: &PgoTeamMember) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO pgo_team_members (id, team_id, label, token_hash, code_hash, \
                     created_at, removed_at, failed_attempts, openings) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&m.id)
                .bind(&m.team_id)
                .bind(&m.label)
                .bind(&m.token_hash)
                .bind(&m.code_hash)
                .bind(format_instant(m.created_at))
                .bind(m.removed_at.map(format_instant))
                .bind(i64::from(m.failed_attempts))
                .bind(i64::from(m.openings))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn pgo_team_members(&self, team_id: &str) -> Result<Vec<PgoTeamMember>, StoreError> {
                sqlx::query(concat!("SELECT ", member_columns!(), " FROM pgo_team_members m WHERE m.team_id = $1 \
                     ORDER BY m.created_at, m.id"))
                .bind(team_id)
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(|r| member_row(r, 0))
                .collect()
            }

            async fn pgo_team_member_by_token(
                &self,
                token_hash: &str,
            ) -> Result<Option<(PgoTeamMember, PgoTeam)>, StoreError> {
                let row = sqlx::query(concat!("SELECT ", team_columns!(), ", ", member_columns!(), " FROM pgo_team_members m \
                     JOIN pgo_teams t ON t.id = m.team_id WHERE m.token_hash = $1"))
                .bind(token_hash)
                .fetch_optional(&self.read)
                .await?;
                row.map(|r| Ok((member_row(&r, 8)?, self.team_row(&r)?)))
                    .transpose()
            }

            async fn remove_pgo_team_member(&self, team_id: &str, member_id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
                Ok(sqlx::query(
                    "UPDATE pgo_team_members SET removed_at = $1 \
                     WHERE team_id = $2 AND id = $3 AND removed_at IS NULL",
                )
                .bind(format_instant(at))
                .bind(team_id)
                .bind(member_id)
                .execute(&self.write)
                .await?
                .rows_affected()
                    > 0)
            }

            async fn pgo_team_member_opened(&self, member_id: &str) -> Result<(), StoreError> {
                sqlx::query("UPDATE pgo_team_members SET openings = openings + 1 WHERE id = $1")
                    .bind(member_id)
                    .execute(&self.write)
                    .await?;
                Ok(())
            }

            async fn pgo_team_member_wrong_code(&self, member_id: &str, max: u32, at: DateTime<Utc>) -> Result<u32, StoreError> {
                let mut tx = self.write.begin().await?;
                sqlx::query(
                    "UPDATE pgo_team_members SET failed_attempts = failed_attempts + 1 WHERE id = $1",
                )
                .bind(member_id)
                .execute(&mut *tx)
                .await?;
                let n: i64 = sqlx::query("SELECT failed_attempts FROM pgo_team_members WHERE id = $1")
                    .bind(member_id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()?
                    .unwrap_or(0);
                if n >= i64::from(max) {
                    sqlx::query(
                        "UPDATE pgo_team_members SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL",
                    )
                    .bind(format_instant(at))
                    .bind(member_id)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(u32::try_from(n).unwrap_or(u32::MAX))
            }

            async fn add_pgo_team_post(&self, p: &PgoTeamPost, file: Option<&Attachment>) -> Result<(), StoreError> {
                let sealed = file.map(|f| self.audit_key.seal_bytes(&f.bytes)).transpose()?;
                sqlx::query(
                    "INSERT INTO pgo_team_posts (id, team_id, member_id, author, body, at, \
                     attachment_name, attachment_type, attachment) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&p.id)
                .bind(&p.team_id)
                .bind(&p.member_id)
                .bind(&p.author)
                .bind(self.audit_key.seal(&p.body)?)
                .bind(format_instant(p.at))
                .bind(file.map(|f| f.name.clone()))
                .bind(file.map(|f| f.media_type.clone()))
                .bind(sealed)
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn pgo_team_posts(&self, team_id: &str) -> Result<Vec<PgoTeamPost>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, team_id, member_id, author, body, at, attachment_name, attachment_type \
                     FROM pgo_team_posts WHERE team_id = $1 ORDER BY at, id",
                )
                .bind(team_id)
                .fetch_all(&self.read)
                .await?;
                rows.iter()
                    .map(|r| {
                        let name: Option<String> = r.try_get(6)?;
                        let media: Option<String> = r.try_get(7)?;
                        Ok(PgoTeamPost {
                            id: r.try_get(0)?,
                            team_id: r.try_get(1)?,
                            member_id: r.try_get(2)?,
                            author: r.try_get(3)?,
                            body: self.audit_key.open(&r.try_get::<String, _>(4)?)?,
                            at: parse_instant(&r.try_get::<String, _>(5)?)?,
                            attachment: name.zip(media),
                        })
                    })
                    .collect()
            }

            async fn pgo_team_file(&self, team_id: &str, post_id: &str) -> Result<Option<Attachment>, StoreError> {
                let row = sqlx::query(
                    "SELECT attachment_name, attachment_type, attachment FROM pgo_team_posts \
                     WHERE team_id = $1 AND id = $2 AND attachment IS NOT NULL",
                )
                .bind(team_id)
                .bind(post_id)
                .fetch_optional(&self.read)
                .await?;
                row.map(|r| {
                    Ok(Attachment {
                        name: r.try_get(0)?,
                        media_type: r.try_get(1)?,
                        bytes: self.audit_key.open_bytes(&r.try_get::<Vec<u8>, _>(2)?)?,
                    })
                })
                .transpose()
            }
        }
    };
}

impl_circle!(SqliteStore);
impl_circle!(PostgresStore);

impl PgoCircleStore for Store {
    async fn create_pgo_family(&self, grant: &PgoFamilyGrant) -> Result<(), StoreError> {
        delegate!(self, s => s.create_pgo_family(grant))
    }
    async fn pgo_family_given(&self, owner_id: &str) -> Result<Vec<PgoFamilyGrant>, StoreError> {
        delegate!(self, s => s.pgo_family_given(owner_id))
    }
    async fn pgo_family_received(
        &self,
        viewer_id: &str,
    ) -> Result<Vec<PgoFamilyGrant>, StoreError> {
        delegate!(self, s => s.pgo_family_received(viewer_id))
    }
    async fn accept_pgo_family(
        &self,
        invite_hash: &str,
        viewer: (&str, &str),
        at: DateTime<Utc>,
    ) -> Result<Option<PgoFamilyGrant>, StoreError> {
        delegate!(self, s => s.accept_pgo_family(invite_hash, viewer, at))
    }
    async fn end_pgo_family(
        &self,
        account_id: &str,
        id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.end_pgo_family(account_id, id, at))
    }
    async fn create_pgo_team(&self, team: &PgoTeam) -> Result<(), StoreError> {
        delegate!(self, s => s.create_pgo_team(team))
    }
    async fn pgo_teams(&self, account_id: &str) -> Result<Vec<PgoTeam>, StoreError> {
        delegate!(self, s => s.pgo_teams(account_id))
    }
    async fn pgo_team(&self, account_id: &str, id: &str) -> Result<Option<PgoTeam>, StoreError> {
        delegate!(self, s => s.pgo_team(account_id, id))
    }
    async fn set_pgo_team_plan(
        &self,
        account_id: &str,
        id: &str,
        plan: &str,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.set_pgo_team_plan(account_id, id, plan))
    }
    async fn close_pgo_team(
        &self,
        account_id: &str,
        id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.close_pgo_team(account_id, id, at))
    }
    async fn add_pgo_team_member(&self, member: &PgoTeamMember) -> Result<(), StoreError> {
        delegate!(self, s => s.add_pgo_team_member(member))
    }
    async fn pgo_team_members(&self, team_id: &str) -> Result<Vec<PgoTeamMember>, StoreError> {
        delegate!(self, s => s.pgo_team_members(team_id))
    }
    async fn pgo_team_member_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(PgoTeamMember, PgoTeam)>, StoreError> {
        delegate!(self, s => s.pgo_team_member_by_token(token_hash))
    }
    async fn remove_pgo_team_member(
        &self,
        team_id: &str,
        member_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.remove_pgo_team_member(team_id, member_id, at))
    }
    async fn pgo_team_member_opened(&self, member_id: &str) -> Result<(), StoreError> {
        delegate!(self, s => s.pgo_team_member_opened(member_id))
    }
    async fn pgo_team_member_wrong_code(
        &self,
        member_id: &str,
        max: u32,
        at: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        delegate!(self, s => s.pgo_team_member_wrong_code(member_id, max, at))
    }
    async fn add_pgo_team_post(
        &self,
        post: &PgoTeamPost,
        file: Option<&Attachment>,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.add_pgo_team_post(post, file))
    }
    async fn pgo_team_posts(&self, team_id: &str) -> Result<Vec<PgoTeamPost>, StoreError> {
        delegate!(self, s => s.pgo_team_posts(team_id))
    }
    async fn pgo_team_file(
        &self,
        team_id: &str,
        post_id: &str,
    ) -> Result<Option<Attachment>, StoreError> {
        delegate!(self, s => s.pgo_team_file(team_id, post_id))
    }
}
