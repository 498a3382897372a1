-- Benchmark data generator: adds a multi-channel book of realistic size on top of the demo data.
--
--   psql -v ON_ERROR_STOP=1 -v customers=100000 -v partners=5000 -v subscriptions=1000000 \
--        -f e2e/bench/generate.sql <database>
--
-- Needs the migrations and the demo data (operator, Contoso, Fabrikam + Northwind/Tailspin,
-- Adatum, Litware, the catalogue). Set-based, one transaction, deterministic: ids come from
-- md5 of a name, every random choice from hashint8extended(key, salt), so two runs at the same
-- scale produce the same rows (only timestamps move with now()). Run it once per database.
-- Distributions and the numbers they give at each scale: e2e/bench/DATA.md.

\set ON_ERROR_STOP 1
\if :{?customers}
\else
  \echo 'usage: psql -v customers=N -v partners=N -v subscriptions=N -f generate.sql DB'
  \quit
\endif

set synchronous_commit = off;
set work_mem = '256MB';
set maintenance_work_mem = '512MB';
set client_min_messages = warning;
set jit = off;  -- compiling these wide expressions costs more than running them

begin;

-- A deterministic uniform number in [0, 1) for a key and a salt.
create function pg_temp.r(k bigint, salt int) returns float8 language sql immutable parallel safe as
$$ select ((hashint8extended(k, salt) >> 11) & 4503599627370495)::float8 / 4503599627370496.0 $$;
-- A deterministic integer in [0, n) for a key and a salt, skewed toward 0 by `power` (1 = uniform).
create function pg_temp.pick(k bigint, salt int, n int, power float8) returns int language sql immutable parallel safe as
$$ select least(n - 1, floor(n * pow(pg_temp.r(k, salt), power))::int) $$;
create function pg_temp.uid(t text) returns uuid language sql immutable parallel safe as
$$ select md5(t)::uuid $$;

-- Demo anchors.
select
    (select organization_id from organization where kind = 'OPERATOR') as operator,
    (select user_id from app_user u join user_role using (user_id) where role = 'OPERATOR_ADMIN'
      order by u.created_at limit 1) as operator_user,
    (select password_hash from app_user where lower(email) = 'admin@contoso.demo') as pw,
    (select partner_id from partner where mpn_id = '1000001') as contoso,
    (select partner_id from partner where mpn_id = '1000002') as fabrikam,
    (select partner_id from partner where mpn_id = '1000003') as northwind,
    (select partner_id from partner where mpn_id = '1000004') as tailspin,
    (select partner_id from partner where mpn_id = '1000005') as adatum,
    (select partner_id from partner where mpn_id = '1000006') as litware,
    (select service_id from service where name = 'Office 365') as svc_o365,
    (select service_id from service where name = 'Dynamics 365') as svc_dyn,
    (select service_id from service where name = 'Power BI') as svc_pbi,
    (select service_id from service where name = 'Azure') as svc_azure,
    (select offer_id from offer where name = 'Office 365 E1') as off_e1,
    (select offer_id from offer where name = 'Office 365 E3') as off_e3,
    (select offer_id from offer where name = 'Dynamics 365 Sales Enterprise') as off_dyn,
    (select offer_id from offer where name = 'Power BI Pro') as off_pbi,
    (select offer_id from offer where name = 'Azure plan') as off_azure,
    exists (select 1 from partner where mpn_id like '2%' and length(mpn_id) = 9) as already
\gset
\if :already
  \echo 'generate.sql: this database already holds generated data; use a fresh copy'
  select 1/0;
\endif

-- Scale.
select greatest(1, round(:partners * 0.01))::int as n_prov,
       round(:partners * 0.26)::int as n_res,
       round(:partners * 0.08)::int as n_adv
\gset
select :partners - :n_prov - :n_res - :n_adv as n_dir \gset

create temp table param as
select now() as t0, (now() at time zone 'UTC')::date as today,
       :customers::int as nc, :partners::int as np, :subscriptions::int as ns;

-- ---------------------------------------------------------------------------------------------
-- Partners: 1% indirect providers, 26% indirect resellers, 65% CSP direct (a fifth of them former
-- Advisors), 8% Advisor-only. Each has an ADMIN_AGENT; some a SALES_AGENT and a HELPDESK_AGENT.
create temp table bp as
select i, pg_temp.uid('bench-partner:' || i) as id,
       case when i <= :n_prov then 'CSP_INDIRECT_PROVIDER'
            when i <= :n_prov + :n_res then 'CSP_INDIRECT_RESELLER'
            when i <= :n_prov + :n_res + :n_dir then 'CSP_DIRECT'
            else 'ADVISOR' end as program,
       (array['Acme','Apex','Azure Sky','Bamboo','Beacon','BlueRiver','Bright','Cedar','Crimson','Dragon',
              'Eastern','Evergreen','Falcon','Golden Gate','Harbor','Horizon','Jade','Lotus','Maple','Meridian',
              'Nova','Orient','Pacific','Pearl','Phoenix','Pinnacle','Quantum','Redwood','Silk Road','Summit',
              'Tiger','Vertex'])[1 + pg_temp.pick(i, 1, 32, 1)]
         || ' ' ||
       (array['Cloud','IT Services','Solutions','Systems','Technologies','Consulting','Digital','Networks',
              'Data','Software'])[1 + pg_temp.pick(i, 2, 10, 1)]
         || ' ' || to_char(i, 'FM00000') as name,
       (select t0 from param) - make_interval(days => 200 + pg_temp.pick(i, 3, 3000, 1)) as created_at
from generate_series(1, :partners) i;
alter table bp add column former_advisor boolean;
update bp set former_advisor = program = 'CSP_DIRECT' and pg_temp.r(i, 4) < 0.2;
create unique index on bp (i);

insert into organization (organization_id, kind, name, created_at, updated_at)
select id, 'PARTNER', name, created_at, created_at from bp;
insert into partner (partner_id, mpn_id, program, former_advisor, joined_csp_at)
select id, '2' || to_char(i, 'FM00000000'), program, former_advisor,
       case when former_advisor then created_at + make_interval(days => 30 + pg_temp.pick(i, 5, 150, 1)) end
from bp;

create temp table bu as
select pg_temp.uid('bench-partner-user:' || i || ':' || role) as user_id, bp.id as org, role,
       lower(split_part(role, '_', 1)) || '@partner' || to_char(i, 'FM00000') || '.bench.example' as email,
       bp.created_at
