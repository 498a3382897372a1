//! A private PostgreSQL cluster in a folder of the project: initdb + pg_ctl on 127.0.0.1 and a
//! free port. As root, the server runs as the `postgres` user (initdb refuses root).

use crate::{sh, step};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = "/usr/lib/postgresql/15/bin";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Data that must survive (cargo xtask run).
    Durable,
    /// Test data: skip fsync and friends, much faster.
    Throwaway,
}

pub struct Cluster {
    dir: PathBuf,
    port: u16,
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
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

fn ensure_server_installed() -> Result<()> {
    if Path::new(BIN).join("pg_ctl").exists() {
        return Ok(());
    }
    step("installing PostgreSQL 15 (apt)");
    crate::tools::apt_install(&["postgresql-15"])?;
    if !Path::new(BIN).join("pg_ctl").exists() {
        bail!("PostgreSQL 15 server binaries are missing from {BIN}");
    }
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Cluster {
    /// Starts the cluster in `dir` (creating it on first use); reuses one already running there.
    pub fn start(dir: &Path, durability: Durability) -> Result<Cluster> {
        ensure_server_installed()?;
        let root = is_root();
        if !dir.join("PG_VERSION").exists() {
            std::fs::create_dir_all(dir)?;
            if root {
                sh(Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir))?;
            }
            sh(Command::new("chmod").arg("700").arg(dir))?;
            // The postgres user must be able to reach the folder.
            if root {
                let mut parent = dir.parent();
                while let Some(p) = parent {
                    let _ = Command::new("chmod").arg("o+x").arg(p).status();
                    parent = p.parent();
                }
            }
            let mut init = pg_command("initdb");
            init.arg("-D").arg(dir).args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"]);
            if durability == Durability::Throwaway {
                init.arg("--no-sync");
            }
            let out = init.output().context("running initdb")?;
            if !out.status.success() {
                bail!("initdb failed: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
        if let Some(port) = running_port(dir) {
            return Ok(Cluster { dir: dir.to_path_buf(), port });
        }
        let port = free_port()?;
        let mut options =
            format!("-p {port} -c listen_addresses=127.0.0.1 -k {} -c max_connections=300", dir.display());
        if durability == Durability::Throwaway {
            options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        let log = dir.join("postgresql.log");
        let out = pg_command("pg_ctl")
            .arg("-D")
            .arg(dir)
            .arg("-l")
            .arg(&log)
            .args(["-o", &options, "-w", "-t", "60", "start"])
            .output()
            .context("running pg_ctl start")?;
        if !out.status.success() {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            bail!("pg_ctl start failed: {}\n{tail}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(Cluster { dir: dir.to_path_buf(), port })
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    pub fn ensure_database(&self, name: &str) -> Result<()> {
        let out = Command::new(format!("{BIN}/psql"))
            .args(["-qAt", "-d", &self.url("postgres"), "-c"])
            .arg(format!("select 1 from pg_database where datname = '{name}'"))
            .output()
            .context("running psql")?;
        if String::from_utf8_lossy(&out.stdout).trim() == "1" {
            return Ok(());
        }
        sh(Command::new(format!("{BIN}/psql"))
            .args(["-q", "-d", &self.url("postgres"), "-c"])
            .arg(format!("create database {name}")))
    }

    pub fn stop(&self) -> Result<()> {
        let out =
            pg_command("pg_ctl").arg("-D").arg(&self.dir).args(["-m", "fast", "-w", "stop"]).output()?;
        if !out.status.success() {
            bail!("pg_ctl stop failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    pub fn remove(&self) -> Result<()> {
        std::fs::remove_dir_all(&self.dir).with_context(|| format!("removing {}", self.dir.display()))
    }
}

/// The port of a server already running on `dir`, from its postmaster.pid.
fn running_port(dir: &Path) -> Option<u16> {
    let status = pg_command("pg_ctl").arg("-D").arg(dir).arg("status").output().ok()?;
    if !status.status.success() {
        return None;
    }
    let pid_file = std::fs::read_to_string(dir.join("postmaster.pid")).ok()?;
    pid_file.lines().nth(3)?.trim().parse().ok()
}

/// "email  roles  organization" for every demo user.
pub fn demo_sign_ins(database_url: &str) -> Result<Vec<String>> {
    let out = Command::new(format!("{BIN}/psql"))
        .args(["-qAt", "-F", "\t", "-d", database_url, "-c"])
        .arg(
            "select u.email, string_agg(r.role, ',' order by r.role), o.name \
             from app_user u join organization o using (organization_id) join user_role r using (user_id) \
             where u.email like '%.demo' group by u.email, o.name, o.kind \
             order by case o.kind when 'OPERATOR' then 0 when 'PARTNER' then 1 else 2 end, o.name, u.email",
        )
        .output()?;
    if !out.status.success() {
        bail!("{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            format!(
                "{:<28} {:<16} {}",
                cols.first().unwrap_or(&""),
                cols.get(1).unwrap_or(&""),
                cols.get(2).unwrap_or(&"")
            )
        })
        .collect())
}
