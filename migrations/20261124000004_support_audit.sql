-- Support requests and the append-only audit log (also the change feed's outbox).

create table support_request (
    support_request_id uuid primary key default gen_random_uuid(),
    subscription_id uuid not null references subscription (subscription_id),
    customer_id uuid not null references customer (customer_id),
    opened_by_user_id uuid not null references app_user (user_id),
    opened_by_organization_id uuid not null references organization (organization_id),
    -- The partner working it; null means the operator.
    support_partner_id uuid references partner (partner_id),
    title text not null check (char_length(title) between 1 and 200),
    description text not null default '' check (char_length(description) <= 10000),
    status text not null check (status in ('OPEN', 'IN_PROGRESS', 'ESCALATED', 'RESOLVED')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    escalated_at timestamptz,
    resolved_at timestamptz
);
create index support_request_customer on support_request (customer_id, created_at);
create index support_request_partner on support_request (support_partner_id, created_at);
create trigger support_request_updated_at before update on support_request
    for each row execute function set_updated_at();

create table support_request_comment (
    comment_id uuid primary key default gen_random_uuid(),
    support_request_id uuid not null references support_request (support_request_id),
    author_user_id uuid not null references app_user (user_id),
    body text not null check (char_length(body) between 1 and 10000),
    created_at timestamptz not null default now()
);
create index support_request_comment_request on support_request_comment (support_request_id, created_at);

create table audit_event (
    audit_event_id bigint generated always as identity primary key,
    occurred_at timestamptz not null default now(),
    actor_user_id uuid references app_user (user_id),
    actor_organization_id uuid references organization (organization_id),
    action text not null check (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
    subject_type text not null,
    subject_id uuid not null,
    customer_id uuid references customer (customer_id),
    partner_id uuid references partner (partner_id),
    -- Further partners the event concerns (a named reseller, a replaced holder).
    other_partner_ids uuid[] not null default '{}',
    details jsonb not null default '{}'
);
create index audit_event_customer on audit_event (customer_id, audit_event_id);
create index audit_event_partner on audit_event (partner_id, audit_event_id);
create index audit_event_actor_org on audit_event (actor_organization_id, audit_event_id);
create index audit_event_other_partners on audit_event using gin (other_partner_ids);

create function audit_event_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_event is append-only' using errcode = 'insufficient_privilege';
end $$;
create trigger audit_event_no_update before update or delete on audit_event
    for each row execute function audit_event_is_append_only();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_event_is_append_only();

-- The change feed: each committed audit event wakes listeners (GraphQL subscriptions, webhook
-- workers) on every server instance; they read the events from this table, so none is lost.
create function audit_event_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('audit_event', new.audit_event_id::text);
    return null;
end $$;
create trigger audit_event_notify after insert on audit_event
    for each row execute function audit_event_notify();
