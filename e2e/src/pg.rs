//! A private PostgreSQL cluster that a test may stop and start again (as `xtask/src/pg.rs` starts
//! one): initdb + pg_ctl in a fresh folder under target/, on 127.0.0.1 and a free port. As root,
//! the tools run as the `postgres` user (initdb refuses root). Stopped and removed on drop.

use anyhow::{Context, Result, bail};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct PrivatePg {
    dir: PathBuf,
    port: u16,
    /// More `-c name=value` settings for the server.
    settings: String,
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// A PostgreSQL tool, run as `postgres` when we are root.
fn pg_command(tool: &str) -> Command {
    let path = format!("{BIN}/{tool}");
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", &path]);
        c
    } else {
        Command::new(path)
    }
}

/// Runs a tool without blocking the runtime: the load a test keeps up meanwhile must go on.
async fn run(command: Command, what: &str) -> Result<Output> {
    let out = tokio::process::Command::from(command)
        .kill_on_drop(true)
        .output()
        .await
        .with_context(|| format!("running {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out)
}

/// The folder for clusters: the workspace's target/ (or CARGO_TARGET_DIR).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("target"))
}

/// The `postgres` user must be able to walk down to its data folder.
fn let_others_traverse(dir: &Path) -> Result<()> {
    for p in dir.ancestors().skip(1) {
        let mut perms = std::fs::metadata(p)?.permissions();
        if perms.mode() & 0o001 == 0 {
            perms.set_mode(perms.mode() | 0o001);
            std::fs::set_permissions(p, perms).with_context(|| format!("chmod o+x {}", p.display()))?;
        }
    }
    Ok(())
}

impl PrivatePg {
    /// A new cluster, running.
    pub async fn start() -> Result<PrivatePg> {
        Self::start_with("-c fsync=off").await
    }

    /// A new cluster, running with these extra server options (`-c name=value …`).
    pub async fn start_with(settings: &str) -> Result<PrivatePg> {
        let dir = target_dir().join(format!("e2e-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        // From here on, drop removes the folder whatever fails.
        let pg = PrivatePg { dir, port: crate::free_port()?, settings: settings.to_owned() };
        pg.init().await?;
        pg.restart().await?;
        Ok(pg)
    }

    async fn init(&self) -> Result<()> {
        if is_root() {
            let mut chown = Command::new("chown");
            chown.args(["postgres:postgres"]).arg(&self.dir);
            run(chown, "chown").await?;
            let_others_traverse(&self.dir)?;
        }
        std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o700))?;
        let mut initdb = pg_command("initdb");
        initdb.arg("-D").arg(&self.dir).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        run(initdb, "initdb").await.map(drop)
    }

    /// Starts the stopped cluster again, on the same port (the server's URL stays valid), and
    /// waits until it accepts connections.
    pub async fn restart(&self) -> Result<()> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} {}",
            self.port,
            self.dir.display(),
            self.settings
        );
        let mut start = pg_command("pg_ctl");
        start
            .arg("-D")
            .arg(&self.dir)
            .arg("-l")
            .arg(self.log())
            .args(["-o", &options, "-w", "-t", "30", "start"]);
        if let Err(e) = run(start, "pg_ctl start").await {
            let log = std::fs::read_to_string(self.log()).unwrap_or_default();
            bail!("{e:#}\n{log}");
        }
        Ok(())
    }

    /// Stops the cluster as an operator would for maintenance: `-m fast` ends the sessions.
    pub async fn stop(&self) -> Result<()> {
        let mut stop = pg_command("pg_ctl");
        stop.arg("-D").arg(&self.dir).args(["-m", "fast", "-w", "-t", "30", "stop"]);
        run(stop, "pg_ctl stop").await.map(drop)
    }

    /// The postmaster's process id (first line of postmaster.pid).
    pub fn postmaster_pid(&self) -> Option<u32> {
        let text = std::fs::read_to_string(self.dir.join("postmaster.pid")).ok()?;
        text.lines().next()?.trim().parse().ok()
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// The server's log (stderr of the postmaster).
    pub fn log(&self) -> PathBuf {
        self.dir.join("pg.log")
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        // Immediate: nothing in a test cluster is worth a clean shutdown. A cluster already
        // stopped makes pg_ctl fail, which is fine.
        let _ = pg_command("pg_ctl")
            .arg("-D")
            .arg(&self.dir)
            .args(["-m", "immediate", "-w", "-t", "30", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
