-- PostGraphile 5 peer of `cargo xtask bench`: roles, grants, row-level security and the few SQL
-- functions PostGraphile exposes as computed columns. Run as a superuser on the bench database,
-- after Multichannel's migrations; safe to run again (every statement is idempotent).
--
-- Our own server connects as the superuser / table owner: row-level security is enabled here but
-- NOT forced, so it does not apply to the owner and our server's plans are unchanged.
--
-- Roles, the PostGraphile way:
--   bench_peer          LOGIN, NOINHERIT: the "authenticator" PostGraphile connects as. It owns
--                       nothing and, by itself, may read nothing.
--   bench_peer_visitor  NOLOGIN: what every signed request runs as (`set role` from the JWT's
--                       `role` claim, through pgSettings). It has the grants and the policies.
-- Tenancy comes from `jwt.claims.org_id` (the viewer's organization) and `jwt.claims.org_kind`
-- (OPERATOR | PARTNER | CUSTOMER), which the server copies from the verified JWT into pgSettings.
--
-- Indexes: none are added. Every relation and ordering the bench queries use is covered by an index
-- our migrations already create (organization_name, subscription_order, subscription_customer,
-- the reseller_relationship unique key and partner indexes, delegated_admin_customer,
-- delegated_admin_partner, the partial indexes on subscription.partner_of_record_id and
-- indirect_reseller_id, the primary keys). The unindexed filter columns (subscription.purchase_channel,
-- subscription.status, organization.kind) are made filterable (postgraphile.tags.json5)
-- with a smart tag instead of an index, exactly like our server filters them without one.

do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'bench_peer') then
        create role bench_peer login noinherit password 'bench_peer';
    else
        alter role bench_peer login noinherit password 'bench_peer';
    end if;
    if not exists (select 1 from pg_roles where rolname = 'bench_peer_visitor') then
        create role bench_peer_visitor nologin;
    end if;
end $$;

grant bench_peer_visitor to bench_peer;
grant usage on schema public to bench_peer, bench_peer_visitor;

-- Only the domain tables the bench reads. Nothing else is granted, so PostGraphile (which respects
-- grants) does not expose app_user (password hashes), user_role, auth_token (token hashes),
-- sign_in_failure, invitations, support or audit; postgraphile.tags.json5 omits them as well.
grant select on organization, partner, customer, service, offer, subscription,
    reseller_relationship, delegated_admin_relationship, delegated_admin_service
    to bench_peer_visitor;

-- Helpers live outside the exposed schema (PostGraphile only introspects `public`).
create schema if not exists bench_peer_private;
revoke all on schema bench_peer_private from public;
grant usage on schema bench_peer_private to bench_peer_visitor;

create or replace function bench_peer_private.viewer_org_id() returns uuid
language sql stable as $$
    select nullif(current_setting('jwt.claims.org_id', true), '')::uuid
$$;

create or replace function bench_peer_private.viewer_org_kind() returns text
language sql stable as $$
    select nullif(current_setting('jwt.claims.org_kind', true), '')
$$;

-- The customers a partner sees (backend/src/db/visibility.rs, push_customer_visible): an ACTIVE
-- reseller relationship; delegated admin in force, or APPROVAL_PENDING/CONSENT_PENDING within 90
-- days of coalesce(approval_requested_at, created_at); or a legacy ADVISOR sale it is partner of
-- record of. SECURITY DEFINER: it reads the base tables without recursing into their policies.
create or replace function bench_peer_private.visible_customer_ids() returns setof uuid
language sql stable security definer set search_path = public, pg_temp as $$
    with viewer(id) as (
        select bench_peer_private.viewer_org_id()
        where bench_peer_private.viewer_org_kind() = 'PARTNER'
    )
    select rr.customer_id
    from reseller_relationship rr, viewer
    where rr.partner_id = viewer.id and rr.status = 'ACTIVE'
    union
    select d.customer_id
    from delegated_admin_relationship d, viewer
    where d.partner_id = viewer.id
      and ((d.status in ('APPROVAL_PENDING', 'CONSENT_PENDING')
            and coalesce(d.approval_requested_at, d.created_at) + make_interval(days => 90) > now())
           or delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, now()))
    union
    select s.customer_id
    from subscription s, viewer
    where s.purchase_channel = 'ADVISOR' and s.partner_of_record_id = viewer.id
$$;

