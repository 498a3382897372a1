# Words every page uses: codes of the API as words, durations, and what roles and programs mean.

## Codes as words (code-<CODE>): statuses, channels, programs, roles, kinds.

code-ACCEPTED = accepted
code-ACTIVE = active
code-ADMIN_AGENT = admin agent
code-ADVISOR = Advisor
code-ANNUAL = annual
code-ANY_CUSTOMER = any customer
code-API = API
code-APPROVAL_PENDING = approval pending
code-ASC = asc
code-AT_LEAST = at least
code-BILLING_ADMIN = billing admin
code-CANCELLED = cancelled
code-CONSENT_PENDING = consent pending
code-CREATED = created
code-CREATED_AT = created at
code-CSP_DIRECT = CSP direct
code-CSP_INDIRECT = CSP indirect
code-CSP_INDIRECT_PROVIDER = indirect provider
code-CSP_INDIRECT_RESELLER = indirect reseller
code-CUSTOMER = customer
code-CUSTOMER_GRANT = customer grant
code-DECLINED = declined
code-DELETED = deleted
code-DESC = desc
code-DIRECT = direct
code-ESCALATED = escalated
code-EXACT = exact
code-EXPIRED = expired
code-FAILED = failed
code-GLOBAL_ADMIN = global admin
code-HELPDESK_AGENT = helpdesk agent
code-INDIRECT_PROVIDER = indirect provider
code-INDIRECT_RESELLER = indirect reseller
code-INVITATION = invitation
code-IN_PROGRESS = in progress
code-LICENSE = license
code-MONTHLY = monthly
code-NAME = name
code-NONE = none
code-ONLINE_DIRECT = online direct
code-OPEN = open
code-OPERATOR = operator
code-OPERATOR_ADMIN = operator admin
code-P1M = 1 month
code-P1Y = 1 year
code-P3Y = 3 years
code-PARTNER = partner
code-PARTNER_REQUEST = partner request
code-PENDING = pending
code-PROVISIONING = provisioning
code-QUANTITY = quantity
code-REJECTED = rejected
code-REMOVED = removed
code-RENEWAL = renewal
code-RESOLVED = resolved
code-REVOKED = revoked
code-SALES = sales
code-SALES_AGENT = sales agent
code-SESSION = session
code-SKIPPED = skipped
code-STATUS = status
code-SUCCEEDED = succeeded
code-SUPPORT = support
code-SUSPENDED = suspended
code-TERMINATED = terminated
code-USAGE = usage
code-USER = user

## Durations (ISO 8601) as words.

duration-years = { $n ->
    [one] { $n } year
   *[other] { $n } years
}
duration-months = { $n ->
    [one] { $n } month
   *[other] { $n } months
}
duration-weeks = { $n ->
    [one] { $n } week
   *[other] { $n } weeks
}
duration-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
duration-none = none
# Between the parts of "1 year 6 months".
duration-separator = { " " }

## What each role and program means, in one line (term-<CODE>).

term-ADMIN_AGENT = Admin agent: a partner's user who may do everything the partner may do: invitations, orders, delegated admin requests, relationships and support.
term-ADVISOR = Advisor: the legacy referral program, closed to new members; an Advisor must join CSP before it may transact or hold delegated admin rights.
term-BILLING_ADMIN = Billing admin: a customer's user who reads its subscriptions.
term-CSP_DIRECT = CSP direct: a partner that buys from the operator and sells to its customers itself; it is the partner of record.
term-CSP_INDIRECT_PROVIDER = Indirect provider: a distributor that transacts (is partner of record) for its indirect resellers and creates invitations for them.
term-CSP_INDIRECT_RESELLER = Indirect reseller: sells through an indirect provider; it cannot create invitations or transact itself, but may be granted delegated rights.
term-DIRECT = Direct relationship: the customer buys from this CSP direct partner, which bills it and is partner of record.
term-GLOBAL_ADMIN = Global admin: as a delegated role, full administration of the covered services (it includes provisioning, cannot auto-extend). As a customer's user role, the person who accepts invitations, grants and removes delegated rights, and removes relationships.
term-HELPDESK_AGENT = Helpdesk agent: a partner's user who works support requests and reads the rest.
term-INDIRECT_PROVIDER = Indirect provider relationship: the distributor that transacts for the customer's indirect reseller and is partner of record.
term-INDIRECT_RESELLER = Indirect reseller relationship: the partner that sells to the customer through an indirect provider; it gets no bill.
term-OPERATOR_ADMIN = Operator admin: 21Vianet, the operator; sells online direct, enrols partners, reads everything.
term-PROVISIONING = Provisioning (delegated): the partner may assign and unassign seats on the customer's subscriptions of the services it covers. It gets no bill, and may not remove seats, order add-ons, migrate a subscription or change its partner of record.
term-SALES_AGENT = Sales agent: a partner's user who handles customers, invitations and orders.
term-SUPPORT = Support (delegated): the partner may open and work support requests on the customer's subscriptions of the services it covers. Many partners may hold it at once.
term-USER = User: a customer's user who reads only its organization's basics.

## Counts.

count-customers = { $n ->
    [one] { $n } customer
   *[other] { $n } customers
}
count-subscriptions = { $n ->
    [one] { $n } subscription
   *[other] { $n } subscriptions
}
