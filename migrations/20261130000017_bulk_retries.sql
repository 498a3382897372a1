-- Bulk items that meet a transient failure (a timeout, a lock held too long, a deadlock, the
-- database away) wait and try again instead of being claimed again at once: `tries` counts
-- those failures in the current attempt (retryFailedItems starts a new attempt at 0),
-- `not_before` is when the item may be claimed again. A PENDING item may now carry the code and
-- reason of its last transient failure; FAILED still always has one, and finished items keep
-- theirs only when FAILED.
alter table bulk_item
    add column tries integer not null default 0 check (tries >= 0),
    add column not_before timestamptz,
    drop constraint bulk_item_failure_has_code,
    add constraint bulk_item_failure_has_code
        check (status = 'PENDING' or (status = 'FAILED') = (code is not null));
