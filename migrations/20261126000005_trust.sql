-- Trust fixes: checks that contradicted transitions, renewals, partnership link expiry, one
-- exclusive holder per *partner*, API tokens that always expire, and sign-in throttling.

-- A delegated admin request whose 90-day approval window passes becomes EXPIRED without ever
-- being activated; the old check demanded activated_at/ends_at of every EXPIRED row, so the job
-- that wrote the transition rolled back for good. Only ACTIVE needs them; an ended relationship
-- has both or neither.
alter table delegated_admin_relationship drop constraint delegated_admin_relationship_check;
alter table delegated_admin_relationship add constraint delegated_admin_active_has_times
    check (status <> 'ACTIVE' or (activated_at is not null and ends_at is not null));
alter table delegated_admin_relationship add constraint delegated_admin_times_together
    check ((activated_at is null) = (ends_at is null));

-- "One holder of PROVISIONING/GLOBAL_ADMIN per customer and service" is about partners: the same
-- partner may hold it through an older and a newer relationship at once (renewing its rights).
-- An exclusion constraint says exactly that, also under concurrency.
create extension if not exists btree_gist;
alter table delegated_admin_service add column partner_id uuid references partner (partner_id);
update delegated_admin_service ds set partner_id = d.partner_id
    from delegated_admin_relationship d where d.relationship_id = ds.relationship_id;
alter table delegated_admin_service alter column partner_id set not null;
drop index delegated_admin_exclusive_holder;
alter table delegated_admin_service add constraint delegated_admin_exclusive_holder
    exclude using gist (customer_id with =, service_id with =, partner_id with <>) where (holds_exclusive_role);

-- Partnership links: withdrawing a pending one (REMOVED without a reseller) broke the old check;
-- links now expire like invitations.
alter table reseller_partnership drop constraint reseller_partnership_check;
alter table reseller_partnership drop constraint reseller_partnership_status_check;
alter table reseller_partnership add constraint reseller_partnership_status_check
    check (status in ('PENDING', 'ACTIVE', 'REMOVED', 'EXPIRED'));
alter table reseller_partnership add constraint reseller_partnership_reseller_when_accepted
    check ((status = 'ACTIVE') <= (reseller_id is not null) and (status = 'PENDING') <= (reseller_id is null));
alter table reseller_partnership add column expires_at timestamptz;
update reseller_partnership set expires_at = created_at + interval '30 days';
alter table reseller_partnership alter column expires_at set not null;
alter table reseller_partnership add constraint reseller_partnership_expiry check (expires_at > created_at);

-- A reseller may work with one customer through two providers: one row per provider.
alter table reseller_relationship drop constraint reseller_relationship_customer_id_partner_id_kind_key;
alter table reseller_relationship add constraint reseller_relationship_unique
    unique nulls not distinct (customer_id, partner_id, kind, indirect_provider_id);

-- Renewal: a term without auto-renew ends as EXPIRED (read-only, deleted 60 days later).
alter table subscription drop constraint subscription_status_check;
alter table subscription add constraint subscription_status_check
    check (status in ('PENDING', 'ACTIVE', 'SUSPENDED', 'EXPIRED', 'DELETED'));
-- When a term that did not renew began its 60 days before deletion, if not at its commitment
-- end: terms that had already ended when this migration ran get their 60 days from now (they
-- never had an EXPIRED period), and so does a subscription reactivated after its term ended.
alter table subscription add column lapsed_on date;
update subscription set lapsed_on = current_date
    where status in ('ACTIVE', 'SUSPENDED') and not auto_renew and commitment_end <= current_date;

-- The status and term of a subscription at `at`, before the job writes them down (the time
-- travel test compares what reads show before the job with what it writes, every day of two
-- simulated years).
create function subscription_term_months(term_duration text) returns int language sql immutable as $$
    select case term_duration when 'P1M' then 1 when 'P1Y' then 12 when 'P3Y' then 36 end
$$;

-- The commitment end in force at `at`: an ACTIVE auto-renewing subscription starts its next
-- term of the same length at each end.
create function subscription_commitment_end_at(
    status text, auto_renew boolean, term_duration text, commitment_end date, at timestamptz)
returns date language plpgsql immutable as $$
declare
    today date := (at at time zone 'UTC')::date;
    months int := subscription_term_months(term_duration);
    e date := commitment_end;
begin
    if status = 'ACTIVE' and auto_renew then
        while e <= today loop
            e := (e + make_interval(months => months))::date;
        end loop;
    end if;
    return e;
end $$;

-- The start of the term in force at `at`: the end of the term before it (never end minus a
-- length, which month ends would shift).
create function subscription_effective_start_at(
    status text, auto_renew boolean, term_duration text, effective_start date, commitment_end date,
    at timestamptz)
returns date language plpgsql immutable as $$
declare
    today date := (at at time zone 'UTC')::date;
    months int := subscription_term_months(term_duration);
    s date := effective_start;
    e date := commitment_end;
begin
    if status = 'ACTIVE' and auto_renew then
        while e <= today loop
            s := e;
            e := (e + make_interval(months => months))::date;
        end loop;
    end if;
    return s;
end $$;

-- Suspended: deleted 60 days after suspension. Active without auto-renew: EXPIRED at the
-- commitment end, deleted 60 days after it (or after `lapsed_on`).
create function subscription_status_at(
    status text, suspended_at timestamptz, auto_renew boolean, commitment_end date, lapsed_on date,
    at timestamptz)
returns text language sql immutable as $$
    select case
        when status = 'SUSPENDED' and suspended_at + interval '60 days' <= at then 'DELETED'
        when status in ('ACTIVE', 'EXPIRED') and not auto_renew
             and coalesce(lapsed_on, commitment_end) + 60 <= (at at time zone 'UTC')::date then 'DELETED'
        when status = 'ACTIVE' and not auto_renew and commitment_end <= (at at time zone 'UTC')::date
             then 'EXPIRED'
        else status end
$$;

-- API tokens always expire (sessions already did).
-- Tokens that never expired get a year from their creation, and at least 30 days from now, so
-- integrations are not cut off the moment this runs.
update auth_token set expires_at = greatest(created_at + interval '1 year', now() + interval '30 days')
    where expires_at is null;
alter table auth_token alter column expires_at set not null;

-- Failed sign-ins, per email and per client address, for throttling. Kept in the database so
-- every server instance sees the same counts.
create table sign_in_failure (
    sign_in_failure_id bigint generated always as identity primary key,
    email text not null,
    client text not null,
    failed_at timestamptz not null
);
create index sign_in_failure_email on sign_in_failure (email, failed_at);
create index sign_in_failure_client on sign_in_failure (client, failed_at);

-- An email is unique within its organization, not across the platform: creating a user or a
-- customer tells the caller nothing about other tenants' people (account enumeration). Sign-in
-- tries the accounts of an address in order of creation.
drop index app_user_email;
create unique index app_user_email on app_user (organization_id, lower(email));
create index app_user_email_lookup on app_user (lower(email), created_at);
