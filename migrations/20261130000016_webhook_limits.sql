-- Webhook leftovers of issue 12: a failure period that must be continuous, limits on manual
-- sends, retention of finished deliveries, and per-endpoint fairness when claiming. Numbers
-- live in backend/src/domain/webhook.rs.

-- The endpoint's last failed attempt: a failure long after it starts a new failure period.
alter table webhook_endpoint add column last_failed_at timestamptz;
update webhook_endpoint e set last_failed_at = (
    select max(a.attempted_at) from webhook_attempt a join webhook_delivery d using (webhook_delivery_id)
    where d.webhook_endpoint_id = e.webhook_endpoint_id
      and (a.response_status is null or a.response_status not between 200 and 299))
where failing_since is not null;

-- Test sends and redeliveries an admin asked for, counted over a sliding window per endpoint.
create table webhook_manual_send (
    webhook_manual_send_id bigint generated always as identity primary key,
    webhook_endpoint_id uuid not null references webhook_endpoint (webhook_endpoint_id) on delete cascade,
    kind text not null check (kind in ('TEST', 'REDELIVERY')),
    sent_at timestamptz not null
);
create index webhook_manual_send_recent on webhook_manual_send (webhook_endpoint_id, kind, sent_at desc);
create index webhook_manual_send_by_time on webhook_manual_send (sent_at);

-- Claiming per endpoint: its due pending deliveries, oldest due first.
create index webhook_delivery_due_by_endpoint on webhook_delivery (webhook_endpoint_id, next_attempt_at)
    where status = 'PENDING';
-- An endpoint's deliveries in flight (leased); a lease is cleared when its attempt is recorded.
create index webhook_delivery_leased on webhook_delivery (webhook_endpoint_id, locked_until)
    where status = 'PENDING' and locked_until is not null;
-- Retention: finished deliveries by age.
create index webhook_delivery_finished on webhook_delivery (created_at) where status <> 'PENDING';