from bp, unnest(array['ADMIN_AGENT', 'SALES_AGENT', 'HELPDESK_AGENT']) role
where role = 'ADMIN_AGENT'
   or (role = 'SALES_AGENT' and pg_temp.r(i, 6) < 0.3)
   or (role = 'HELPDESK_AGENT' and pg_temp.r(i, 7) < 0.2);
insert into app_user (user_id, organization_id, email, display_name, password_hash, created_at, updated_at)
select user_id, org, email, split_part(email, '@', 1), :'pw', created_at, created_at from bu;
insert into user_role (user_id, role) select user_id, role from bu;

analyze organization; analyze partner; analyze app_user; analyze user_role;

-- Every partner (demo and generated) with its admin user, for picking actors.
create temp table ap as
select p.partner_id as id, p.program, p.former_advisor,
       (select u.user_id from app_user u join user_role ur using (user_id)
        where u.organization_id = p.partner_id and ur.role = 'ADMIN_AGENT' order by u.created_at, u.user_id limit 1) as admin
from partner p;
create unique index on ap (id);

-- Pick lists with dense 0-based indexes.
create temp table dirs as   -- CSP direct partners other than Contoso (Contoso's book is explicit)
select (row_number() over (order by mpn_id) - 1)::int as k, partner_id as id
from partner where program = 'CSP_DIRECT' and partner_id <> :'contoso';
create temp table csp as    -- partners that may hold delegated admin
select (row_number() over (order by mpn_id) - 1)::int as k, partner_id as id
from partner where program <> 'ADVISOR';
create temp table advs as   -- partners with Advisor sales: Advisor-only and former Advisors
select (row_number() over (order by mpn_id) - 1)::int as k, partner_id as id, program = 'CSP_DIRECT' as former
from partner where program = 'ADVISOR' or former_advisor;
create unique index on dirs (k); create unique index on csp (k); create unique index on advs (k);
select (select count(*) from dirs) as n_dirs, (select count(*) from csp) as n_csp,
       (select count(*) from advs) as n_advs \gset

-- ---------------------------------------------------------------------------------------------
-- Provider–reseller partnerships: each generated reseller is partnered with one provider (15% of
-- them with Fabrikam), 5% of them were removed and not replaced, 8% have an older removed
-- partnership too; each provider has open and expired links nobody took.
create temp table provs as
select (row_number() over (order by mpn_id) - 1)::int as k, partner_id as id
from partner where program = 'CSP_INDIRECT_PROVIDER' and partner_id <> :'fabrikam';
select count(*) as n_provs from provs \gset

create temp table bps as
select bp.i, bp.id as reseller_id,
       case when pg_temp.r(bp.i, 10) < 0.15 then :'fabrikam'::uuid
            else (select id from provs where k = pg_temp.pick(bp.i, 11, :n_provs, 1)) end as provider_id,
       case when bp.i % 20 = 0 then 'REMOVED' else 'ACTIVE' end as status,
       bp.created_at + make_interval(days => 5 + pg_temp.pick(bp.i, 12, 60, 1)) as accepted_at
from bp where bp.program = 'CSP_INDIRECT_RESELLER';

insert into reseller_partnership (partnership_id, provider_id, reseller_id, code, status, created_at,
                                  accepted_at, removed_at, removed_by_organization_id, expires_at)
select pg_temp.uid('bench-partnership:' || i), provider_id, reseller_id,
       'bp' || substr(md5('bench-partnership-code:' || i), 1, 20), status,
       accepted_at - interval '3 days', accepted_at,
       case when status = 'REMOVED' then least(param.t0 - interval '1 day', accepted_at + interval '200 days') end,
       case when status = 'REMOVED' then case when i % 40 = 0 then reseller_id else provider_id end end,
       accepted_at + interval '27 days'
from bps, param
union all
-- older removed partnerships with another provider
select pg_temp.uid('bench-partnership-old:' || i),
       case when provider_id = :'fabrikam'::uuid or :n_provs = 0 then coalesce((select id from provs where k = 0), :'fabrikam'::uuid)
            else :'fabrikam'::uuid end,
       reseller_id, 'bo' || substr(md5('bench-partnership-old-code:' || i), 1, 20), 'REMOVED',
       accepted_at - interval '400 days', accepted_at - interval '398 days', accepted_at - interval '20 days',
       reseller_id, accepted_at - interval '370 days'
from bps where pg_temp.r(i, 13) < 0.08
union all
-- links: open (PENDING) and lapsed (EXPIRED), no reseller
select pg_temp.uid('bench-partnership-link:' || p.id || ':' || n), p.id, null,
       'bl' || substr(md5('bench-partnership-link-code:' || p.id || ':' || n), 1, 20),
       case when n <= 2 then 'PENDING' else 'EXPIRED' end,
       case when n <= 2 then param.t0 - make_interval(days => n * 5) else param.t0 - make_interval(days => 40 * n) end,
       null, null, null,
       case when n <= 2 then param.t0 - make_interval(days => n * 5) else param.t0 - make_interval(days => 40 * n) end
         + interval '30 days'
from (select id from provs union all select :'fabrikam'::uuid) p, generate_series(1, 4) n, param;

-- Resellers with an active provider, for picking (Northwind and Tailspin are Fabrikam's book).
create temp table resl as
select (row_number() over (order by reseller_id) - 1)::int as k, reseller_id, provider_id
from bps where status = 'ACTIVE';
create unique index on resl (k); create index on resl (provider_id);
select count(*) as n_resl from resl \gset

-- ---------------------------------------------------------------------------------------------
-- Customers. Channels per customer: online direct 40%, CSP direct 45%, CSP indirect 28%,
-- Advisor 10%, at least one (CSP direct otherwise). 2% are Contoso's book (CSP direct through
-- Contoso), 3% Fabrikam's (through Northwind 60% / Tailspin 40%).
create temp table bc as
select i, pg_temp.uid('bench-customer:' || i) as id,
       (array['Anhui','Beijing','Changjiang','Chengdu','Dalian','Dongfang','Fujian','Guangzhou','Hangzhou',
              'Harbin','Hengda','Huaxia','Jiangnan','Jinan','Kunming','Lanzhou','Nanjing','Ningbo','Qingdao',
              'Shandong','Shenzhen','Suzhou','Tianjin','Wuhan','Xiamen','Xian','Yangtze','Yunnan','Zhejiang',
              'Zhuhai'])[1 + pg_temp.pick(i, 20, 30, 1)] as w1,
       (array['Bank','Winery','Travel','Logistics','Foods','Motors','Pharma','Retail','Energy','Textiles',
              'Media','Insurance','Airlines','Hotels','Electronics','Steel','Securities','Hospital'])
         [1 + pg_temp.pick(i, 21, 18, 1)] as w2,
       case when pg_temp.r(i, 22) < 0.9 then 'CN'
            else (array['HK','MO','SG','US','DE','JP','GB','FR'])[1 + pg_temp.pick(i, 23, 8, 1)] end as country,
       pg_temp.r(i, 1) < 0.02 as contoso_book,
       pg_temp.r(i, 1) >= 0.02 and pg_temp.r(i, 2) < 0.03 as fab_book,
       (select t0 from param) - make_interval(days => 1500 + pg_temp.pick(i, 24, 1000, 1)) as created_at
from generate_series(1, :customers) i;
alter table bc add column name text, add column slug text,
  add column has_online boolean, add column has_direct boolean, add column has_indirect boolean,
  add column has_advisor boolean, add column direct_partner uuid, add column provider uuid,
  add column reseller uuid, add column advisor uuid, add column advisor_former boolean,
  add column admin_user uuid, add column chans text[], add column w float8;
update bc set
  name = w1 || ' ' || w2 || ' ' || to_char(i, 'FM000000'),
  slug = lower(w1 || w2) || to_char(i, 'FM000000'),
  admin_user = pg_temp.uid('bench-customer-user:' || i || ':GLOBAL_ADMIN'),
  has_online = pg_temp.r(i, 30) < 0.40,
  has_direct = contoso_book or pg_temp.r(i, 31) < 0.45,
  has_indirect = fab_book or pg_temp.r(i, 32) < 0.28,
  has_advisor = pg_temp.r(i, 33) < 0.10,
  -- a heavy tail: most customers have a few subscriptions, some hundreds
  w = 1 + 1 / (pg_temp.r(i, 34) + 0.002);
update bc set has_direct = true where not (has_online or has_direct or has_indirect or has_advisor);
update bc set
  direct_partner = case when not has_direct then null
                        when contoso_book then :'contoso'::uuid
                        else (select id from dirs where k = pg_temp.pick(i, 35, :n_dirs, 1.5)) end,
  provider = case when not has_indirect then null
                  when fab_book then :'fabrikam'::uuid
                  else (select provider_id from resl where k = pg_temp.pick(i, 36, :n_resl, 1.5)) end,
  reseller = case when not has_indirect then null
                  when fab_book then case when pg_temp.r(i, 37) < 0.6 then :'northwind'::uuid else :'tailspin'::uuid end
                  else (select reseller_id from resl where k = pg_temp.pick(i, 36, :n_resl, 1.5)) end;
update bc set advisor = a.id, advisor_former = a.former
from advs a where bc.has_advisor and a.k = pg_temp.pick(bc.i, 38, :n_advs, 1.5);
-- Sales channels to draw each subscription from; the demo partners' customers mostly buy there.
update bc set chans =
    case when contoso_book then array['CSP_DIRECT','CSP_DIRECT','CSP_DIRECT','CSP_DIRECT','CSP_DIRECT','CSP_DIRECT','CSP_DIRECT'] else '{}' end
 || case when fab_book then array['CSP_INDIRECT','CSP_INDIRECT','CSP_INDIRECT','CSP_INDIRECT','CSP_INDIRECT','CSP_INDIRECT','CSP_INDIRECT'] else '{}' end
 || case when has_online then array['ONLINE_DIRECT'] else '{}' end
 || case when has_direct then array['CSP_DIRECT'] else '{}' end
 || case when has_indirect then array['CSP_INDIRECT'] else '{}' end
 || case when has_advisor then array['ADVISOR'] else '{}' end;
create unique index on bc (i);
create unique index on bc (id);

insert into organization (organization_id, kind, name, created_at, updated_at)
select id, 'CUSTOMER', name, created_at, created_at from bc;
insert into customer (customer_id, primary_domain, country, tenant_id)
select id, slug || '.partner.onmschina.cn', country, pg_temp.uid('bench-tenant:' || i) from bc;

create temp table cu as
select pg_temp.uid('bench-customer-user:' || i || ':' || role) as user_id, bc.id as org, role,
       case role when 'GLOBAL_ADMIN' then 'globaladmin' when 'BILLING_ADMIN' then 'billing' else 'user' end
         || '@' || slug || '.bench.example' as email, bc.created_at
from bc, unnest(array['GLOBAL_ADMIN', 'BILLING_ADMIN', 'USER']) role
where role = 'GLOBAL_ADMIN'
   or (role = 'BILLING_ADMIN' and pg_temp.r(i, 39) < 0.2)
   or (role = 'USER' and pg_temp.r(i, 40) < 0.1);
insert into app_user (user_id, organization_id, email, display_name, password_hash, created_at, updated_at)
select user_id, org, email, split_part(email, '@', 1), :'pw', created_at, created_at from cu;
insert into user_role (user_id, role) select user_id, role from cu;
analyze organization; analyze customer; analyze app_user; analyze user_role;

-- ---------------------------------------------------------------------------------------------
-- Reseller relationships. 20% of the CSP ones came from an accepted invitation (those rows exist
-- too, with their acceptance), the rest from creating the tenant or an import; former Advisors
-- keep a DIRECT relationship, Advisor-only partners have none (legacy sales are visible without).
-- 5% of customers also have a REMOVED direct relationship with a partner that sells them nothing.
create temp table brr as
select bc.id as customer_id, bc.i, bc.direct_partner as partner_id, 'DIRECT' as kind, null::uuid as provider,
       pg_temp.r(i, 50) as ro, bc.admin_user
from bc where has_direct
union all
select bc.id, bc.i, bc.provider, 'INDIRECT_PROVIDER', null, pg_temp.r(i, 51), bc.admin_user from bc where has_indirect
union all
select bc.id, bc.i, bc.reseller, 'INDIRECT_RESELLER', bc.provider, pg_temp.r(i, 51), bc.admin_user from bc where has_indirect
union all
select bc.id, bc.i, bc.advisor, 'DIRECT', null, 0.99, bc.admin_user
from bc where has_advisor and advisor_former and advisor is distinct from direct_partner;
alter table brr add column created_at timestamptz, add column origin text, add column inv uuid;
update brr set
  created_at = (select t0 from param) - make_interval(days => 60 + pg_temp.pick(i, 52 + length(kind), 1400, 1)),
  origin = case when ro < 0.2 then 'INVITATION' when ro < 0.6 then 'TENANT_CREATED' else 'IMPORTED' end;
update brr set inv = pg_temp.uid('bench-invitation-accepted:' || i || ':' || case kind when 'DIRECT' then 'D' else 'I' end)
where origin = 'INVITATION';
update brr r set created_at = p.created_at from brr p
where r.kind = 'INDIRECT_RESELLER' and p.kind = 'INDIRECT_PROVIDER' and p.customer_id = r.customer_id;

-- Accepted invitations behind the INVITATION-origin relationships (one per customer and channel).
insert into invitation (invitation_id, code, partner_id, created_by_user_id, audience, customer_id,
                        indirect_reseller_id, message, status, created_at, expires_at, accepted_at, updated_at)
select r.inv, 'ba' || substr(md5('bench-invitation-accepted-code:' || r.inv), 1, 20), r.partner_id,
       ap.admin, 'CUSTOMER', r.customer_id,
       x.partner_id,
       'We would like to become your cloud solution provider.', 'ACCEPTED',
       r.created_at - interval '2 days', r.created_at + interval '28 days', r.created_at, r.created_at
from brr r join ap on ap.id = r.partner_id
left join brr x on x.customer_id = r.customer_id and x.kind = 'INDIRECT_RESELLER' and r.kind = 'INDIRECT_PROVIDER'
where r.origin = 'INVITATION' and r.kind in ('DIRECT', 'INDIRECT_PROVIDER');
insert into invitation_acceptance (invitation_id, customer_id, accepted_by_user_id, accepted_at)
select inv, customer_id, admin_user, created_at from brr
where origin = 'INVITATION' and kind in ('DIRECT', 'INDIRECT_PROVIDER');

insert into reseller_relationship (relationship_id, customer_id, partner_id, kind, indirect_provider_id,
                                   status, origin, invitation_id, created_at, removed_at, updated_at)
select pg_temp.uid('bench-rr:' || i || ':' || kind || ':' || partner_id), customer_id, partner_id, kind, provider,
       'ACTIVE', origin, inv, created_at, null, created_at
from brr
union all
select pg_temp.uid('bench-rr-removed:' || bc.i), bc.id, d.id, 'DIRECT', null, 'REMOVED', 'TENANT_CREATED', null,
       bc.created_at + interval '30 days', removed, removed
from bc join dirs d on d.k = pg_temp.pick(bc.i, 55, :n_dirs, 1), param p
cross join lateral (select p.t0 - make_interval(days => 1 + pg_temp.pick(bc.i, 56, 700, 1)) as removed) x
where pg_temp.r(bc.i, 54) < 0.05 and d.id is distinct from bc.direct_partner and d.id is distinct from bc.advisor;

-- ---------------------------------------------------------------------------------------------
-- Delegated admin relationships: 7% of customers (30% of Contoso's and of Fabrikam's) have 1–4.
-- The first goes to the customer's own partner (Contoso; the Fabrikam customer's reseller) and is
-- the only one that may be ACTIVE with PROVISIONING/GLOBAL_ADMIN, so the exclusive holder
-- constraint holds; further ones (customer grants to other partners) hold SUPPORT when ACTIVE.
create temp table bd as
select bc.i, s as slot, bc.id as customer_id, bc.name as customer_name,
       (bc.i::bigint * 8 + s) as key,
       case when s = 0 then coalesce(case when bc.fab_book then bc.reseller end, bc.direct_partner, bc.reseller,
                                     (select id from csp where k = pg_temp.pick(bc.i, 60, :n_csp, 2)))
            else (select id from csp where k = pg_temp.pick(bc.i * 8 + s, 61, :n_csp, 2)) end as partner_id
