-- Scale: reads that cost the same at a million subscriptions as at a thousand, and a signal
-- that lets every server instance drop cached sign-ins the moment they change.

-- The status at `at` was declared IMMUTABLE, but `timestamptz + interval` depends on the
-- session's time zone, so it is only STABLE. A function whose body is less stable than its
-- declaration is never inlined: PostgreSQL called it once per row (2.2 s over a partner's
-- 17,000 subscriptions where the inlined expression took 150 ms). Declared honestly, it is
-- inlined into the query and may run in parallel workers.
create or replace function subscription_status_at(
    status text, suspended_at timestamptz, auto_renew boolean, commitment_end date, lapsed_on date,
    at timestamptz)
returns text language sql stable parallel safe as $$
    select case
        when status = 'SUSPENDED' and suspended_at + interval '60 days' <= at then 'DELETED'
        when status in ('ACTIVE', 'EXPIRED') and not auto_renew
             and coalesce(lapsed_on, commitment_end) + 60 <= (at at time zone 'UTC')::date then 'DELETED'
        when status = 'ACTIVE' and not auto_renew and commitment_end <= (at at time zone 'UTC')::date
             then 'EXPIRED'
        else status end
$$;
-- Whether a subscription reads as `wanted` at `at`: the rule of subscription_status_at, written
-- as a predicate PostgreSQL can estimate. It guesses 0.5% for any `case … = 'ACTIVE'`, and so
-- sorted a provider's 41,000 active subscriptions instead of walking 51 of them in index order.
-- `wanted` is a bound constant, so only its branch is planned. A test compares the two for
-- every status over years of days (backend/tests/api/scale.rs).
create function subscription_reads_as(
    wanted text, status text, suspended_at timestamptz, auto_renew boolean, commitment_end date,
    lapsed_on date, at timestamptz)
returns boolean language sql stable parallel safe as $$
    select case wanted
        when 'PENDING' then status = 'PENDING'
        when 'ACTIVE' then status = 'ACTIVE' and (auto_renew
            or (commitment_end > (at at time zone 'UTC')::date
                and coalesce(lapsed_on, commitment_end) + 60 > (at at time zone 'UTC')::date))
        when 'SUSPENDED' then status = 'SUSPENDED' and suspended_at + interval '60 days' > at
        else subscription_status_at(status, suspended_at, auto_renew, commitment_end, lapsed_on, at) = wanted
    end
$$;
alter function subscription_term_months(text) parallel safe;
alter function subscription_commitment_end_at(text, boolean, text, date, timestamptz) stable parallel safe;
alter function subscription_effective_start_at(text, boolean, text, date, date, timestamptz) stable parallel safe;
alter function delegated_admin_in_force(text, timestamptz, text, timestamptz) parallel safe;
alter function partner_holds_delegated_role(uuid, uuid, uuid, text[], timestamptz) parallel safe;
-- Superseded by subscription_status_at (migration 5) and no longer called.
drop function subscription_effective_status(text, timestamptz, timestamptz);

-- A partner's part in a subscription, in page order: the book and the subscription list walk
-- these instead of sorting everything the partner can see.
create index subscription_of_record_order
    on subscription (partner_of_record_id, friendly_name, subscription_id)
    where partner_of_record_id is not null;
create index subscription_reseller_order
    on subscription (indirect_reseller_id, friendly_name, subscription_id)
    where indirect_reseller_id is not null;
drop index subscription_partner_of_record;
drop index subscription_indirect_reseller;
-- Legacy Advisor sales make a customer visible to its Advisor: few rows, found directly.
create index subscription_advisor_sale on subscription (partner_of_record_id, customer_id)
    where purchase_channel = 'ADVISOR';
-- A partner's active relationships, with the customer (and provider) in the index, so
-- visibility is answered from the index alone.
create index reseller_relationship_partner_active
    on reseller_relationship (partner_id, customer_id, kind, indirect_provider_id)
    where status = 'ACTIVE';

-- A partner's delegated services, found from the partner (its rows reveal subscriptions).
create index delegated_admin_service_partner
    on delegated_admin_service (partner_id, customer_id, service_id, relationship_id);

-- Cached sign-ins (see backend/src/auth_cache.rs) are dropped on every instance when what
-- they stand for changes: a token revoked or deleted, a user's roles or organization, a
-- partner's program. The notification is sent at commit, and only then.
create function auth_changed_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('auth_changed', '');
    return null;
end $$;
create trigger auth_token_changed after update of revoked_at, expires_at or delete on auth_token
    for each statement execute function auth_changed_notify();
create trigger app_user_changed after update or delete on app_user
    for each statement execute function auth_changed_notify();
create trigger user_role_changed after insert or update or delete on user_role
    for each statement execute function auth_changed_notify();
create trigger organization_changed after update of kind or delete on organization
    for each statement execute function auth_changed_notify();
create trigger partner_changed after update of program or delete on partner
    for each statement execute function auth_changed_notify();
