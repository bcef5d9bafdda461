//! `inzage`: one binary with subcommands. See `inzage --help`.

use chrono::Utc;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use inzage::config::{Config, init_logging};
use inzage::generate::Generator;
use inzage::{AnyError, open_keyed_store, serve};
use inzage_store::{EventType, RecordStore, Store};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

// The import and store paths allocate many small strings; mimalloc handles that churn far
// better than glibc malloc (measured with the ingest benchmark).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The seed of the demo practice, so every demo database holds the same synthetic people.
const DEMO_SEED: u64 = 2026;

#[derive(Parser)]
#[command(
    name = "inzage",
    version,
    about = "Online inzage in het huisartsdossier"
)]
struct Cli {
    /// Configuration file (TOML). Environment variables INZAGE_* override it.
    #[arg(long, global = true, default_value = "inzage.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the configured database.
    Serve,
    /// Serve a PGO on its own (`[pgo]` in the configuration): a person's health environment
    /// that fetches from MedMij providers; no portal or practice pages.
    Pgo,
    /// Create (or reuse) a SQLite demo database with synthetic patients and the Nictiz
    /// qualification patient, and serve it.
    Demo {
        /// Number of synthetic patients in a new demo database.
        #[arg(long, default_value_t = 300)]
        patients: u64,
        /// The demo practice's name in MedMij (its Zorgaanbiedernaam).
        #[arg(long, default_value = inzage::demo::DEMO_PROVIDER)]
        provider: String,
        /// Another inzage practice the demo's PGO lists beside this one, as NAME=ORIGIN
        /// (`tweede-praktijk@medmij=http://localhost:8081`); may be given more than once.
        #[arg(long = "also-provider", value_name = "NAME=ORIGIN")]
        also_provider: Vec<String>,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Practice staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Provider systems that fetch the professional summary (a huisartsenpost, a pharmacy, a
    /// hospital, an ambulance service): `/uitwisseling` (see docs/exchange.md).
    Exchange {
        #[command(subcommand)]
        command: ExchangeCommand,
    },
    /// The audit log (NEN 7513).
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Import FHIR STU3 data (JSON or XML; resources or Bundles; a file or a directory).
    Import { path: PathBuf },
    /// Write a patient's electronic copy (afschrift, R102) to a file: the online summary or the
    /// full copy, as PDF/A or FHIR. The copy is recorded in the patient's access log.
    Export {
        /// The patient id.
        #[arg(long)]
        patient: String,
        /// pdf (PDF/A-3b), fhir (FHIR R4, nl-core) or fhir-stu3 (MedMij GD49 shapes).
        #[arg(long, default_value = "pdf", value_parser = ["pdf", "fhir", "fhir-stu3"])]
        format: String,
        /// samenvatting (what the patient sees online) or volledig (the full copy).
        #[arg(long, default_value = "volledig", value_parser = ["samenvatting", "volledig"])]
        selectie: String,
        /// The PDF copy's language (the texts the copy itself writes; the record's own texts stay
        /// as the practice wrote them). The FHIR formats hold no such texts.
        #[arg(long, default_value = "nl", value_parser = clap::builder::PossibleValuesParser::new(
            inzage_domain::locale::LANGUAGES.map(|(code, _)| code)
        ))]
        language: String,
        /// Where to write the file; it appears only when it is complete.
        #[arg(long)]
        output: PathBuf,
        /// Use the demo database instead of the configured one.
        #[arg(long)]
        demo: bool,
    },
    /// Generate a synthetic practice into the configured database (or as NDJSON with --output).
    Generate {
        #[arg(long, default_value_t = 1000)]
        patients: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write records as NDJSON to this file (`-` for standard output) instead of the database.
        #[arg(long)]
        output: Option<PathBuf>,
        /// The moment the practice is generated for (RFC 3339); default now. Same seed and
        /// moment give byte-identical output.
        #[arg(long)]
        at: Option<chrono::DateTime<Utc>>,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create a staff account (the first practice administrator, for instance). The password is
    /// read from standard input (one line); the authenticator key is printed once.
    Add {
        #[arg(long)]
        username: String,
        /// The name shown to colleagues and in patients' access logs.
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The practice id (see the practices in the database).
        #[arg(long)]
        practice: String,
    },
}

