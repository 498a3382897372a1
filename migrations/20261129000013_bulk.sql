-- Bulk operations: one mutation for many customers. The operation keeps what was asked (kind,
-- terms) and who asked; each customer is an item the worker claims with SKIP LOCKED and finishes
-- in its own transaction, together with the work and its audit events. The operation's status
-- follows from its items (backend/src/domain/bulk.rs); nothing here is kept in memory.
create table bulk_operation (
    bulk_operation_id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organization (organization_id),
    created_by uuid not null references app_user (user_id),
    kind text not null check (kind in ('DELEGATED_ADMIN_REQUEST', 'INVITATION',
        'TERMINATE_DELEGATED_ADMIN', 'SET_AUTO_EXTEND')),
    -- The kind's terms as given (validated once at start, applied per item).
    terms jsonb not null,
    idempotency_key text not null check (char_length(idempotency_key) between 1 and 200),
    -- A digest of the whole input: the same key with another input is refused.
    input_hash bytea not null,
    created_at timestamptz not null,
    cancelled_at timestamptz,
    constraint bulk_operation_idempotency unique (organization_id, idempotency_key)
);
create index bulk_operation_by_organization on bulk_operation (organization_id, created_at desc, bulk_operation_id desc);

create table bulk_item (
    bulk_operation_id uuid not null references bulk_operation (bulk_operation_id) on delete cascade,
    -- Position in the operation: items are done in this order and listed by it.
    seq integer not null check (seq >= 0),
    customer_id uuid not null references customer (customer_id),
    status text not null default 'PENDING' check (status in ('PENDING', 'SUCCEEDED', 'FAILED', 'SKIPPED')),
    -- Attempts started by `retryFailedItems` (1 for the first).
    attempt integer not null default 1 check (attempt >= 1),
    code text,
    reason text,
    -- What the item created or changed (a delegated admin relationship or an invitation).
    result_type text,
    result_id uuid,
    finished_at timestamptz,
    primary key (bulk_operation_id, seq),
    constraint bulk_item_customer_once unique (bulk_operation_id, customer_id),
    constraint bulk_item_failure_has_code check ((status = 'FAILED') = (code is not null)),
    constraint bulk_item_finished check ((status = 'PENDING') = (finished_at is null))
);
-- Claiming: the pending items, oldest operation first.
create index bulk_item_pending on bulk_item (bulk_operation_id, seq) where status = 'PENDING';
