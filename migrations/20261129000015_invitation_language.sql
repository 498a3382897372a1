-- The language of an invitation's ready-made email (domain/email.rs writes it): English or
-- Simplified Chinese. Existing invitations were written in English.
alter table invitation
    add column language text not null default 'EN' check (language in ('EN', 'ZH_CN'));
