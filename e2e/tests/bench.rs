//! The benchmark harness still works end to end at a tiny scale: data generated, every shape
//! sent to our server, to PostGraphile and (reads) replayed by pgbench, every response checked,
//! and the peer giving the same answers. No timing is asserted: figures belong to
//! `cargo xtask bench`, not to pass/fail tests.

use std::process::Command;

#[test]
fn the_bench_runs_every_shape_at_tiny_scale() {
    let out = Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["--scale", "tiny"])
        // Its own cluster, with pg_stat_statements and a log to capture statements from.
        .env_remove("DATABASE_URL")
        .output()
        .expect("running the bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the bench failed:\n{stdout}\n{stderr}");
    for shape in [
        "trivial",
        "book",
        "book_deep",
        "operator_book",
        "channel_map",
        "subscriptions",
        "accept_invitation",
        "create_subscription",
    ] {
        let row = |target: &str| stdout.lines().any(|l| l.starts_with(&format!("| {shape} | {target} |")));
        assert!(row("Multichannel"), "no run of {shape} against Multichannel:\n{stdout}");
        if !shape.contains('_') || ["book_deep", "operator_book", "channel_map"].contains(&shape) {
            assert!(row("PostGraphile"), "no run of {shape} against PostGraphile:\n{stdout}");
            assert!(row("pgbench"), "no pgbench replay of {shape}:\n{stdout}");
        }
    }
    // Every read shape with a peer equivalent gave the same answer (the bench fails otherwise).
    assert!(!stdout.contains("**no**"), "{stdout}");
    // The feed's figures: every event reached its subscribers and the webhook receiver.
    let line = |prefix: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} line:\n{stdout}"))
    };
    assert!(line("- Live:").ends_with(" 0 lost."), "{stdout}");
    assert!(line("- Webhooks:").contains(", 0 lost."), "{stdout}");
    assert!(line("- Outbox cost:").contains("with ÷ without"), "{stdout}");
}
