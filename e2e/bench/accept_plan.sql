-- The plan for the invitation-acceptance benchmark: N fresh PENDING invitations, each from a
-- CSP direct partner (created by its ADMIN_AGENT) to one named customer, that its GLOBAL_ADMIN
-- can accept.
--
--   psql -v ON_ERROR_STOP=1 -v n=10000 [-v customers=64] -f e2e/bench/accept_plan.sql <database>
--
-- Run after generate.sql. Rebuilds table bench_accept_plan(seq, customer_user_id, code).
-- Guarantees: every (partner, customer) pair occurs once in the plan and has no reseller
-- relationship of kind DIRECT (in any state) yet, so each acceptance creates one; the
-- invitations expire in 30 days; codes are url-safe base64 of 122 random bits, like the
-- server's. The plan uses min(customers, N) customers (default 64; the harness makes one API
-- token per customer user), round-robin, so concurrent workers spread over customers; when
-- those run out of free partners it takes up to 200 more. Asking for more than
-- that fails with the number that is possible.

\set ON_ERROR_STOP 1
\if :{?n}
\else
  \echo 'usage: psql -v n=N -f accept_plan.sql DB'
  \quit
\endif

set synchronous_commit = off;
set jit = off;
set client_min_messages = warning;

begin;

drop table if exists bench_accept_plan;
create table bench_accept_plan (seq int primary key, customer_user_id uuid not null, code text not null unique);

\if :{?customers}
\else
  \set customers 64
\endif
create temp table plan_param as select :n::int as n, least(:customers::int, :n::int) as m;

-- Inviting partners: CSP direct with an ADMIN_AGENT.
create temp table plan_partner as
select p.partner_id, a.user_id as admin
from partner p
cross join lateral (select u.user_id from app_user u join user_role r using (user_id)
                    where u.organization_id = p.partner_id and r.role = 'ADMIN_AGENT'
                    order by u.created_at, u.user_id limit 1) a
where p.program = 'CSP_DIRECT';

-- Customers with a GLOBAL_ADMIN, those with the fewest DIRECT relationships first (so every
-- direct partner is free to invite them), then in a stable pseudo-random order. The first m are
-- the plan's; a few more stand by for when earlier runs (the accept shape accepts as many as its
-- time allows) have used up the first ones' free partners.
create temp table plan_customer as
select (row_number() over (order by direct_rels, hashtext(c.customer_id::text), c.customer_id) - 1)::int as ck,
       c.customer_id, ga.user_id
from customer c
cross join lateral (select u.user_id from app_user u join user_role r using (user_id)
                    where u.organization_id = c.customer_id and r.role = 'GLOBAL_ADMIN'
                    order by u.created_at, u.user_id limit 1) ga
cross join lateral (select count(*) as direct_rels from reseller_relationship rr
                    where rr.customer_id = c.customer_id and rr.kind = 'DIRECT') d
order by 1
limit (select m + 200 from plan_param);
-- Fewer customers than asked for may exist.
update plan_param set m = least(m, (select count(*) from plan_customer));

-- Per customer, the direct partners it has no DIRECT relationship with, numbered.
create temp table plan_pair as
select c.ck, c.customer_id, c.user_id, p.partner_id, p.admin,
       (row_number() over (partition by c.ck order by hashtext(p.partner_id::text || c.customer_id::text), p.partner_id) - 1)::int as pk
from plan_customer c cross join plan_partner p
where not exists (select 1 from reseller_relationship rr
                  where rr.customer_id = c.customer_id and rr.partner_id = p.partner_id and rr.kind = 'DIRECT');
create unique index on plan_pair (ck, pk);
analyze plan_pair;

-- Round-robin over the first m customers: every customer's first free partner, then every
-- customer's second, and so on; a customer out of free partners drops out of the round. Only
-- when the first m have no pair left do the standby customers follow, the same way.
create temp table plan_row as
select (row_number() over (order by pp.ck >= pm.m, pp.pk, pp.ck))::int as seq,
       pp.customer_id, pp.user_id, pp.partner_id, pp.admin,
       rtrim(translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/', '-_'), '=') as code
from plan_param pm cross join plan_pair pp
order by pp.ck >= pm.m, pp.pk, pp.ck
limit (select n from plan_param);

do $$
declare
    wanted int := (select n from plan_param);
    got int := (select count(*) from plan_row);
    customers int := (select count(distinct ck) from plan_pair);
begin
    if got < wanted then
        raise exception 'accept_plan.sql: % invitations asked for, at most % possible here (% customers without a DIRECT relationship to some CSP direct partner)',
            wanted, got, customers;
    end if;
end $$;

insert into invitation (code, partner_id, created_by_user_id, audience, customer_id, message, status,
                        created_at, expires_at)
select code, partner_id, admin, 'CUSTOMER', customer_id, 'Benchmark invitation ' || seq, 'PENDING',
       now(), now() + interval '30 days'
from plan_row;

insert into bench_accept_plan (seq, customer_user_id, code)
select seq, user_id, code from plan_row;

commit;

analyze invitation;
analyze bench_accept_plan;

select count(*) as invitations, count(distinct customer_user_id) as customer_users from bench_accept_plan;
