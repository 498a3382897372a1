-- Lists sorted by other columns than the name: a partner's subscriptions by quantity or by
-- when they were ordered, walked in index order for each way it sees them (as the name order
-- is, migration 6), so a page costs the same at a million subscriptions.
create index subscription_of_record_quantity
    on subscription (partner_of_record_id, quantity, subscription_id)
    where partner_of_record_id is not null;
create index subscription_reseller_quantity
    on subscription (indirect_reseller_id, quantity, subscription_id)
    where indirect_reseller_id is not null;
create index subscription_of_record_created
    on subscription (partner_of_record_id, created_at, subscription_id)
    where partner_of_record_id is not null;
create index subscription_reseller_created
    on subscription (indirect_reseller_id, created_at, subscription_id)
    where indirect_reseller_id is not null;
-- The partnerships list, a provider's rows newest first.
create index reseller_partnership_provider_created on reseller_partnership (provider_id, created_at);
