# The audit log.

audit-title = Audit log
audit-search = Search what happened (e.g. invitation, seats, suspended)
audit-none = No events match.
audit-when = When
audit-what = What happened
audit-by = By
audit-details = Details
audit-the-system = the system
audit-not-visible = not visible to you
audit-customer = Customer
