//! The `multichannel` binary: serve, migrate, print the schema, bootstrap an operator admin.

use clap::{Parser, Subcommand};
use multichannel::{AppState, Application, ServeConfig, db, graphql, workflows};

/// mimalloc returns freed memory to the OS: with glibc's per-thread arenas the server kept
/// what a burst of parallel requests had used.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "multichannel",
    version,
    about = "Multi-channel and multi-partner management for a cloud partner center"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the GraphQL API, GraphiQL and the web app.
    Serve(ServeConfig),
    /// Apply the database migrations and exit.
    Migrate {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create the first operator admin of a real deployment (and the operator organization).
    CreateOperatorAdmin {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Operator admin")]
        display_name: String,
        /// The operator organization's name, when it does not exist yet.
        #[arg(long, default_value = "21Vianet")]
        operator_name: String,
        /// The password; read from MULTICHANNEL_ADMIN_PASSWORD so it stays out of shell history.
        #[arg(long, env = "MULTICHANNEL_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Logs on stderr (as the README says); stdout carries command output such as the SDL.
    let format = match &cli.command {
        Command::Serve(config) => config.log_format,
        _ => multichannel::telemetry::LogFormat::Text,
    };
    multichannel::telemetry::init_logging(format);
    match cli.command {
        Command::Serve(config) => {
            let app = Application::build(&config).await?;
            if let Some(metrics) = app.metrics_addr() {
                tracing::info!(address = %metrics, "serving metrics at /metrics");
            }
            tracing::info!(address = %app.local_addr(), "serving");
            app.run_until_stopped().await
        }
        Command::Migrate { database_url } => {
            let pool = db::connect(&database_url, 2, std::time::Duration::ZERO).await?;
            db::migrate(&pool).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::CreateOperatorAdmin { database_url, email, display_name, operator_name, password },
        } => {
            let pool = db::connect(&database_url, 2, std::time::Duration::ZERO).await?;
            db::migrate(&pool).await?;
            let state = AppState::new(pool);
            workflows::bootstrap::create_operator_admin(
                &state,
                &operator_name,
                &email,
                &display_name,
                &password,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.describe()))?;
            tracing::info!(%email, "operator admin created");
            Ok(())
        }
    }
}