-- The subscriptions a partner sees (push_subscription_visible): partner of record with an ACTIVE
-- reseller relationship with the customer (or on an ADVISOR sale); indirect reseller through its
-- INDIRECT_RESELLER relationship tied to this subscription's provider; or a GLOBAL_ADMIN,
-- PROVISIONING or SUPPORT delegated role in force for the customer and the service.
create or replace function bench_peer_private.visible_subscription_ids() returns setof uuid
language sql stable security definer set search_path = public, pg_temp as $$
    with viewer(id) as (
        select bench_peer_private.viewer_org_id()
        where bench_peer_private.viewer_org_kind() = 'PARTNER'
    )
    select s.subscription_id
    from subscription s, viewer
    where s.partner_of_record_id = viewer.id
      and (s.purchase_channel = 'ADVISOR' or exists (
            select 1 from reseller_relationship vr
            where vr.customer_id = s.customer_id and vr.status = 'ACTIVE' and vr.partner_id = viewer.id))
    union
    select s.subscription_id
    from subscription s, viewer
    where s.indirect_reseller_id = viewer.id
      and exists (
            select 1 from reseller_relationship vr
            where vr.customer_id = s.customer_id and vr.status = 'ACTIVE'
              and vr.kind = 'INDIRECT_RESELLER' and vr.indirect_provider_id = s.partner_of_record_id
              and vr.partner_id = viewer.id)
    union
    select s.subscription_id
    from delegated_admin_relationship d
    join delegated_admin_service ds on ds.relationship_id = d.relationship_id
    join subscription s on s.customer_id = ds.customer_id and s.service_id = ds.service_id
    cross join viewer
    where d.partner_id = viewer.id
      and d.roles && array['GLOBAL_ADMIN', 'PROVISIONING', 'SUPPORT']
      and delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, now())
$$;

revoke all on all functions in schema bench_peer_private from public;
grant execute on all functions in schema bench_peer_private to bench_peer_visitor;

-- Row-level security (enabled, not forced: the table owner, i.e. our server, is not affected).
alter table organization enable row level security;
alter table customer enable row level security;
alter table partner enable row level security;
alter table subscription enable row level security;
alter table reseller_relationship enable row level security;
alter table delegated_admin_relationship enable row level security;
alter table delegated_admin_service enable row level security;
-- service and offer (the catalogue) are public to every signed-in viewer: no RLS.

-- The `(select f())` wrappers make each helper an InitPlan evaluated once per statement; the
-- set-returning helpers become one hashed subplan per statement.
drop policy if exists bench_peer_select on organization;
create policy bench_peer_select on organization for select to bench_peer_visitor using (
    kind <> 'CUSTOMER'  -- the operator and the partner directory are public
    or (select bench_peer_private.viewer_org_kind()) = 'OPERATOR'
    or organization_id = (select bench_peer_private.viewer_org_id())
    or organization_id in (select bench_peer_private.visible_customer_ids())
);

drop policy if exists bench_peer_select on customer;
create policy bench_peer_select on customer for select to bench_peer_visitor using (
    (select bench_peer_private.viewer_org_kind()) = 'OPERATOR'
    or customer_id = (select bench_peer_private.viewer_org_id())
    or customer_id in (select bench_peer_private.visible_customer_ids())
);

drop policy if exists bench_peer_select on partner;
create policy bench_peer_select on partner for select to bench_peer_visitor using (true);

drop policy if exists bench_peer_select on subscription;
create policy bench_peer_select on subscription for select to bench_peer_visitor using (
    (select bench_peer_private.viewer_org_kind()) = 'OPERATOR'
    or (customer_id = (select bench_peer_private.viewer_org_id())
        and (select bench_peer_private.viewer_org_kind()) = 'CUSTOMER')
    or subscription_id in (select bench_peer_private.visible_subscription_ids())
);

-- A reseller relationship: the operator and its two parties.
drop policy if exists bench_peer_select on reseller_relationship;
create policy bench_peer_select on reseller_relationship for select to bench_peer_visitor using (
    (select bench_peer_private.viewer_org_kind()) = 'OPERATOR'
    or partner_id = (select bench_peer_private.viewer_org_id())
    or customer_id = (select bench_peer_private.viewer_org_id())
);

-- Delegated admin: the operator; the partner (its drafts included); the customer once asked.
drop policy if exists bench_peer_select on delegated_admin_relationship;
create policy bench_peer_select on delegated_admin_relationship for select to bench_peer_visitor using (
    (select bench_peer_private.viewer_org_kind()) = 'OPERATOR'
    or partner_id = (select bench_peer_private.viewer_org_id())
    or (customer_id = (select bench_peer_private.viewer_org_id()) and status <> 'CREATED')
);

drop policy if exists bench_peer_select on delegated_admin_service;
create policy bench_peer_select on delegated_admin_service for select to bench_peer_visitor using (
    (select bench_peer_private.viewer_org_kind()) = 'OPERATOR'
    or partner_id = (select bench_peer_private.viewer_org_id())
    or relationship_id in (
        select d.relationship_id from delegated_admin_relationship d
        where d.customer_id = (select bench_peer_private.viewer_org_id()) and d.status <> 'CREATED')
);