from bc, generate_series(0, 3) s
where (case when bc.contoso_book or bc.fab_book then pg_temp.r(bc.i, 62) < 0.3 else pg_temp.r(bc.i, 62) < 0.07 end)
  and s <= pg_temp.pick(bc.i, 63, 4, 1);
alter table bd add column status text, add column roles text[], add column services uuid[],
  add column duration text, add column days int, add column auto_extend text, add column origin text,
  add column created_at timestamptz, add column approval_requested_at timestamptz,
  add column activated_at timestamptz, add column ends_at timestamptz, add column terminated_at timestamptz,
  add column terminated_by uuid, add column id uuid, add column display_name text;
update bd set
  id = pg_temp.uid('bench-dap:' || key),
  status = (select case when x < 0.50 then 'ACTIVE' when x < 0.65 then 'EXPIRED' when x < 0.77 then 'TERMINATED'
                        when x < 0.85 then 'APPROVAL_PENDING' when x < 0.91 then 'REJECTED'
                        when x < 0.96 then 'CREATED' else 'CONSENT_PENDING' end from (select pg_temp.r(key, 64) x) q),
  roles = string_to_array((array['SUPPORT', 'PROVISIONING,SUPPORT', 'GLOBAL_ADMIN', 'PROVISIONING',
                 'GLOBAL_ADMIN,PROVISIONING,SUPPORT', 'SUPPORT'])[1 + pg_temp.pick(key, 65, 6, 1)], ','),
  services = array(select sv from unnest(array[:'svc_o365'::uuid, :'svc_dyn'::uuid, :'svc_pbi'::uuid, :'svc_azure'::uuid])
                       with ordinality u(sv, n)
                   where (1 + pg_temp.pick(key, 66, 15, 1.3)) & (1 << (n - 1)::int) <> 0),
  (duration, days) = (select d, n from (values ('P30D', 30), ('P90D', 90), ('P180D', 180), ('P1Y', 365), ('P2Y', 730))
                        v(d, n) order by n offset pg_temp.pick(key, 67, 5, 1) limit 1),
  display_name = left(customer_name, 36) || ' · ' || to_char(key, 'FM0000000');
