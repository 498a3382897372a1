-- The catalogue and multi-channel subscriptions.

create table service (
    service_id uuid primary key default gen_random_uuid(),
    name text not null unique check (char_length(name) between 1 and 100)
);

create table offer (
    offer_id uuid primary key default gen_random_uuid(),
    service_id uuid not null references service (service_id),
    name text not null check (char_length(name) between 1 and 100),
    billing text not null check (billing in ('LICENSE', 'USAGE')),
    unique (service_id, name),
    -- Target of subscription's composite key, so a subscription's service always is its offer's.
    unique (offer_id, service_id)
);

create table subscription (
    subscription_id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references customer (customer_id),
    offer_id uuid not null,
    service_id uuid not null,
    friendly_name text not null check (char_length(friendly_name) between 1 and 100),
    quantity integer not null check (quantity between 1 and 1000000),
    assigned_seats integer not null default 0 check (assigned_seats >= 0),
    status text not null check (status in ('PENDING', 'ACTIVE', 'SUSPENDED', 'DELETED')),
    billing_cycle text not null check (billing_cycle in ('MONTHLY', 'ANNUAL', 'NONE')),
    term_duration text not null check (term_duration in ('P1M', 'P1Y', 'P3Y')),
    effective_start date not null,
    commitment_end date not null,
    auto_renew boolean not null default true,
    suspended_at timestamptz,
    deleted_at timestamptz,
    purchase_channel text not null check (purchase_channel in
        ('ONLINE_DIRECT', 'ADVISOR', 'CSP_DIRECT', 'CSP_INDIRECT')),
    -- The transacting partner; none when bought online direct from the operator.
    partner_of_record_id uuid references partner (partner_id),
    indirect_reseller_id uuid references partner (partner_id),
    -- Overrides of the provisioning and support stages; null means the channel's default
    -- (partner of record, or the operator). Sales and renewal always follow the channel.
    provisioning_partner_id uuid references partner (partner_id),
    support_partner_id uuid references partner (partner_id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    foreign key (offer_id, service_id) references offer (offer_id, service_id),
    constraint subscription_partner_of_record_matches_channel
        check ((purchase_channel = 'ONLINE_DIRECT') = (partner_of_record_id is null)),
    constraint subscription_indirect_reseller_matches_channel
        check ((purchase_channel = 'CSP_INDIRECT') = (indirect_reseller_id is not null)),
    constraint subscription_assigned_within_quantity check (assigned_seats <= quantity),
    constraint subscription_suspended_has_date check ((status = 'SUSPENDED') = (suspended_at is not null)),
    check (commitment_end > effective_start)
);
create index subscription_customer on subscription (customer_id, friendly_name, subscription_id);
create index subscription_partner_of_record on subscription (partner_of_record_id) where partner_of_record_id is not null;
create index subscription_indirect_reseller on subscription (indirect_reseller_id) where indirect_reseller_id is not null;
create index subscription_provisioning_partner on subscription (provisioning_partner_id) where provisioning_partner_id is not null;
create index subscription_support_partner on subscription (support_partner_id) where support_partner_id is not null;
create index subscription_order on subscription (friendly_name, subscription_id);
create index subscription_suspended on subscription (suspended_at) where status = 'SUSPENDED';
create trigger subscription_updated_at before update on subscription
    for each row execute function set_updated_at();