-- Computed columns (PostGraphile exposes `<table>_<name>(row)` functions in `public` as fields of
-- that table's type). SECURITY INVOKER: the policies above apply inside them too.

-- Customer.viewerRelationshipKinds: the viewer's ACTIVE reseller relationship kinds.
create or replace function customer_viewer_relationship_kinds(c customer) returns text[]
language sql stable as $$
    select coalesce(array_agg(rr.kind order by rr.created_at, rr.relationship_id), '{}')
    from reseller_relationship rr
    where rr.customer_id = c.customer_id and rr.status = 'ACTIVE'
      and rr.partner_id = bench_peer_private.viewer_org_id()
$$;

-- Customer.viewerDelegatedAdminRelationships: the viewer's delegated admin relationships in force.
create or replace function customer_viewer_delegated_admin_relationships(c customer)
returns setof delegated_admin_relationship
language sql stable as $$
    select d.* from delegated_admin_relationship d
    where d.customer_id = c.customer_id and d.partner_id = bench_peer_private.viewer_org_id()
      and delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, now())
    order by d.created_at, d.relationship_id
$$;

-- The channel map's delegated admin list: in force, or asked for and within the approval window.
create or replace function customer_live_delegated_admin_relationships(c customer)
returns setof delegated_admin_relationship
language sql stable as $$
    select d.* from delegated_admin_relationship d
    where d.customer_id = c.customer_id
      and (delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, now())
           or (d.status in ('APPROVAL_PENDING', 'CONSENT_PENDING')
               and coalesce(d.approval_requested_at, d.created_at) + make_interval(days => 90) > now()))
    order by d.created_at, d.relationship_id
$$;

-- Customer.subscriptionCounts: visible subscriptions per purchase channel (non-zero only).
do $$
begin
    if not exists (select 1 from pg_type t join pg_namespace n on n.oid = t.typnamespace
                   where n.nspname = 'public' and t.typname = 'customer_subscription_count') then
        create type customer_subscription_count as (channel text, count integer);
    end if;
end $$;

create or replace function customer_subscription_counts(c customer)
returns setof customer_subscription_count
language sql stable as $$
    select s.purchase_channel, count(*)::integer
    from subscription s
    where s.customer_id = c.customer_id
    group by s.purchase_channel
    order by array_position(array['ONLINE_DIRECT', 'ADVISOR', 'CSP_DIRECT', 'CSP_INDIRECT'], s.purchase_channel)
$$;

-- Delegated admin status and end as of now (before the background job writes them down).
create or replace function delegated_admin_relationship_current_status(d delegated_admin_relationship)
returns text language sql stable as $$
    select case
        when d.status = 'ACTIVE' and d.ends_at <= now() and d.auto_extend <> 'P180D' then 'EXPIRED'
        when d.status in ('APPROVAL_PENDING', 'CONSENT_PENDING')
             and coalesce(d.approval_requested_at, d.created_at) + make_interval(days => 90) <= now()
             then 'EXPIRED'
        else d.status end
$$;

create or replace function delegated_admin_relationship_current_ends_at(d delegated_admin_relationship)
returns timestamptz language sql stable as $$
    select case
        when d.status = 'ACTIVE' and d.auto_extend = 'P180D' and d.ends_at <= now()
            then d.ends_at + make_interval(days =>
                180 * (floor(extract(epoch from now() - d.ends_at) / (180 * 86400))::int + 1))
        else d.ends_at end
$$;

create or replace function delegated_admin_relationship_expires_soon(d delegated_admin_relationship)
returns boolean language sql stable as $$
    select delegated_admin_relationship_current_status(d) = 'ACTIVE'
       and delegated_admin_relationship_current_ends_at(d) - now() <= interval '30 days'
$$;

revoke all on function customer_viewer_relationship_kinds(customer) from public;
revoke all on function customer_viewer_delegated_admin_relationships(customer) from public;
revoke all on function customer_live_delegated_admin_relationships(customer) from public;
revoke all on function customer_subscription_counts(customer) from public;
revoke all on function delegated_admin_relationship_current_status(delegated_admin_relationship) from public;
revoke all on function delegated_admin_relationship_current_ends_at(delegated_admin_relationship) from public;
revoke all on function delegated_admin_relationship_expires_soon(delegated_admin_relationship) from public;
grant execute on function customer_viewer_relationship_kinds(customer) to bench_peer_visitor;
grant execute on function customer_viewer_delegated_admin_relationships(customer) to bench_peer_visitor;
grant execute on function customer_live_delegated_admin_relationships(customer) to bench_peer_visitor;
grant execute on function customer_subscription_counts(customer) to bench_peer_visitor;
grant execute on function delegated_admin_relationship_current_status(delegated_admin_relationship) to bench_peer_visitor;
grant execute on function delegated_admin_relationship_current_ends_at(delegated_admin_relationship) to bench_peer_visitor;
grant execute on function delegated_admin_relationship_expires_soon(delegated_admin_relationship) to bench_peer_visitor;
