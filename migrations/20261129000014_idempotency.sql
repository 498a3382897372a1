-- Idempotency-Key (Stripe's rules): the first response to a mutation request, kept for 24 hours
-- per principal (the signed-in user or token's user), so a retried request is answered again
-- instead of run twice. The row is inserted before the mutation runs: the unique key decides
-- which of two concurrent requests executes; the other finds it in flight.
create table idempotency_key (
    principal_id uuid not null,
    idempotency_key text not null check (length(idempotency_key) between 1 and 255),
    -- SHA-256 of the request (query, operation name, variables): the same key with another
    -- request is refused.
    request_hash bytea not null,
    -- Null while the first request runs.
    response_status smallint,
    response_body bytea,
    created_at timestamptz not null,
    primary key (principal_id, idempotency_key)
);

-- The sweep deletes keys older than a day.
create index idempotency_key_created_at on idempotency_key (created_at);