update bd set roles = array['SUPPORT'] where slot > 0 and status = 'ACTIVE';
update bd set auto_extend = case when not 'GLOBAL_ADMIN' = any (roles) and pg_temp.r(key, 68) < 0.4 then 'P180D' else 'P0D' end,
  origin = case when status = 'CONSENT_PENDING' then 'CUSTOMER_GRANT'
                when status in ('CREATED', 'APPROVAL_PENDING', 'REJECTED') then 'PARTNER_REQUEST'
                when slot > 0 then 'CUSTOMER_GRANT'
                else (array['PARTNER_REQUEST', 'INVITATION', 'CUSTOMER_GRANT'])[1 + pg_temp.pick(key, 69, 3, 1)] end;
update bd set
  activated_at = case
      when status = 'ACTIVE' then p.t0 - make_interval(days => pg_temp.pick(key, 70, days, 1), hours => pg_temp.pick(key, 71, 24, 1))
      when status = 'EXPIRED' and pg_temp.r(key, 72) < 0.8
        then p.t0 - make_interval(days => days + 1 + pg_temp.pick(key, 70, 300, 1))
      when status = 'TERMINATED' then p.t0 - make_interval(days => 2 + pg_temp.pick(key, 70, days + 200, 1)) end,
  approval_requested_at = case
      when status in ('APPROVAL_PENDING', 'CONSENT_PENDING') then p.t0 - make_interval(days => pg_temp.pick(key, 73, 85, 1), hours => pg_temp.pick(key, 71, 24, 1))
      when status = 'REJECTED' then p.t0 - make_interval(days => 5 + pg_temp.pick(key, 73, 300, 1))
      when status = 'EXPIRED' then p.t0 - make_interval(days => 91 + pg_temp.pick(key, 73, 300, 1)) end,
  created_at = p.t0 - make_interval(days => pg_temp.pick(key, 74, 30, 1))
