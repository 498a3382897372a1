//! Password verification on a fixed set of threads, each reusing its own Argon2 memory.
//!
//! Argon2 costs 19 MiB per verification on purpose. Run on tokio's blocking pool (up to 512
//! threads) a burst of wrong passwords made the process grow by gigabytes, and the allocator
//! kept it. Here at most `threads` verifications run at once, their memory is allocated once
//! and reused, and a bounded queue refuses what does not fit, so memory stays flat whatever
//! arrives.

use argon2::password_hash::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

struct Job {
    password: String,
    hash: String,
    reply: tokio::sync::oneshot::Sender<bool>,
}

/// The queue is full: too many sign-ins at once.
#[derive(Debug)]
pub struct Busy;

#[derive(Clone)]
pub struct PasswordVerifier {
    jobs: SyncSender<Job>,
}

impl PasswordVerifier {
    /// `threads` verify at once; up to `queue` more wait their turn.
    pub fn new(threads: usize, queue: usize) -> PasswordVerifier {
        let (jobs, rx) = sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || work(&rx));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password verification thread");
            }
        }
        PasswordVerifier { jobs }
    }

    /// Whether `password` matches the PHC string `hash`; `Busy` when the queue is full.
    pub async fn verify(&self, password: &str, hash: &str) -> Result<bool, Busy> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job { password: password.to_owned(), hash: hash.to_owned(), reply };
        match self.jobs.try_send(job) {
            Ok(()) => answer.await.map_err(|_| Busy),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Busy),
        }
    }
}

fn work(rx: &Mutex<Receiver<Job>>) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let ok = verify_with(&mut memory, &job.password, &job.hash);
        let _ = job.reply.send(ok);
    }
}

/// Verifies in `memory`, growing it only when a hash asks for more than it has.
fn verify_with(memory: &mut Vec<Block>, password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let (Ok(params), Some(expected), Some(salt)) = (Params::try_from(&parsed), parsed.hash, parsed.salt)
    else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else { return false };
    let version = parsed.version.map(Version::try_from).transpose().ok().flatten().unwrap_or_default();
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    if argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..]).is_err() {
        return false;
    }
    // `Output` compares in constant time.
    Output::new(&out).is_ok_and(|o| o == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::credentials::hash_password;

    #[tokio::test]
    async fn verifies_what_argon2_hashed_and_nothing_else() {
        let v = PasswordVerifier::new(1, 4);
        let h = hash_password("correct horse battery").unwrap();
        assert!(v.verify("correct horse battery", &h).await.unwrap());
        assert!(!v.verify("correct horse batterY", &h).await.unwrap());
        assert!(!v.verify("x", "not a hash").await.unwrap());
    }

    #[tokio::test]
    async fn a_full_queue_is_refused_at_once() {
        let v = PasswordVerifier::new(1, 1);
        let h = hash_password("correct horse battery").unwrap();
        let attempts: Vec<_> = (0..8).map(|_| v.verify("wrong", &h)).collect();
        let results = futures_join_all(attempts).await;
        assert!(results.iter().any(|r| r.is_err()), "some attempts are refused");
        assert!(results.iter().any(|r| r.is_ok()), "some are verified");
    }

    async fn futures_join_all<F: std::future::Future>(fs: Vec<F>) -> Vec<F::Output> {
        let mut out = Vec::new();
        let handles: Vec<_> = fs.into_iter().map(Box::pin).collect();
        // try_send happens on first poll; poll them all before awaiting any.
        let mut pinned = handles;
        let waker = futures_noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        let mut done: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
        for (i, f) in pinned.iter_mut().enumerate() {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                done[i] = Some(v);
            }
        }
        for (i, f) in pinned.into_iter().enumerate() {
            out.push(match done[i].take() {
                Some(v) => v,
                None => f.await,
            });
        }
        out
    }

    fn futures_noop_waker() -> std::task::Waker {
        std::task::Waker::noop().clone()
    }
}
