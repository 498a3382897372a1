-- People: deactivated users, multi-factor sign-in (TOTP, RFC 6238) with recovery codes, and an
-- organization's demand that everyone use it.

-- A deactivated user cannot sign in and holds no live token (the workflow revokes them in the
-- same transaction; the auth_changed triggers of migration 6 empty every token cache).
alter table app_user add column deactivated_at timestamptz;

-- The TOTP secret once enrolment is confirmed; the pending one while the user is scanning it.
-- The last time step accepted, so a code is never accepted twice (RFC 6238 section 5.2).
alter table app_user add column totp_secret bytea check (totp_secret is null or octet_length(totp_secret) >= 20);
alter table app_user add column totp_pending_secret bytea
    check (totp_pending_secret is null or octet_length(totp_pending_secret) >= 20);
alter table app_user add column totp_last_step bigint not null default 0;

-- Single-use recovery codes, stored as SHA-256 (they are 80 random bits, like the tokens'
-- secrets they need no slow hash).
create table recovery_code (
    user_id uuid not null references app_user (user_id) on delete cascade,
    code_hash bytea not null,
    used_at timestamptz,
    primary key (user_id, code_hash)
);

alter table organization add column mfa_required boolean not null default false;

-- A session of a user whose organization requires MFA but who has not enrolled yet: it may
-- only enrol (or sign out). Cleared when enrolment is confirmed; caches hear of it.
alter table auth_token add column enrol_only boolean not null default false;
alter table auth_token add check (kind = 'SESSION' or not enrol_only);
create trigger auth_token_enrol_changed after update of enrol_only on auth_token
    for each statement execute function auth_changed_notify();
create trigger organization_mfa_changed after update of mfa_required on organization
    for each statement execute function auth_changed_notify();