from param p;
update bd set
  ends_at = activated_at + make_interval(days => days),
  approval_requested_at = case when activated_at is not null and origin <> 'CUSTOMER_GRANT' then activated_at - interval '2 days'
                               when activated_at is not null then null else approval_requested_at end,
  created_at = least(created_at, coalesce(approval_requested_at, activated_at, created_at) - interval '1 day',
                     coalesce(activated_at - interval '3 days', created_at));
update bd set terminated_at = activated_at + (least(ends_at, p.t0) - activated_at) * pg_temp.r(key, 75),
  terminated_by = case when pg_temp.r(key, 76) < 0.5 then customer_id else partner_id end
from param p where status = 'TERMINATED';

insert into delegated_admin_relationship (relationship_id, display_name, partner_id, customer_id, roles, duration,
    duration_days, auto_extend, status, origin, created_at, approval_requested_at, activated_at, ends_at,
    terminated_at, terminated_by_organization_id, updated_at)
select id, display_name, partner_id, customer_id, roles, duration, days, auto_extend, status, origin, created_at,
       approval_requested_at, activated_at, ends_at, terminated_at, terminated_by,
       greatest(created_at, approval_requested_at, activated_at, terminated_at)
from bd;
insert into delegated_admin_service (relationship_id, service_id, customer_id, holds_exclusive_role, partner_id)
select id, sv, customer_id, status = 'ACTIVE' and roles && array['PROVISIONING', 'GLOBAL_ADMIN'], partner_id
from bd, unnest(services) sv;

-- Who may take over provisioning / support of a customer's service (in force now).
create temp table dap_prov as
select distinct on (customer_id, sv) customer_id, sv as service_id, partner_id
from bd, unnest(services) sv where status = 'ACTIVE' and 'PROVISIONING' = any (roles)
order by customer_id, sv, slot;
create temp table dap_sup as
select distinct on (customer_id, sv) customer_id, sv as service_id, partner_id
from bd, unnest(services) sv where status = 'ACTIVE' and 'SUPPORT' = any (roles)
order by customer_id, sv, slot desc;
create unique index on dap_prov (customer_id, service_id);
create unique index on dap_sup (customer_id, service_id);
analyze dap_prov; analyze dap_sup; analyze bc;

-- ---------------------------------------------------------------------------------------------
-- Subscriptions: spread over customers by weight (heavy tail), channel drawn from the customer's
-- channels, offer E3 30% / E1 20% / Dynamics 15% / Power BI 20% / Azure 15%, term P1M 35% / P1Y 55%
-- / P3Y 10%, status ACTIVE 83% (8% of them not auto-renewing) / SUSPENDED 4% / PENDING 2% /
-- DELETED 6% / EXPIRED 5%. Commitment ends follow the term; overrides of provisioning (70%) and
-- support (60%) where a partner holds that role in force for the service.
create temp table bcn as
select i, id, name, chans, direct_partner, provider, reseller, advisor, created_at,
       greatest(0, round(:subscriptions * cw / tw) - round(:subscriptions * (cw - w) / tw))::int as n
from (select i, id, name, chans, direct_partner, provider, reseller, advisor, created_at, w,
             sum(w) over (order by i) as cw, sum(w) over () as tw from bc) q;

