-- The change feed. The audit log is the outbox: an event is the audit row its change appends,
-- in the change's transaction. Rows whose action is in the feed carry its `event_type`.
--
-- Readers resume from a cursor (xid, audit_event_id). An identity column alone would skip rows:
-- transactions commit out of order, so a lower id can become visible after a higher one was
-- read. Each row keeps the id of its transaction (xid8), and readers read only rows below
-- pg_snapshot_xmin(pg_current_snapshot()): every transaction below it has ended, so nothing
-- can still appear behind the cursor.
alter table audit_event add column xid xid8 not null default pg_current_xact_id();
alter table audit_event add column event_type text;
alter table audit_event add constraint audit_event_event_type check (event_type ~ '^[a-z_]+\.[a-z_]+$');
create index audit_event_feed on audit_event (xid, audit_event_id) where event_type is not null;

-- One notification per transaction, not per row: identical notifications of one transaction
-- are folded by PostgreSQL, and the payload (the transaction's xid) is the same for each row.
drop trigger audit_event_notify on audit_event;
drop function audit_event_notify();
create function feed_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('feed', pg_current_xact_id()::text);
    return null;
end $$;
create trigger feed_notify after insert on audit_event
    for each row when (new.event_type is not null) execute function feed_notify();

-- What a user has seen of the feed (the notifications menu counts the rest), as an event id.
-- A table of its own: an update of app_user tells every instance that sign-ins changed.
create table feed_seen (
    user_id uuid primary key references app_user (user_id) on delete cascade,
    seen_through bigint not null check (seen_through >= 0)
);
