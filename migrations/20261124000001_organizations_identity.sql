-- Organizations, users, roles and tokens.
-- Enumerations are text with check constraints: they map to Rust enums without custom sqlx types
-- and stay readable in psql, pgbench scripts and PostGraphile.

create function set_updated_at() returns trigger language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end $$;

create table organization (
    organization_id uuid primary key default gen_random_uuid(),
    kind text not null check (kind in ('OPERATOR', 'PARTNER', 'CUSTOMER')),
    name text not null check (char_length(name) between 1 and 200),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
-- Exactly one operator: at most one here, the bootstrap creates it.
create unique index organization_single_operator on organization (kind) where kind = 'OPERATOR';
create index organization_name on organization (name, organization_id);
create trigger organization_updated_at before update on organization
    for each row execute function set_updated_at();

create table partner (
    partner_id uuid primary key references organization (organization_id) on delete cascade,
    mpn_id text not null unique check (mpn_id ~ '^[0-9]{6,10}$'),
    program text not null check (program in
        ('CSP_DIRECT', 'CSP_INDIRECT_PROVIDER', 'CSP_INDIRECT_RESELLER', 'ADVISOR')),
    -- Advisor history survives joining CSP: the membership ended, the fact stays.
    former_advisor boolean not null default false,
    joined_csp_at timestamptz,
    check (program <> 'ADVISOR' or (not former_advisor and joined_csp_at is null)),
    check (not former_advisor or joined_csp_at is not null)
);

create table customer (
    customer_id uuid primary key references organization (organization_id) on delete cascade,
    primary_domain text not null check (primary_domain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'),
    country text not null check (country ~ '^[A-Z]{2}$'),
    tenant_id uuid not null unique default gen_random_uuid()
);
create unique index customer_primary_domain on customer (lower(primary_domain));

create table app_user (
    user_id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organization (organization_id) on delete cascade,
    email text not null check (email ~ '^[^@\s]+@[^@\s]+$'),
    display_name text not null check (char_length(display_name) between 1 and 200),
    password_hash text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index app_user_email on app_user (lower(email));
create index app_user_organization on app_user (organization_id);
create trigger app_user_updated_at before update on app_user
    for each row execute function set_updated_at();

create table user_role (
    user_id uuid not null references app_user (user_id) on delete cascade,
    role text not null check (role in ('OPERATOR_ADMIN', 'ADMIN_AGENT', 'SALES_AGENT',
        'HELPDESK_AGENT', 'GLOBAL_ADMIN', 'BILLING_ADMIN', 'USER')),
    primary key (user_id, role)
);

-- Roles belong to the kind of organization the user is in; the database holds that too.
create function user_role_matches_organization() returns trigger language plpgsql as $$
declare
    org_kind text;
begin
    select o.kind into org_kind
    from app_user u join organization o using (organization_id)
    where u.user_id = new.user_id;
    if not (
        (org_kind = 'OPERATOR' and new.role = 'OPERATOR_ADMIN')
        or (org_kind = 'PARTNER' and new.role in ('ADMIN_AGENT', 'SALES_AGENT', 'HELPDESK_AGENT'))
        or (org_kind = 'CUSTOMER' and new.role in ('GLOBAL_ADMIN', 'BILLING_ADMIN', 'USER'))
    ) then
        raise exception 'role % does not belong to a % organization', new.role, org_kind
            using errcode = 'check_violation', constraint = 'user_role_matches_organization';
    end if;
    return new;
end $$;
create trigger user_role_matches_organization before insert or update on user_role
    for each row execute function user_role_matches_organization();

-- Session tokens (from signIn) and API tokens (for third parties). Only a SHA-256 of the secret is
-- stored: the secrets are 256 random bits, so a slow hash adds nothing but latency per request.
create table auth_token (
    token_id uuid primary key default gen_random_uuid(),
    user_id uuid not null references app_user (user_id) on delete cascade,
    kind text not null check (kind in ('SESSION', 'API')),
    name text check (name is null or char_length(name) between 1 and 100),
    secret_hash bytea not null unique,
    read_only boolean not null default false,
    created_at timestamptz not null default now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz,
    check (kind = 'API' or (name is null and expires_at is not null and not read_only)),
    check (kind = 'SESSION' or name is not null)
);
create index auth_token_user on auth_token (user_id, kind, created_at);