-- Bulk load of the two big tables (subscription, audit_event): their secondary indexes are
-- dropped here and rebuilt from their saved definitions after the load, and foreign keys are not
-- checked row by row (session_replication_role = replica skips the RI triggers, and the change
-- feed's NOTIFY trigger, which nobody needs for a bulk load); the load is checked set-based
-- against every foreign key of both tables before commit instead. CHECK, unique and exclusion
-- constraints are enforced as usual.
create temp table saved_idx as
select i.tablename, i.indexname, i.indexdef from pg_indexes i
where i.schemaname = current_schema() and i.tablename in ('subscription', 'audit_event')
  and not exists (select 1 from pg_constraint c where c.conname = i.indexname
                    and c.conrelid = format('%I.%I', i.schemaname, i.tablename)::regclass);
select format('drop index %I', indexname) from saved_idx \gexec

-- (Each level computes its columns once: `offset 0` keeps the planner from copying the
-- expressions into every place that uses them.)
set session_replication_role = replica;
insert into subscription (subscription_id, customer_id, offer_id, service_id, friendly_name, quantity, assigned_seats,
    status, billing_cycle, term_duration, effective_start, commitment_end, auto_renew, suspended_at, deleted_at,
    purchase_channel, partner_of_record_id, indirect_reseller_id, provisioning_partner_id, support_partner_id,
    created_at, updated_at)
select pg_temp.uid('bench-subscription:' || key), customer_id, offer_id, service_id,
       left(name || ' ' || offer_name || case when j > 1 then ' ' || j else '' end, 100),
       quantity, least(quantity, floor(quantity * (0.4 + 0.6 * pg_temp.r(key, 90))))::int,
       status,
       case when term = 'P1M' or offer_id = :'off_azure'::uuid or pg_temp.r(key, 91) < 0.3 then 'MONTHLY' else 'ANNUAL' end,
       term, eff_start, commit_end, auto_renew, suspended_at, deleted_at,
       channel, por, reseller_tag,
       case when status <> 'DELETED' and dp.partner_id is distinct from por and pg_temp.r(key, 94) < 0.7 then dp.partner_id end,
       case when status <> 'DELETED' and ds.partner_id is distinct from por and pg_temp.r(key, 95) < 0.6 then ds.partner_id end,
       created, greatest(created, suspended_at, deleted_at)
from (
  select b.*,
         case when status = 'EXPIRED' then expired_on else (eff_start + make_interval(months => months))::date end as commit_end,
         -- the original purchase: earlier terms of an auto-renewing subscription, never before the customer
         greatest(cust_created + interval '1 day',
                  least(t0 - interval '1 hour',
                        (eff_start - case when auto_renew and term <> 'P3Y'
                                          then make_interval(months => months * pg_temp.pick(key, 97, 36 / months, 1))
                                          else interval '0' end)::timestamptz
                          + make_interval(hours => pg_temp.pick(key, 98, 20, 1)))) as created
  from (
    select a.*,
           (array['P1M', 'P1Y', 'P3Y'])[ti] as term, (array[1, 12, 36])[ti] as months,
           (array[:'off_e3'::uuid, :'off_e1'::uuid, :'off_dyn'::uuid, :'off_pbi'::uuid, :'off_azure'::uuid])[oi] as offer_id,
           (array[:'svc_o365'::uuid, :'svc_o365'::uuid, :'svc_dyn'::uuid, :'svc_pbi'::uuid, :'svc_azure'::uuid])[oi] as service_id,
           (array['Office 365 E3', 'Office 365 E1', 'Dynamics 365 Sales', 'Power BI Pro', 'Azure plan'])[oi] as offer_name,
           case when oi = 5 then 1 else 1 + floor(999 * pow(pg_temp.r(key, 96), 3))::int end as quantity,
           case channel when 'CSP_DIRECT' then direct_partner when 'CSP_INDIRECT' then provider
                        when 'ADVISOR' then advisor end as por,
           case when channel = 'CSP_INDIRECT' then reseller end as reseller_tag,
           status <> 'EXPIRED' and not (status = 'ACTIVE' and pg_temp.r(key, 100) < 0.08) as auto_renew,
           case status
             when 'PENDING' then today
             when 'EXPIRED' then (expired_on - make_interval(months => (array[1, 12, 36])[ti]))::date
             when 'DELETED' then deleted_on - pg_temp.pick(key, 102, (array[28, 365, 1095])[ti], 1)
             else today - pg_temp.pick(key, 102, (array[28, 365, 1095])[ti], 1) end as eff_start,
           case when status = 'SUSPENDED'
                then t0 - make_interval(days => 1 + pg_temp.pick(key, 92, 55, 1), hours => pg_temp.pick(key, 93, 24, 1)) end as suspended_at,
           case when status = 'DELETED' then deleted_on::timestamptz + make_interval(hours => pg_temp.pick(key, 93, 24, 1)) end as deleted_at
    from (
      select c.id as customer_id, c.name, c.created_at as cust_created, c.direct_partner, c.provider, c.reseller, c.advisor,
             g.j, key, p.t0, p.today,
             c.chans[1 + pg_temp.pick(key, 103, cardinality(c.chans), 1)] as channel,
             (array['ACTIVE', 'SUSPENDED', 'PENDING', 'DELETED', 'EXPIRED'])
               [1 + width_bucket(pg_temp.r(key, 104), array[0.83, 0.87, 0.89, 0.95])] as status,
             1 + width_bucket(pg_temp.r(key, 105), array[0.35, 0.90]) as ti,
             1 + width_bucket(pg_temp.r(key, 106), array[0.30, 0.50, 0.65, 0.85]) as oi,
             p.today - 1 - pg_temp.pick(key, 101, 330, 1) as deleted_on,
             p.today - 1 - pg_temp.pick(key, 99, 55, 1) as expired_on
      from bcn c cross join param p cross join generate_series(1, c.n) g(j)
      cross join lateral (select c.i::bigint * 100000 + g.j as key) k
      offset 0
    ) a offset 0
  ) b offset 0
) s
left join dap_prov dp using (customer_id, service_id)
left join dap_sup ds using (customer_id, service_id);
set session_replication_role = origin;
analyze subscription;

-- ---------------------------------------------------------------------------------------------
-- Invitations in every state besides the accepted ones above: per inviting partner (CSP direct,
-- indirect provider) and about one per ten customers; a third ask for delegated admin, providers
-- name one of their resellers on half of theirs.
create temp table inviters as
select (row_number() over (order by ap.id) - 1)::int as k, ap.id, ap.admin, ap.program
from ap where ap.program in ('CSP_DIRECT', 'CSP_INDIRECT_PROVIDER');
create unique index on inviters (k);
select count(*) as n_inviters from inviters \gset

insert into invitation (invitation_id, code, partner_id, created_by_user_id, audience, customer_id,
    indirect_reseller_id, message, delegated_roles, delegated_service_ids, delegated_duration, delegated_auto_extend,
    status, created_at, expires_at, declined_at, revoked_at, updated_at)
select pg_temp.uid('bench-invitation:' || n), 'bi' || substr(md5('bench-invitation-code:' || n), 1, 20),
       v.id, v.admin, audience, case when audience = 'CUSTOMER' then c.id end,
       case when v.program = 'CSP_INDIRECT_PROVIDER' and pg_temp.r(n, 110) < 0.5
            then (select reseller_id from resl where provider_id = v.id
                  union all select :'northwind'::uuid where v.id = :'fabrikam'::uuid limit 1) end,
       case when pg_temp.r(n, 111) < 0.5 then 'Hello, we would like to manage your cloud subscriptions.' else '' end,
       case when asks then roles else '{}' end, case when asks then array[:'svc_o365'::uuid] else '{}' end,
       case when asks then 'P90D' end, case when asks then 'P0D' end,
       case st when 'LAPSED' then 'PENDING' else st end, created, expires,
       case when st = 'DECLINED' then created + interval '3 days' end,
       case when st = 'REVOKED' then created + interval '1 day' end,
       created + case when st in ('DECLINED', 'REVOKED') then interval '3 days' else interval '0' end
from (
  select n, pg_temp.r(n, 112) < 0.33 as asks,
         string_to_array((array['PROVISIONING,SUPPORT', 'SUPPORT', 'GLOBAL_ADMIN'])[1 + pg_temp.pick(n, 113, 3, 1)], ',') as roles,
         case when pg_temp.r(n, 114) < 0.12 then 'ANY_CUSTOMER' else 'CUSTOMER' end as audience,
         (select case when x < 0.40 then 'PENDING' when x < 0.45 then 'LAPSED' when x < 0.65 then 'EXPIRED'
                      when x < 0.82 then 'DECLINED' else 'REVOKED' end from (select pg_temp.r(n, 115) x) q) as st0,
         case when n <= :n_inviters then n - 1 else pg_temp.pick(n, 116, :n_inviters, 2) end as vk,
         1 + pg_temp.pick(n, 117, :customers, 1) as ci
  from generate_series(1, :n_inviters + :customers / 10) n
) q
cross join lateral (select case when audience = 'ANY_CUSTOMER' and st0 = 'DECLINED' then 'PENDING' else st0 end as st) s
cross join lateral (select case
    when st = 'PENDING' then p.t0 - make_interval(days => pg_temp.pick(n, 118, 60, 1), hours => pg_temp.pick(n, 119, 24, 1))
    when st in ('LAPSED', 'EXPIRED') then p.t0 - make_interval(days => 91 + pg_temp.pick(n, 118, 300, 1))
    else p.t0 - make_interval(days => 5 + pg_temp.pick(n, 118, 360, 1)) end as created from param p) t
cross join lateral (select created + make_interval(days => case when st = 'PENDING' then 90 else 30 end) as expires) e
join inviters v on v.k = q.vk
join bc c on c.i = q.ci;

-- ---------------------------------------------------------------------------------------------
-- Support requests on about one subscription in 250 (ACTIVE or SUSPENDED), with 0–3 comments.
create temp table bsr as
select pg_temp.uid('bench-support:' || s.subscription_id) as id, s.subscription_id, s.customer_id,
       coalesce(s.support_partner_id, s.partner_of_record_id) as support_partner,
       hashtextextended(s.subscription_id::text, 7) as key, c.admin_user, s.created_at as sub_created
from subscription s join bc c on c.id = s.customer_id
where s.status in ('ACTIVE', 'SUSPENDED')
  and pg_temp.r(hashtextextended(s.subscription_id::text, 7), 120) < 1.0 / 250;
alter table bsr add column status text, add column created_at timestamptz, add column opener uuid, add column opener_org uuid;
update bsr set
  status = (select case when x < 0.25 then 'OPEN' when x < 0.50 then 'IN_PROGRESS' when x < 0.60 then 'ESCALATED'
                        else 'RESOLVED' end from (select pg_temp.r(key, 121) x) q),
  created_at = greatest(sub_created, (select t0 from param) - make_interval(days => pg_temp.pick(key, 122, 300, 1), hours => pg_temp.pick(key, 123, 24, 1))),
  opener = case when support_partner is not null and pg_temp.r(key, 124) < 0.3 then (select admin from ap where ap.id = support_partner) else admin_user end;
update bsr set opener_org = case when opener = admin_user then customer_id else support_partner end;
insert into support_request (support_request_id, subscription_id, customer_id, opened_by_user_id, opened_by_organization_id,
    support_partner_id, title, description, status, created_at, updated_at, escalated_at, resolved_at)
select id, subscription_id, customer_id, opener, opener_org, support_partner,
       (array['Users cannot sign in', 'Licence assignment fails', 'Mailbox migration stuck', 'Invoice question',
              'Seats do not match', 'Service degraded in region', 'Need more seats urgently', 'Report not refreshing'])
         [1 + pg_temp.pick(key, 125, 8, 1)],
       'Opened for benchmark data.', status, created_at,
       created_at + case when status = 'OPEN' then interval '0' else interval '2 days' end,
       case when status = 'ESCALATED' then created_at + interval '1 day' end,
       case when status = 'RESOLVED' then created_at + interval '2 days' end
from bsr;
insert into support_request_comment (comment_id, support_request_id, author_user_id, body, created_at)
select pg_temp.uid('bench-support-comment:' || id || ':' || n), id, case when n % 2 = 1 then opener else admin_user end,
       (array['Looking into it.', 'Could you share the affected user names?', 'Fixed on our side, please verify.'])[n],
       created_at + make_interval(hours => 4 * n)
from bsr, generate_series(1, 3) n where n <= pg_temp.pick(key, 126, 4, 1);

-- ---------------------------------------------------------------------------------------------
-- A year of audit events, oldest first (ids follow time): per subscription one (created, or
-- renewed / changed within the year) and, for half, a second (suspended, cancelled, expired,
-- seats or auto-renew changed); per delegated admin relationship, invitation and support request
-- one. Events older than a year are moved into it.
set session_replication_role = replica;
with sub as (
  select s.subscription_id, s.customer_id, s.partner_of_record_id, s.indirect_reseller_id, s.status, s.quantity,
         s.purchase_channel, s.created_at, s.suspended_at, s.deleted_at, s.commitment_end, s.effective_start,
         hashtextextended(s.subscription_id::text, 7) as key,
         coalesce(a.admin, :'operator_user'::uuid) as actor,
         coalesce(s.partner_of_record_id, :'operator'::uuid) as actor_org, o.name as offer
  from subscription s join bc c on c.id = s.customer_id join offer o using (offer_id)
  left join ap a on a.id = s.partner_of_record_id
), ev as (
  select case when created_at > t0 - interval '365 days' then created_at
              when effective_start > (t0 - interval '365 days')::date then effective_start + interval '1 hour'
              else t0 - make_interval(days => pg_temp.pick(key, 130, 364, 1), hours => pg_temp.pick(key, 131, 24, 1)) end as at,
         actor, actor_org,
         case when created_at > t0 - interval '365 days' then 'subscription.created'
              when effective_start > (t0 - interval '365 days')::date then 'subscription.renewed'
              else 'subscription.quantity_changed' end as action,
         'Subscription' as subject_type, subscription_id as subject_id, customer_id, partner_of_record_id as partner_id,
         case when indirect_reseller_id is not null then array[indirect_reseller_id] else '{}' end as others,
         jsonb_build_object('offer', offer, 'quantity', quantity, 'channel', purchase_channel) as details
  from sub, param
  union all
  select at, case when action like '%.expired' then null else actor end,
         case when action like '%.expired' then null else actor_org end, action, 'Subscription', subscription_id,
         customer_id, partner_of_record_id,
         case when indirect_reseller_id is not null then array[indirect_reseller_id] else '{}' end, details
  from (
    select sub.*, t0,
           case status when 'SUSPENDED' then 'subscription.suspended' when 'DELETED' then 'subscription.cancelled'
                       when 'EXPIRED' then 'subscription.expired'
                       else (array['subscription.seats_assigned', 'subscription.quantity_changed',
                                   'subscription.auto_renew_changed', 'subscription.seats_unassigned'])[1 + pg_temp.pick(key, 132, 4, 1)] end as action,
           greatest(t0 - make_interval(days => 364, hours => pg_temp.pick(key, 133, 24, 1)),
                    case status when 'SUSPENDED' then suspended_at when 'DELETED' then deleted_at
                                when 'EXPIRED' then commitment_end::timestamptz
                                else created_at + (t0 - created_at) * pg_temp.r(key, 134) end) as at,
           case status when 'SUSPENDED' then '{}'::jsonb when 'DELETED' then '{}'::jsonb when 'EXPIRED' then '{}'::jsonb
                       else jsonb_build_object('quantity', quantity) end as details
    from sub, param where pg_temp.r(key, 135) < 0.5 or status in ('SUSPENDED', 'DELETED', 'EXPIRED')
  ) x
  union all
  select case when coalesce(terminated_at, activated_at, approval_requested_at, created_at) > t0 - interval '364 days'
              then coalesce(terminated_at, activated_at, approval_requested_at, created_at)
              else t0 - make_interval(days => pg_temp.pick(key, 136, 364, 1), hours => pg_temp.pick(key, 138, 24, 1)) end,
         ap.admin, bd.partner_id,
         case status when 'ACTIVE' then 'delegated_admin.activated' when 'EXPIRED' then 'delegated_admin.approval_requested'
                     when 'TERMINATED' then 'delegated_admin.terminated' when 'APPROVAL_PENDING' then 'delegated_admin.approval_requested'
                     when 'REJECTED' then 'delegated_admin.approval_requested' when 'CREATED' then 'delegated_admin.created'
                     else 'delegated_admin.granted' end,
         'DelegatedAdminRelationship', bd.id, bd.customer_id, bd.partner_id, '{}', jsonb_build_object('roles', roles)
  from bd join ap on ap.id = bd.partner_id, param
  union all
  select case when coalesce(i.accepted_at, i.created_at) > t0 - interval '364 days' then coalesce(i.accepted_at, i.created_at)
              else t0 - make_interval(days => pg_temp.pick(hashtextextended(i.invitation_id::text, 7), 137, 364, 1)) end,
         case when i.status = 'ACCEPTED' then a.accepted_by_user_id else i.created_by_user_id end,
         case when i.status = 'ACCEPTED' then i.customer_id else i.partner_id end,
         case when i.status = 'ACCEPTED' then 'invitation.accepted' else 'invitation.created' end,
         'Invitation', i.invitation_id, i.customer_id, i.partner_id,
         case when i.indirect_reseller_id is not null then array[i.indirect_reseller_id] else '{}' end, '{}'
  from invitation i left join invitation_acceptance a using (invitation_id), param
  where i.code like 'b%' and i.code !~ '[^a-z0-9]'
  union all
  select created_at, opener, opener_org, 'support_request.opened', 'SupportRequest', id, customer_id, support_partner,
         '{}', '{}'
  from bsr
)
insert into audit_event (occurred_at, actor_user_id, actor_organization_id, action, subject_type, subject_id,
                         customer_id, partner_id, other_partner_ids, details)
select at, actor, actor_org, action, subject_type, subject_id, customer_id, partner_id, others, details
from ev where at <= (select t0 from param) order by at;
set session_replication_role = origin;

-- Rebuild the dropped indexes; check the foreign keys of the bulk-loaded rows.
select indexdef from saved_idx \gexec
do $$
declare
    bad bigint;
begin
    select count(*) into bad from subscription s
    where not exists (select 1 from customer c where c.customer_id = s.customer_id)
       or not exists (select 1 from offer o where o.offer_id = s.offer_id and o.service_id = s.service_id)
       or (s.partner_of_record_id is not null and not exists (select 1 from partner p where p.partner_id = s.partner_of_record_id))
       or (s.indirect_reseller_id is not null and not exists (select 1 from partner p where p.partner_id = s.indirect_reseller_id))
       or (s.provisioning_partner_id is not null and not exists (select 1 from partner p where p.partner_id = s.provisioning_partner_id))
       or (s.support_partner_id is not null and not exists (select 1 from partner p where p.partner_id = s.support_partner_id));
    if bad > 0 then
        raise exception 'generate.sql: % subscriptions break a foreign key', bad;
    end if;
    select count(*) into bad from audit_event e
    where (e.actor_user_id is not null and not exists (select 1 from app_user u where u.user_id = e.actor_user_id))
       or (e.actor_organization_id is not null and not exists (select 1 from organization o where o.organization_id = e.actor_organization_id))
       or (e.customer_id is not null and not exists (select 1 from customer c where c.customer_id = e.customer_id))
       or (e.partner_id is not null and not exists (select 1 from partner p where p.partner_id = e.partner_id));
    if bad > 0 then
        raise exception 'generate.sql: % audit events break a foreign key', bad;
    end if;
    -- Whoever else references these tables (support requests) was checked on insert.
end $$;

commit;

analyze;

select 'organization' as tbl, count(*) from organization
union all select 'partner', count(*) from partner
union all select 'customer', count(*) from customer
union all select 'app_user', count(*) from app_user
union all select 'reseller_partnership', count(*) from reseller_partnership
union all select 'reseller_relationship', count(*) from reseller_relationship
union all select 'invitation', count(*) from invitation
union all select 'delegated_admin_relationship', count(*) from delegated_admin_relationship
union all select 'delegated_admin_service', count(*) from delegated_admin_service
union all select 'subscription', count(*) from subscription
union all select 'support_request', count(*) from support_request
union all select 'audit_event', count(*) from audit_event;
