-- Provider–reseller partnerships, invitations, reseller relationships and delegated admin.

create table reseller_partnership (
    partnership_id uuid primary key default gen_random_uuid(),
    provider_id uuid not null references partner (partner_id),
    reseller_id uuid references partner (partner_id),
    -- The link the provider sends; the reseller that accepts is filled in then.
    code text not null unique,
    status text not null check (status in ('PENDING', 'ACTIVE', 'REMOVED')),
    created_at timestamptz not null default now(),
    accepted_at timestamptz,
    removed_at timestamptz,
    removed_by_organization_id uuid references organization (organization_id),
    check ((status = 'PENDING') = (reseller_id is null)),
    check (provider_id <> reseller_id)
);
create unique index reseller_partnership_active_pair on reseller_partnership (provider_id, reseller_id)
    where status = 'ACTIVE';
create index reseller_partnership_reseller on reseller_partnership (reseller_id);

create table invitation (
    invitation_id uuid primary key default gen_random_uuid(),
    code text not null unique,
    partner_id uuid not null references partner (partner_id),
    created_by_user_id uuid not null references app_user (user_id),
    audience text not null check (audience in ('ANY_CUSTOMER', 'CUSTOMER')),
    customer_id uuid references customer (customer_id),
    indirect_reseller_id uuid references partner (partner_id),
    message text not null default '' check (char_length(message) <= 2000),
    delegated_roles text[] not null default '{}'
        check (delegated_roles <@ array['GLOBAL_ADMIN', 'PROVISIONING', 'SUPPORT']),
    delegated_service_ids uuid[] not null default '{}',
    delegated_duration text,
    delegated_auto_extend text check (delegated_auto_extend in ('P0D', 'P180D')),
    status text not null check (status in ('PENDING', 'ACCEPTED', 'DECLINED', 'REVOKED', 'EXPIRED')),
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    accepted_at timestamptz,
    declined_at timestamptz,
    revoked_at timestamptz,
    updated_at timestamptz not null default now(),
    check ((audience = 'CUSTOMER') = (customer_id is not null)),
    check (expires_at > created_at and expires_at <= created_at + interval '90 days'),
    check ((cardinality(delegated_roles) = 0) = (delegated_duration is null)),
    check (status <> 'ACCEPTED' or audience = 'CUSTOMER')
);
create index invitation_partner on invitation (partner_id, created_at);
create index invitation_reseller on invitation (indirect_reseller_id) where indirect_reseller_id is not null;
create index invitation_customer on invitation (customer_id) where customer_id is not null;
create trigger invitation_updated_at before update on invitation
    for each row execute function set_updated_at();

-- Every acceptance, including each one of an any-customer link.
create table invitation_acceptance (
    invitation_id uuid not null references invitation (invitation_id),
    customer_id uuid not null references customer (customer_id),
    accepted_by_user_id uuid not null references app_user (user_id),
    accepted_at timestamptz not null default now(),
    primary key (invitation_id, customer_id)
);
create index invitation_acceptance_customer on invitation_acceptance (customer_id);

create table reseller_relationship (
    relationship_id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references customer (customer_id),
    partner_id uuid not null references partner (partner_id),
    kind text not null check (kind in ('DIRECT', 'INDIRECT_PROVIDER', 'INDIRECT_RESELLER')),
    -- For INDIRECT_RESELLER: the provider that transacts for it (one link ties the customer to both).
    indirect_provider_id uuid references partner (partner_id),
    status text not null check (status in ('ACTIVE', 'REMOVED')),
    origin text not null check (origin in ('INVITATION', 'TENANT_CREATED', 'IMPORTED')),
    invitation_id uuid references invitation (invitation_id),
    created_at timestamptz not null default now(),
    removed_at timestamptz,
    updated_at timestamptz not null default now(),
    -- One row per customer, partner and kind: acceptance creates or reactivates it, so two
    -- concurrent accepts meet on this key and end with one relationship.
    unique (customer_id, partner_id, kind),
    check ((kind = 'INDIRECT_RESELLER') = (indirect_provider_id is not null)),
    check ((status = 'REMOVED') = (removed_at is not null))
);
create index reseller_relationship_partner on reseller_relationship (partner_id, status);
create trigger reseller_relationship_updated_at before update on reseller_relationship
    for each row execute function set_updated_at();

