//! `inzage`: one binary with subcommands. See `inzage --help`.

mod config;
mod serve;

use clap::{Parser, Subcommand};
use config::Config;
use inzage_store::{RecordStore, Store};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Create (or reuse) a SQLite demo database with synthetic patients and serve it.
    Demo {
        /// Number of synthetic patients in a new demo database.
        #[arg(long, default_value_t = 300)]
        patients: u32,
    },
    /// Apply the database migrations and exit.
    Migrate,
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
    config::init_logging(&config);
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
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("inzage: {e}");
            ExitCode::FAILURE
        }
    }
}

type AnyError = Box<dyn std::error::Error + Send + Sync>;

async fn open_store(url: &str) -> Result<Store, AnyError> {
    if let Some(path) = url.strip_prefix("sqlite://")
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let store = Store::connect(url).await?;
    store.migrate().await?;
    Ok(store)
}

async fn run(command: Command, config: Config) -> Result<(), AnyError> {
    match command {
        Command::Migrate => {
            let store = open_store(&config.database_url).await?;
            println!("migrations applied ({})", store.backend_name());
            Ok(())
        }
        Command::Serve => {
            let store = open_store(&config.database_url).await?;
            serve::serve(store, &config.listen).await
        }
        Command::Demo { patients: _ } => {
            let store = open_store(&config.demo_database_url).await?;
            let counts = store.counts().await?;
            println!("demo database: {} patients", counts.patients);
            println!("open http://{}", config.listen);
            serve::serve(store, &config.listen).await
        }
    }
}
