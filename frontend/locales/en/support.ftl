# Support requests: the page and one request.

support-page-title = Support requests
support-opened = Support request opened.
support-not-for-your-role = Your role (user) does not show support requests: it reads only your organization's basics. Your organization's global admin opens and follows them.
support-open-title = Open a support request
support-subscription = Subscription
support-title-label = Title
support-what-is-wrong = What is wrong
support-open = Open request
support-none = No support requests.
support-search = Search by title
support-status = Status
support-all = All
support-status-open = Open
support-status-in-progress = In progress
support-status-escalated = Escalated
support-status-resolved = Resolved
support-updated = Support request updated.
support-escalated = Escalated to the operator.
support-opened-on = opened { $date }
support-hidden-subscription = a subscription you cannot see
support-worked-by = worked by { $name }
support-operator = 21Vianet (operator)
support-comment = Comment
support-keep = Keep as it is
support-update = Update
support-escalate = Escalate to operator
