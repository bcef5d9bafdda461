//! Practice staff accounts and finding a patient in a practice. No medical content.

use crate::audit::format_instant;
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::items::parse;
use crate::{PatientSummary, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use inzage_domain::{Bsn, Patient, PatientId, PracticeId, ResultId, StaffRole};
use sqlx::Row;
use std::future::Future;

/// A staff member's login. `password_hash` is a PHC string (argon2), `totp_secret` base32.
#[derive(Clone, PartialEq, Eq)]
pub struct StaffAccount {
    pub username: String,
    pub practice: PracticeId,
    pub display_name: String,
    pub role: StaffRole,
    pub password_hash: String,
    pub totp_secret: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// The staff member's own address: invitations and resets go there, never to the
    /// administrator. Set when the account is created; `None` for accounts made on the server.
    pub email: Option<String>,
    /// The last change of password or second factor: sessions begun before it are over.
    pub credentials_changed_at: Option<DateTime<Utc>>,
}

impl StaffAccount {
    /// Whether the account has credentials (an invitation not yet completed has none).
    pub fn is_activated(&self) -> bool {
        !self.password_hash.is_empty() && !self.totp_secret.is_empty()
    }
}

/// An invitation for a staff member to set their own password and second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffInvitation {
    pub code_hash: String,
    pub username: String,
    /// The administrator who invited (their username).
    pub invited_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for StaffAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffAccount")
            .field("username", &self.username)
            .field("practice", &self.practice)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// A portal invitation: the activation code is known only to the patient (its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub code_hash: String,
    pub patient: PatientId,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What a staff member searches for. Empty fields are ignored; at least one must be given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientQuery {
    /// The start of the family name, case-insensitive.
    pub family_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub bsn: Option<Bsn>,
}

pub(crate) fn role_str(r: StaffRole) -> &'static str {
    match r {
        StaffRole::Gp => "gp",
        StaffRole::Assistant => "assistant",
        StaffRole::PracticeNurse => "practice_nurse",
        StaffRole::Administrator => "administrator",
    }
}

fn parse_role(s: &str) -> Result<StaffRole, StoreError> {
    [
        StaffRole::Gp,
        StaffRole::Assistant,
        StaffRole::PracticeNurse,
        StaffRole::Administrator,
    ]
    .into_iter()
    .find(|r| role_str(*r) == s)
    .ok_or_else(|| StoreError::Corrupt(format!("staff role {s:?}")))
}

/// A result waiting for a GP's review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    pub patient: PatientId,
    pub result: ResultId,
    pub received_at: DateTime<Utc>,
}

