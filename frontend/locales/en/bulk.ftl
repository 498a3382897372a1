# Bulk operations (pages/bulk.rs, components/bulk_bar.rs): one change for many customers.

bulk-title = Bulk operation
bulk-bar = Bulk action
bulk-kind = Action
bulk-kind-request = Request delegated admin
bulk-kind-invitation = Send an invitation
bulk-kind-terminate = End delegated admin
bulk-kind-auto-extend = Set auto-extension
bulk-name = Name
bulk-name-help = Each relationship is named this, followed by the customer's name.
bulk-roles = Roles
bulk-role-provisioning = Provisioning
bulk-role-support = Support
bulk-service = Service
bulk-duration = For how long
bulk-message = Message
bulk-auto-extend = Auto-extension
bulk-auto-extend-on = On (180 days at each end)
bulk-auto-extend-off = Off
bulk-start = Start
bulk-start-title = { $kind } for { $n ->
    [one] 1 customer
   *[other] { $n } customers
}?
bulk-start-consequence = Each customer is handled on its own, with the same checks as one at a time. You can watch the progress, cancel what has not started, and retry failures.
bulk-start-confirm = Yes, start
bulk-progress = Progress
bulk-counts = { $done } of { $total } done: { $succeeded } succeeded, { $failed } failed, { $skipped } skipped
bulk-cancel = Cancel
bulk-cancel-title = Cancel this bulk operation?
bulk-cancel-consequence = { $n ->
    [one] The 1 customer not yet handled is skipped.
   *[other] The { $n } customers not yet handled are skipped.
} What is done stays done.
bulk-cancel-confirm = Yes, cancel
bulk-cancelled = Cancelled: the rest is skipped.
bulk-retry-failed = Retry failed
bulk-retrying = Retrying the failures.
bulk-failures = Failures
bulk-customer = Customer
bulk-reason = Reason
bulk-not-found = This bulk operation was not found.
bulk-recent = Recent bulk operations
bulk-none-yet = No bulk operations yet.
bulk-recent-counts = { $succeeded } of { $total } succeeded, { $failed } failed
code-RUNNING = running
code-PARTIALLY_FAILED = partially failed
code-DELEGATED_ADMIN_REQUEST = delegated admin request
code-TERMINATE_DELEGATED_ADMIN = end delegated admin
code-SET_AUTO_EXTEND = set auto-extension