create table delegated_admin_relationship (
    relationship_id uuid primary key default gen_random_uuid(),
    display_name text not null check (char_length(display_name) between 1 and 50),
    partner_id uuid not null references partner (partner_id),
    customer_id uuid not null references customer (customer_id),
    roles text[] not null check (cardinality(roles) > 0
        and roles <@ array['GLOBAL_ADMIN', 'PROVISIONING', 'SUPPORT']),
    duration text not null,
    duration_days integer not null check (duration_days between 1 and 730),
    auto_extend text not null check (auto_extend in ('P0D', 'P180D')),
    status text not null check (status in ('CREATED', 'APPROVAL_PENDING', 'CONSENT_PENDING',
        'ACTIVE', 'EXPIRED', 'TERMINATED', 'REJECTED')),
    origin text not null check (origin in ('INVITATION', 'PARTNER_REQUEST', 'CUSTOMER_GRANT')),
    invitation_id uuid references invitation (invitation_id),
    -- A customer's grant that, on the partner's consent, replaces the current holder.
    replace_existing boolean not null default false,
    created_at timestamptz not null default now(),
    approval_requested_at timestamptz,
    activated_at timestamptz,
    ends_at timestamptz,
    terminated_at timestamptz,
    terminated_by_organization_id uuid references organization (organization_id),
    -- The last expiry notice sent (30, 7 or 1 days before the end), so each goes out once.
    last_expiry_notice_days integer,
    updated_at timestamptz not null default now(),
    constraint delegated_admin_display_name_unique unique (partner_id, display_name),
    constraint delegated_admin_no_auto_extend_with_global_admin
        check (not (auto_extend = 'P180D' and 'GLOBAL_ADMIN' = any (roles))),
    check ((status in ('ACTIVE', 'EXPIRED')) <= (activated_at is not null and ends_at is not null))
);
create index delegated_admin_customer on delegated_admin_relationship (customer_id, status);
create index delegated_admin_partner on delegated_admin_relationship (partner_id, status);
create index delegated_admin_ends on delegated_admin_relationship (ends_at) where status = 'ACTIVE';
create trigger delegated_admin_relationship_updated_at before update on delegated_admin_relationship
    for each row execute function set_updated_at();

-- The services a relationship covers. `holds_exclusive_role` is true while the relationship is
-- ACTIVE with PROVISIONING or GLOBAL_ADMIN; the partial unique index makes "one such holder per
-- customer and service" a fact the database keeps, so two concurrent grants cannot both win.
create table delegated_admin_service (
    relationship_id uuid not null references delegated_admin_relationship (relationship_id) on delete cascade,
    service_id uuid not null references service (service_id),
    customer_id uuid not null references customer (customer_id),
    holds_exclusive_role boolean not null default false,
    primary key (relationship_id, service_id)
);
create unique index delegated_admin_exclusive_holder on delegated_admin_service (customer_id, service_id)
    where holds_exclusive_role;
create index delegated_admin_service_customer on delegated_admin_service (customer_id, service_id);

-- Time-dependent state is computed against the caller's clock, so every read is correct before
-- the background job writes the transition down (and tests can move time).

-- An ACTIVE relationship is in force until its end; with auto-extend it keeps renewing.
create function delegated_admin_in_force(status text, ends_at timestamptz, auto_extend text, at timestamptz)
returns boolean language sql immutable as $$
    select status = 'ACTIVE' and (ends_at > at or auto_extend = 'P180D')
$$;

-- Whether a partner holds, at `at`, one of `wanted` roles for a customer's service.
create function partner_holds_delegated_role(
    p_customer uuid, p_service uuid, p_partner uuid, wanted text[], at timestamptz)
returns boolean language sql stable as $$
    select exists (
        select 1
        from delegated_admin_service ds
        join delegated_admin_relationship d using (relationship_id)
        where ds.customer_id = p_customer and ds.service_id = p_service and d.partner_id = p_partner
          and d.roles && wanted
          and delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, at)
    )
$$;

-- A suspended subscription's data is deleted 60 days after suspension.
create function subscription_effective_status(status text, suspended_at timestamptz, at timestamptz)
returns text language sql immutable as $$
    select case when status = 'SUSPENDED' and suspended_at + interval '60 days' <= at
                then 'DELETED' else status end
$$;