pub trait StaffStore: Send + Sync {
    /// The practice's results waiting for review, oldest first.
    fn review_queue(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<ReviewItem>, StoreError>> + Send;

    /// Earlier versions of one item (as stored JSON), oldest first, with when each was replaced.
    fn item_history(
        &self,
        patient: &PatientId,
        kind: &str,
        item_id: &str,
    ) -> impl Future<Output = Result<Vec<(DateTime<Utc>, String)>, StoreError>> + Send;

    /// The staff accounts of one practice, by username.
    fn list_staff(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<StaffAccount>, StoreError>> + Send;

    /// Changes an account of `practice`: role, display name, active, password hash, TOTP secret
    /// and `credentials_changed_at` (the e-mail address stays). `false` when there is no such
    /// account in that practice.
    fn update_staff(
        &self,
        practice: &PracticeId,
        account: &StaffAccount,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Stores a portal invitation (the code's hash) for a patient.
    fn create_invitation(
        &self,
        invitation: &Invitation,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The invitation with this code hash, if it is unused and unexpired at `now`.
    fn open_invitation(
        &self,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Invitation>, StoreError>> + Send;

    /// Marks an invitation used; `false` when it was used meanwhile (a code works once).
    fn use_invitation(
        &self,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Stores an invitation; any earlier open invitation of the same account ends.
    fn invite_staff(
        &self,
        invitation: &StaffInvitation,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The invitation with this code hash, if it is unused and unexpired at `now`.
    fn open_staff_invitation(
        &self,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<StaffInvitation>, StoreError>> + Send;

    /// Completes an invitation in one transaction: marks it used (once) and gives its account the
    /// new password hash and TOTP secret. Returns the username, or `None` when the invitation was
    /// used, expired or unknown.
    fn activate_staff(
        &self,
        code_hash: &str,
        password_hash: &str,
        totp_secret: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Creates an account; `Conflict` when the username is taken.
    fn create_staff(
        &self,
        account: &StaffAccount,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn staff_account(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Option<StaffAccount>, StoreError>> + Send;

    /// Stores (or, for the same account, updates) a staff passkey.
    fn save_staff_passkey(
        &self,
        username: &str,
        credential_id: &str,
        passkey: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The passkeys of a staff account, oldest first, as (credential id, serialised passkey).
    fn staff_passkeys(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Vec<(String, String)>, StoreError>> + Send;

    /// Removes every passkey of a staff account (a reset of its login); returns how many.
    fn remove_staff_passkeys(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Marks a TOTP step used; `false` for a replayed (same or older) step.
    fn claim_staff_totp_step(
        &self,
        username: &str,
        step: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Patients of `practice` matching every given field, by family name; at most `limit`.
    fn search_patients(
        &self,
        practice: &PracticeId,
        query: &PatientQuery,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<PatientSummary>, StoreError>> + Send;
}

/// A LIKE pattern for names starting with `s`: wildcards in `s` match only themselves.
fn like_prefix(s: &str) -> String {
    let mut p = String::new();
    for c in s.trim().to_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

fn staff_row<R: Row>(r: &R) -> Result<StaffAccount, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(StaffAccount {
        username: r.try_get(0)?,
        practice: PracticeId::new(r.try_get::<String, _>(1)?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        display_name: r.try_get(2)?,
        role: parse_role(&r.try_get::<String, _>(3)?)?,
        password_hash: r.try_get(4)?,
        totp_secret: r.try_get(5)?,
        active: r.try_get(6)?,
        created_at: parse_instant(&r.try_get::<String, _>(7)?)?,
        email: r.try_get(8)?,
        credentials_changed_at: r
            .try_get::<Option<String>, _>(9)?
            .map(|t| parse_instant(&t))
            .transpose()?,
    })
}

macro_rules! impl_staff {
    ($Store:ident) => {
        impl StaffStore for $Store {
            async fn review_queue(&self, practice: &PracticeId) -> Result<Vec<ReviewItem>, StoreError> {
                let rows = sqlx::query(
                    "SELECT patient_id, result_id, received_at FROM review_queue WHERE practice_id = $1 \
                     ORDER BY received_at, patient_id, result_id",
                )
                .bind(practice.as_str())
                .fetch_all(&self.read)
                .await?;
                let corrupt = |e: inzage_domain::ids::InvalidId| StoreError::Corrupt(e.to_string());
                rows.iter()
                    .map(|r| {
                        Ok(ReviewItem {
                            patient: PatientId::new(r.try_get::<String, _>(0)?).map_err(corrupt)?,
                            result: ResultId::new(r.try_get::<String, _>(1)?).map_err(corrupt)?,
                            received_at: parse_instant(&r.try_get::<String, _>(2)?)?,
                        })
                    })
                    .collect()
            }

            async fn item_history(&self, patient: &PatientId, kind: &str, item_id: &str) -> Result<Vec<(DateTime<Utc>, String)>, StoreError> {
                let rows = sqlx::query(
                    "SELECT replaced_at, payload FROM record_item_history \
                     WHERE patient_id = $1 AND kind = $2 AND item_id = $3 ORDER BY replaced_at",
                )
                .bind(patient.as_str())
                .bind(kind)
                .bind(item_id)
                .fetch_all(&self.read)
                .await?;
                rows.iter()
                    .map(|r| Ok((parse_instant(&r.try_get::<String, _>(0)?)?, r.try_get(1)?)))
                    .collect()
            }

            async fn list_staff(&self, practice: &PracticeId) -> Result<Vec<StaffAccount>, StoreError> {
                let rows = sqlx::query(
                    "SELECT username, practice_id, display_name, role, password_hash, totp_secret, active, created_at, email, credentials_changed_at \
                     FROM staff_accounts WHERE practice_id = $1 ORDER BY username",
                )
                .bind(practice.as_str())
                .fetch_all(&self.read)
                .await?;
                rows.iter()
                    .map(|r| {
                        let mut a = staff_row(r)?;
                        a.totp_secret = self.audit_key.open(&a.totp_secret)?;
                        Ok(a)
                    })
                    .collect()
            }

            async fn update_staff(&self, practice: &PracticeId, a: &StaffAccount) -> Result<bool, StoreError> {
                // The same secret keeps its stored (encrypted) form, so the last used step stays.
                let stored: Option<String> = sqlx::query_scalar(
                    "SELECT totp_secret FROM staff_accounts WHERE username = $1 AND practice_id = $2",
                )
                .bind(&a.username)
                .bind(practice.as_str())
                .fetch_optional(&self.write)
                .await?;
                let secret = match stored {
                    Some(s) if self.audit_key.open(&s).is_ok_and(|p| p == a.totp_secret) => s,
                    _ => self.audit_key.seal(&a.totp_secret)?,
                };
                let done = sqlx::query(
                    "UPDATE staff_accounts SET display_name = $3, role = $4, password_hash = $5, totp_secret = $6, \
                     totp_last_step = CASE WHEN totp_secret = $6 THEN totp_last_step ELSE NULL END, active = $7, \
                     credentials_changed_at = $8 \
                     WHERE username = $1 AND practice_id = $2",
                )
                .bind(&a.username)
                .bind(practice.as_str())
                .bind(&a.display_name)
                .bind(role_str(a.role))
                .bind(&a.password_hash)
                .bind(&secret)
                .bind(a.active)
                // Set by the caller when it changes a credential: sessions begun before it end.
                .bind(a.credentials_changed_at.map(format_instant))
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn invite_staff(&self, i: &StaffInvitation) -> Result<(), StoreError> {
                let mut tx = self.write.begin().await?;
                sqlx::query("UPDATE staff_invitations SET used_at = $2 WHERE username = $1 AND used_at IS NULL")
                    .bind(&i.username)
                    .bind(format_instant(i.created_at))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO staff_invitations (code_hash, username, invited_by, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&i.code_hash)
                .bind(&i.username)
                .bind(&i.invited_by)
                .bind(format_instant(i.created_at))
                .bind(format_instant(i.expires_at))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn open_staff_invitation(&self, code_hash: &str, now: DateTime<Utc>) -> Result<Option<StaffInvitation>, StoreError> {
                let Some(r) = sqlx::query(
                    "SELECT code_hash, username, invited_by, created_at, expires_at FROM staff_invitations \
                     WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(code_hash)
                .bind(format_instant(now))
                .fetch_optional(&self.read)
                .await?
                else {
                    return Ok(None);
                };
                Ok(Some(StaffInvitation {
                    code_hash: r.try_get(0)?,
                    username: r.try_get(1)?,
                    invited_by: r.try_get(2)?,
                    created_at: parse_instant(&r.try_get::<String, _>(3)?)?,
                    expires_at: parse_instant(&r.try_get::<String, _>(4)?)?,
                }))
            }

            async fn activate_staff(
                &self,
                code_hash: &str,
                password_hash: &str,
                totp_secret: &str,
                now: DateTime<Utc>,
            ) -> Result<Option<String>, StoreError> {
                let mut tx = self.write.begin().await?;
                let username: Option<String> = sqlx::query_scalar(
                    "UPDATE staff_invitations SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 \
                     RETURNING username",
                )
                .bind(code_hash)
                .bind(format_instant(now))
                .fetch_optional(&mut *tx)
                .await?;
                let Some(username) = username else {
                    tx.commit().await?;
                    return Ok(None);
                };
                sqlx::query(
                    "UPDATE staff_accounts SET password_hash = $2, totp_secret = $3, totp_last_step = NULL, \
                     credentials_changed_at = $4 WHERE username = $1",
                )
                .bind(&username)
                .bind(password_hash)
                .bind(self.audit_key.seal(totp_secret)?)
                .bind(format_instant(now))
                .execute(&mut *tx)
                .await?;
                // New credentials replace all old ones, passkeys included.
                sqlx::query("DELETE FROM staff_passkeys WHERE username = $1")
                    .bind(&username)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Some(username))
            }

            async fn create_invitation(&self, i: &Invitation) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO portal_invitations (code_hash, patient_id, created_by, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&i.code_hash)
                .bind(i.patient.as_str())
                .bind(&i.created_by)
                .bind(format_instant(i.created_at))
                .bind(format_instant(i.expires_at))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn open_invitation(&self, code_hash: &str, now: DateTime<Utc>) -> Result<Option<Invitation>, StoreError> {
                let Some(r) = sqlx::query(
                    "SELECT code_hash, patient_id, created_by, created_at, expires_at FROM portal_invitations \
                     WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(code_hash)
                .bind(format_instant(now))
                .fetch_optional(&self.read)
                .await?
                else {
                    return Ok(None);
                };
                Ok(Some(Invitation {
                    code_hash: r.try_get(0)?,
                    patient: PatientId::new(r.try_get::<String, _>(1)?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    created_by: r.try_get(2)?,
                    created_at: parse_instant(&r.try_get::<String, _>(3)?)?,
                    expires_at: parse_instant(&r.try_get::<String, _>(4)?)?,
                }))
            }

            async fn use_invitation(&self, code_hash: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE portal_invitations SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(code_hash)
                .bind(format_instant(now))
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn create_staff(&self, a: &StaffAccount) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO staff_accounts (username, practice_id, display_name, role, password_hash, totp_secret, active, created_at, email) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&a.username)
                .bind(a.practice.as_str())
                .bind(&a.display_name)
                .bind(role_str(a.role))
                .bind(&a.password_hash)
                .bind(self.audit_key.seal(&a.totp_secret)?)
                .bind(a.active)
                .bind(format_instant(a.created_at))
                .bind(&a.email)
                .execute(&self.write)
                .await
                .map_err(|e| match e.as_database_error() {
                    Some(d) if d.is_unique_violation() => StoreError::Conflict("this username is taken".into()),
                    _ => StoreError::Database(e),
                })?;
                Ok(())
            }

            async fn staff_account(&self, username: &str) -> Result<Option<StaffAccount>, StoreError> {
                let Some(r) = sqlx::query(
                    "SELECT username, practice_id, display_name, role, password_hash, totp_secret, active, created_at, email, credentials_changed_at \
                     FROM staff_accounts WHERE username = $1",
                )
                .bind(username)
                .fetch_optional(&self.read)
                .await?
                else {
                    return Ok(None);
                };
                let mut a = staff_row(&r)?;
                a.totp_secret = self.audit_key.open(&a.totp_secret)?;
                Ok(Some(a))
            }

            async fn save_staff_passkey(&self, username: &str, credential_id: &str, passkey: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO staff_passkeys (credential_id, username, passkey, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (credential_id) DO UPDATE SET passkey = excluded.passkey \
                     WHERE staff_passkeys.username = excluded.username",
                )
                .bind(credential_id)
                .bind(username)
                .bind(passkey)
                .bind(format_instant(now))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn staff_passkeys(&self, username: &str) -> Result<Vec<(String, String)>, StoreError> {
                let rows = sqlx::query("SELECT credential_id, passkey FROM staff_passkeys WHERE username = $1 ORDER BY created_at, credential_id")
                    .bind(username)
                    .fetch_all(&self.read)
                    .await?;
                rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
            }

            async fn remove_staff_passkeys(&self, username: &str) -> Result<u64, StoreError> {
                let done = sqlx::query("DELETE FROM staff_passkeys WHERE username = $1")
                    .bind(username)
                    .execute(&self.write)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn claim_staff_totp_step(&self, username: &str, step: i64) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE staff_accounts SET totp_last_step = $2 WHERE username = $1 \
                     AND (totp_last_step IS NULL OR totp_last_step < $2)",
                )
                .bind(username)
                .bind(step)
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn search_patients(&self, practice: &PracticeId, q: &PatientQuery, limit: u32) -> Result<Vec<PatientSummary>, StoreError> {
                if q.family_name.is_none() && q.birth_date.is_none() && q.bsn.is_none() {
                    return Ok(vec![]);
                }
                // Unused conditions compare a parameter with itself (NULL never matches, so
                // they are written as "parameter IS NULL OR ...").
                let rows = sqlx::query(
                    "SELECT payload FROM patients WHERE practice_id = $1 \
                     AND ($2 IS NULL OR lower(family_name) LIKE $2 ESCAPE '\\') \
                     AND ($3 IS NULL OR birth_date = $3) \
                     AND ($4 IS NULL OR bsn = $4) \
                     ORDER BY family_name, birth_date, id LIMIT $5",
                )
                .bind(practice.as_str())
                .bind(q.family_name.as_ref().map(|n| like_prefix(n)))
                .bind(q.birth_date.map(|d| d.to_string()))
                .bind(q.bsn.as_ref().map(|b| b.as_str().to_owned()))
                .bind(i64::from(limit))
                .fetch_all(&self.read)
                .await?;
                rows.iter()
                    .map(|row| {
                        let p: Patient = parse("patient", &row.try_get::<String, _>(0)?)?;
                        Ok(PatientSummary::from(p))
                    })
                    .collect()
            }
        }
    };
}

impl_staff!(SqliteStore);
impl_staff!(PostgresStore);

impl StaffStore for Store {
    async fn review_queue(&self, practice: &PracticeId) -> Result<Vec<ReviewItem>, StoreError> {
        delegate!(self, s => s.review_queue(practice))
    }
    async fn item_history(
        &self,
        patient: &PatientId,
        kind: &str,
        item_id: &str,
    ) -> Result<Vec<(DateTime<Utc>, String)>, StoreError> {
        delegate!(self, s => s.item_history(patient, kind, item_id))
    }
    async fn invite_staff(&self, invitation: &StaffInvitation) -> Result<(), StoreError> {
        delegate!(self, s => s.invite_staff(invitation))
    }
    async fn open_staff_invitation(
        &self,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StaffInvitation>, StoreError> {
        delegate!(self, s => s.open_staff_invitation(code_hash, now))
    }
    async fn activate_staff(
        &self,
        code_hash: &str,
        password_hash: &str,
        totp_secret: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        delegate!(self, s => s.activate_staff(code_hash, password_hash, totp_secret, now))
    }
    async fn create_staff(&self, account: &StaffAccount) -> Result<(), StoreError> {
        delegate!(self, s => s.create_staff(account))
    }
    async fn list_staff(&self, practice: &PracticeId) -> Result<Vec<StaffAccount>, StoreError> {
        delegate!(self, s => s.list_staff(practice))
    }
    async fn update_staff(
        &self,
        practice: &PracticeId,
        account: &StaffAccount,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.update_staff(practice, account))
    }
    async fn create_invitation(&self, invitation: &Invitation) -> Result<(), StoreError> {
        delegate!(self, s => s.create_invitation(invitation))
    }
    async fn open_invitation(
        &self,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Invitation>, StoreError> {
        delegate!(self, s => s.open_invitation(code_hash, now))
    }
    async fn use_invitation(
        &self,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.use_invitation(code_hash, now))
    }
    async fn staff_account(&self, username: &str) -> Result<Option<StaffAccount>, StoreError> {
        delegate!(self, s => s.staff_account(username))
    }
    async fn save_staff_passkey(
        &self,
        username: &str,
        credential_id: &str,
        passkey: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.save_staff_passkey(username, credential_id, passkey, now))
    }
    async fn staff_passkeys(&self, username: &str) -> Result<Vec<(String, String)>, StoreError> {
        delegate!(self, s => s.staff_passkeys(username))
    }
    async fn remove_staff_passkeys(&self, username: &str) -> Result<u64, StoreError> {
        delegate!(self, s => s.remove_staff_passkeys(username))
    }
    async fn claim_staff_totp_step(&self, username: &str, step: i64) -> Result<bool, StoreError> {
        delegate!(self, s => s.claim_staff_totp_step(username, step))
    }
    async fn search_patients(
        &self,
        practice: &PracticeId,
        query: &PatientQuery,
        limit: u32,
    ) -> Result<Vec<PatientSummary>, StoreError> {
        delegate!(self, s => s.search_patients(practice, query, limit))
    }
}