#[derive(Subcommand)]
enum ExchangeCommand {
    /// Register a provider system; prints its client id and secret once (OAuth 2.0 client
    /// credentials at /uitwisseling/token).
    Add {
        /// The name patients read in their access log: "Huisartsenpost Midden-Stad".
        #[arg(long)]
        name: String,
        /// huisartsenpost, apotheek, ziekenhuis or ambulance.
        #[arg(long)]
        category: String,
    },
    /// List the registered provider systems.
    List,
    /// Stop a provider system: its tokens stop working at once.
    Disable {
        #[arg(long)]
        client_id: String,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    Gp,
    Assistant,
    PracticeNurse,
    Administrator,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the keyed hash chain over the whole log and compare it with every signed
    /// checkpoint: exit 0 when intact, 1 when an entry was changed, removed or moved, or the
    /// log was cut short.
    Verify {
        /// The checkpoint directory to compare with (default: the configured one).
        #[arg(long)]
        checkpoints: Option<PathBuf>,
    },
    /// Write a signed checkpoint of the log's head now (`serve` does so every
    /// `audit_checkpoint_minutes`).
    Checkpoint,
}

/// Where and how often `serve` writes checkpoints of the audit log of the database at `url`.
fn checkpoints(config: &Config, url: &str) -> serve::Checkpoints {
    serve::Checkpoints {
        dir: inzage::checkpoint_dir(config, url),
        every: std::time::Duration::from_secs(60 * config.audit_checkpoint_minutes.max(1)),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(&cli.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("inzage: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("inzage: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("inzage: {e}");
            ExitCode::FAILURE
        }
    }
}

fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

async fn generate_into(
    store: &Store,
    patients: u64,
    seed: u64,
    now: chrono::DateTime<Utc>,
) -> Result<(), AnyError> {
    let generator = Generator::new(seed, now);
    let bar = progress(patients, "generating");
    // Saved 64 to a transaction (each record still whole or not at all): far fewer commits.
    let mut start = 0;
    while start < patients {
        let end = (start + 64).min(patients);
        let records: Vec<_> = (start..end).map(|i| generator.patient(i)).collect();
        let batch = records
            .iter()
            .map(|record| {
                let audit = inzage::cli_audit(
                    EventType::Create,
                    &record.patient.id,
                    now,
                    format!("generate-{seed}"),
                    format!("synthetic record: {} items", record.item_count()),
                );
                (record, audit)
            })
            .collect();
        for outcome in store.save_records(batch).await? {
            outcome?;
        }
        bar.inc(end - start);
        start = end;
    }
    bar.finish();
    // A bulk load: fresh planner statistics before anyone queries (see `refresh_statistics`).
    store.refresh_statistics().await?;
    Ok(())
}

async fn run(command: Command, config: Config) -> Result<ExitCode, AnyError> {
    match command {
        Command::Migrate => {
            let store = open_keyed_store(&config, &config.database_url).await?;
            println!("migrations applied ({})", store.backend_name());
        }
        Command::Staff {
            command:
                StaffCommand::Add {
                    username,
                    name,
                    role,
                    practice,
                },
        } => {
            let store = open_keyed_store(&config, &config.database_url).await?;
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let role = match role {
                RoleArg::Gp => inzage_domain::StaffRole::Gp,
                RoleArg::Assistant => inzage_domain::StaffRole::Assistant,
                RoleArg::PracticeNurse => inzage_domain::StaffRole::PracticeNurse,
                RoleArg::Administrator => inzage_domain::StaffRole::Administrator,
            };
            let secret = inzage_practice::create_staff(
                &store,
                &username,
                password.trim_end_matches(['\r', '\n']),
                inzage_domain::PracticeId::new(practice)?,
                role,
                &name,
                Utc::now(),
            )
            .await?;
            println!("staff account {username} created");
            println!("authenticator key (add it to an authenticator app, shown once): {secret}");
        }
        Command::Exchange { command } => {
            use inzage_store::ExchangeStore;
            let store = open_keyed_store(&config, &config.database_url).await?;
            match command {
                ExchangeCommand::Add { name, category } => {
                    let category = inzage_domain::exchange::ProviderCategory::parse(&category)
                        .ok_or(
                            "the category is huisartsenpost, apotheek, ziekenhuis or ambulance",
                        )?;
                    let (id, secret) =
                        inzage_exchange::register_client(&store, &name, category, Utc::now())
                            .await?;
                    println!("client_id: {id}");
                    println!("client_secret: {secret}");
                    println!("(the secret is shown only now; only its hash is kept)");
                }
                ExchangeCommand::List => {
                    for c in store.exchange_clients().await? {
                        println!(
                            "{}\t{}\t{}\t{}",
                            c.id,
                            c.category.slug(),
                            c.name,
                            if c.disabled_at.is_some() {
                                "disabled"
                            } else {
                                "active"
                            }
                        );
                    }
                }
                ExchangeCommand::Disable { client_id } => {
                    if !store
                        .disable_exchange_client(&client_id, Utc::now())
                        .await?
                    {
                        return Err(format!("no active provider system {client_id}").into());
                    }
                    println!("{client_id} disabled");
                }
            }
        }
        Command::Audit {
            command: AuditCommand::Verify { checkpoints },
        } => {
            let store = open_keyed_store(&config, &config.database_url).await?;
            let dir = checkpoints
                .unwrap_or_else(|| inzage::checkpoint_dir(&config, &config.database_url));
            let mut broken = false;
            match store.verify_audit_chain().await? {
                Ok(n) => println!("audit log intact: {n} entries checked"),
                Err(b) => {
                    println!(
                        "audit log BROKEN at entry {}: an entry was changed, removed or moved",
                        b.seq
                    );
                    broken = true;
                }
            }
            let (compared, problems) = store.check_audit_checkpoints(&dir).await?;
            for p in &problems {
                println!("audit log BROKEN: {p}");
            }
            if problems.is_empty() {
                println!(
                    "{compared} checkpoints in {} agree with the log",
                    dir.display()
                );
            }
            if broken || !problems.is_empty() {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Audit {
            command: AuditCommand::Checkpoint,
        } => {
            let store = open_keyed_store(&config, &config.database_url).await?;
            let dir = inzage::checkpoint_dir(&config, &config.database_url);
            let written = store.write_audit_checkpoint(&dir, Utc::now()).await?;
            for c in &written {
                println!("checkpoint of entry {} written to {}", c.seq, dir.display());
            }
            if written.is_empty() {
                println!("no new entries since the last checkpoint");
            }
        }
        Command::Export {
            patient,
            format,
            selectie,
            language,
            output,
            demo,
        } => {
            let url = if demo {
                &config.demo_database_url
            } else {
                &config.database_url
            };
            let store = open_keyed_store(&config, url).await?;
            let base = format!(
                "{}/fhir",
                config
                    .public_origin
                    .as_deref()
                    .unwrap_or("http://localhost")
                    .trim_end_matches('/')
            );
            let written = inzage::export::write_copy(
                &store,
                &patient,
                &format,
                &selectie,
                &language,
                &base,
                &output,
                Utc::now(),
            )
            .await?;
            println!(
                "copy ({selectie}, {format}) of patient {patient} written to {}: {written} bytes",
                output.display()
            );
        }
        Command::Serve => {
            let store = open_keyed_store(&config, &config.database_url).await?;
            store.set_record_cache_budget(config.record_cache_mb * 1024 * 1024);
            let checkpoints = checkpoints(&config, &config.database_url);
            if let Some(listen) = &config.metrics_listen {
                serve::spawn_metrics(store.clone(), listen).await?;
            }
            serve::serve(
                store,
                &config.listen,
                config.web()?,
                mail_interval(&config),
                checkpoints,
                serve::Serving::Practice(config.pgo()?),
            )
            .await?;
        }
        Command::Pgo => {
            let pgo = config
                .pgo()?
                .ok_or("inzage pgo needs a [pgo] section (client_id, providers, whitelist)")?;
            let store = open_keyed_store(&config, &config.database_url).await?;
            let checkpoints = checkpoints(&config, &config.database_url);
            if let Some(listen) = &config.metrics_listen {
                serve::spawn_metrics(store.clone(), listen).await?;
            }
            serve::serve(
                store,
                &config.listen,
                config.web()?,
                mail_interval(&config),
                checkpoints,
                serve::Serving::PgoOnly(pgo),
            )
            .await?;
        }
        Command::Demo {
            patients,
            provider,
            also_provider,
        } => {
            let mut others = vec![];
            for given in &also_provider {
                let Some((name, origin)) = given.split_once('=') else {
                    return Err(format!("--also-provider {given}: expected NAME=ORIGIN").into());
                };
                others.push((name.trim().to_owned(), origin.trim().to_owned()));
            }
            let store = open_keyed_store(&config, &config.demo_database_url).await?;
            store.set_record_cache_budget(config.record_cache_mb * 1024 * 1024);
            let now = Utc::now();
            if store.counts().await?.patients == 0 {
                println!("creating the demo practice ({patients} synthetic patients)");
                generate_into(&store, patients, DEMO_SEED, now).await?;
                let nictiz = PathBuf::from(&config.nictiz_dir);
                if nictiz.is_dir() {
                    let summary = inzage::import::import_path(&store, &nictiz, now).await?;
                    println!(
                        "Nictiz qualification patient: {} created, {} errors",
                        summary.created,
                        summary.errors()
                    );
                } else {
                    println!("Nictiz fixtures not found at {}; skipped", nictiz.display());
                }
            }
            let practice = Generator::new(DEMO_SEED, now).practice().id.clone();
            let mut accounts = match inzage::demo::existing_accounts(&store).await? {
                Some(a) => a,
                None => inzage::demo::seed_accounts(&store, &practice, &provider, now).await?,
            };
            accounts.extend(inzage::demo::staff_accounts(&store, &practice, now).await?);
            inzage::demo::agenda(&store, &practice, now).await?;
            let counts = store.counts().await?;
            println!(
                "demo database {}: {} patients, {} record items",
                config.demo_database_url, counts.patients, counts.items
            );
            let port = config.listen.rsplit(':').next().unwrap_or("8080");
            println!("open http://localhost:{port} (demo logins are listed on the start page)");
            // A developer machine over plain http: no Secure cookies, demo logins on show, and
            // text-message codes in the server log.
            // Passkeys need a host name, not an address: the demo is reached as localhost.
            let web = inzage_web::WebConfig {
                dev_mode: true,
                secure_cookies: false,
                demo_accounts: accounts,
                public_origin: Some(
                    config
                        .public_origin
                        .clone()
                        .unwrap_or_else(|| format!("http://localhost:{port}")),
                ),
                ..config.web()?
            };
            // Without a configured MedMij client list, the demo lets a PGO on this machine
            // (client id `localhost`) go through the consent flow.
            let web = inzage_web::WebConfig {
                medmij: web.medmij.clone().or_else(|| {
                    Some(inzage_medmij::authorize::MedmijConfig {
                        provider_name: provider.clone(),
                        clients: vec![inzage_medmij::authorize::OAuthClient {
                            hostname: "localhost".into(),
                            organisation: "Demo-PGO op deze computer".into(),
                        }],
                        services: vec![],
                    })
                }),
                ..web
            };
            // The link in a notice points at this demo.
            let web = inzage_web::WebConfig {
                mail: inzage_webkit::config::MailConfig {
                    portal_url: format!(
                        "{}/",
                        web.public_origin
                            .as_deref()
                            .unwrap_or("http://localhost:8080")
                            .trim_end_matches('/')
                    ),
                    ..web.mail.clone()
                },
                ..web
            };
            let checkpoints = checkpoints(&config, &config.demo_database_url);
            // The demo's PGO fetches from the demo practice on this machine, through MedMij.
            let origin = web
                .public_origin
                .clone()
                .unwrap_or_else(|| format!("http://localhost:{port}"));
            let pgo = match config.pgo()? {
                Some(p) => p,
                None => {
                    let mut providers = vec![(provider.clone(), origin.clone())];
                    providers.extend(others);
                    inzage::demo::pgo_lists(&config.demo_database_url, &origin, &providers)?
                }
            };
            if let Some(listen) = &config.metrics_listen {
                serve::spawn_metrics(store.clone(), listen).await?;
            }
            serve::serve(
                store,
                &config.listen,
                web,
                mail_interval(&config),
                checkpoints,
                serve::Serving::Practice(Some(pgo)),
            )
            .await?;
        }
        Command::Import { path } => {
            let store = open_keyed_store(&config, &config.database_url).await?;
            let summary = inzage::import::import_path(&store, &path, Utc::now()).await?;
            println!("{summary}");
            if summary.errors() > 0 {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Generate {
            patients,
            seed,
            output,
            at,
        } => match output {
            Some(path) => {
                let generator = Generator::new(seed, at.unwrap_or_else(Utc::now));
                let mut out: Box<dyn Write> = if path.as_os_str() == "-" {
                    Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
                } else {
                    Box::new(std::io::BufWriter::new(std::fs::File::create(&path)?))
                };
                let bar = progress(patients, "generating");
                for i in 0..patients {
                    serde_json::to_writer(&mut out, &generator.patient(i))?;
                    out.write_all(b"\n")?;
                    bar.inc(1);
                }
                out.flush()?;
                bar.finish();
            }
            None => {
                let store = open_keyed_store(&config, &config.database_url).await?;
                generate_into(&store, patients, seed, at.unwrap_or_else(Utc::now)).await?;
                println!("{patients} synthetic patients stored");
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

/// How often the notification sender looks for due e-mails.
fn mail_interval(config: &Config) -> std::time::Duration {
    std::time::Duration::from_secs(config.mail.interval_seconds.unwrap_or(15).max(1))
}
