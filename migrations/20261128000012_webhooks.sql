-- Webhooks: an organization's endpoints, the deliveries of feed events to them, each attempt,
-- and where the dispatcher stands in the feed. Numbers (retries, leases, limits) live in
-- backend/src/domain/webhook.rs; the database only keeps the states closed.
create table webhook_endpoint (
    webhook_endpoint_id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organization (organization_id) on delete cascade,
    url text not null check (char_length(url) between 1 and 2000),
    description text check (char_length(description) <= 500),
    -- Event type codes delivered; empty means every type.
    event_types text[] not null default '{}',
    secret text not null,
    -- The secret before the last rotation keeps signing until previous_secret_until.
    previous_secret text,
    previous_secret_until timestamptz,
    enabled boolean not null default true,
    disabled_at timestamptz,
    disabled_reason text,
    -- The first failure since the last success (5 days of failures disable the endpoint).
    failing_since timestamptz,
    created_at timestamptz not null,
    secret_rotated_at timestamptz,
    -- The transaction that created the endpoint: only events of later transactions are
    -- delivered to it (no history).
    created_xid bigint not null default pg_current_xact_id()::text::bigint,
    constraint webhook_endpoint_disabled_has_time check (enabled or disabled_at is not null),
    constraint webhook_endpoint_previous_secret_until check ((previous_secret is null) = (previous_secret_until is null))
);
create index webhook_endpoint_by_organization on webhook_endpoint (organization_id, created_at, webhook_endpoint_id);

create table webhook_delivery (
    webhook_delivery_id uuid primary key default gen_random_uuid(),
    webhook_endpoint_id uuid not null references webhook_endpoint (webhook_endpoint_id) on delete cascade,
    -- The feed event delivered; null for a test delivery.
    audit_event_id bigint,
    -- The `webhook-id` header: the same for every attempt, so receivers can drop duplicates.
    message_id text not null,
    event_type text not null,
    payload jsonb not null,
    status text not null default 'PENDING' check (status in ('PENDING', 'SUCCEEDED', 'FAILED')),
    attempt_count integer not null default 0 check (attempt_count >= 0),
    next_attempt_at timestamptz,
    -- A worker that claimed the delivery holds it until then (a crashed worker's lease lapses).
    locked_until timestamptz,
    last_response_status integer,
    last_latency_ms integer,
    created_at timestamptz not null,
    delivered_at timestamptz,
    constraint webhook_delivery_once unique (webhook_endpoint_id, message_id),
    constraint webhook_delivery_pending_is_due check (status <> 'PENDING' or next_attempt_at is not null)
);
-- Claiming: the due pending deliveries, oldest due first.
create index webhook_delivery_due on webhook_delivery (next_attempt_at) where status = 'PENDING';
-- An endpoint's deliveries, newest first.
create index webhook_delivery_by_endpoint on webhook_delivery (webhook_endpoint_id, created_at desc, webhook_delivery_id desc);

create table webhook_attempt (
    webhook_attempt_id bigint generated always as identity primary key,
    webhook_delivery_id uuid not null references webhook_delivery (webhook_delivery_id) on delete cascade,
    attempted_at timestamptz not null,
    response_status integer,
    latency_ms integer not null check (latency_ms >= 0),
    error text
);
create index webhook_attempt_by_delivery on webhook_attempt (webhook_delivery_id, webhook_attempt_id);

-- Where the dispatcher stands in the feed: one row, locked by the one instance dispatching.
-- It starts at the feed's head, so history is never delivered.
create table webhook_dispatch (
    singleton boolean primary key default true check (singleton),
    xid bigint not null,
    id bigint not null
);
insert into webhook_dispatch (xid, id)
select coalesce(max(xid::text::bigint), 0), coalesce(max(audit_event_id), 0) from audit_event where event_type is not null;
