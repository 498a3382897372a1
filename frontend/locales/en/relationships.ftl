# Reseller relationships, provider–reseller partnerships, and the page not found.

rel-title = Reseller relationships
rel-intro-customer = The partners your organization works with.
rel-intro-partner = The customers your organization has a relationship with.
rel-user-role = Your role (user) does not show reseller relationships: it reads only your organization's basics. Your organization's global admin sees them and removes them; the channel map shows your partners.
rel-none = No active relationships match.
rel-caption = Active reseller relationships
rel-col-customer = Customer
rel-col-partner = Partner
rel-col-kind = Kind
rel-col-since = Since
rel-col-actions = Actions
rel-former-customer = a former customer (no longer visible)
rel-through = { " " }(through { $name })
rel-remove = Remove…
rel-remove-label = Remove { $partner } from { $customer }
rel-search = Search by customer or partner name
pl-sign-in = An indirect provider invites your organization to resell through it. Sign in as your organization's admin agent to accept.
pl-title = Partnership invitation
pl-accepted = You now resell through { $provider }.
pl-yours = Your partnerships
pl-closed = This link can no longer be accepted.
pl-explain = Accepting makes your organization an indirect reseller of the provider that sent this link: it can then name you on its invitations and tag you on the subscriptions it orders.
pl-accept = Accept partnership
ps-title = Partnerships
ps-count =
    { $n ->
        [one] { $n } partnership
       *[other] { $n } partnerships
    }
ps-count-at-least =
    { $n ->
        [one] at least { $n } partnership
       *[other] at least { $n } partnerships
    }
ps-link-created = Partnership link created: send it to the reseller.
ps-accepted = Partnership accepted.
ps-removed = Partnership removed; customers and delegated rights stay as they are.
ps-only = Only indirect providers and indirect resellers have partnerships.
ps-invite = Invite a reseller: create a link and send it to the reseller's admin agent.
ps-create-link = Create a partnership link
ps-accept-form = Accept a partnership link
ps-accept-title = Accept a provider's link
ps-link-or-code = Link or code
ps-status = Status
ps-all = All (active first)
ps-active = Active
ps-pending = Link not used yet
ps-expired = Link expired
ps-removed-status = Removed
ps-none = No partnerships match.
ps-col-provider = Provider
ps-col-reseller = Reseller
ps-col-status = Status
ps-col-since = Since
ps-col-actions = Actions
ps-not-used = (link not used yet)
ps-removed-on = , removed { $date }
ps-withdraw = Withdraw
ps-remove = Remove
not-found = Page not found
not-found-home = Home
