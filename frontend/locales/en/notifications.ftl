# The notifications menu in the header.

notifications-title = Notifications
notifications-many-unread = Notifications, more than 99 unread
notifications-unread = Notifications, { $n } unread
notifications-loading = Loading…
notifications-empty = Nothing has happened yet.
notifications-pair = { $a } and { $b }
notifications-by = by { $name }
notifications-just-now = just now
