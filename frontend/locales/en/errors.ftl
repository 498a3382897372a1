# Why the API refuses, by its stable code (error-<CODE>), and the app's own failures.

error-UNAUTHENTICATED = Please sign in again.
error-FORBIDDEN = You are not allowed to do this.
error-NOT_FOUND = Not found, or not visible to your organization.
error-BAD_USER_INPUT = Some of what you entered is not valid.
error-CONFLICT = Someone changed this at the same time; reload and try again.
error-INVALID_STATE_TRANSITION = This is not possible in its current state.
error-ADVISOR_NOT_IN_CSP = An Advisor must join CSP first.
error-ADVISOR_PROGRAM_CLOSED = The Advisor program is closed to new members.
error-INDIRECT_RESELLER_CANNOT_CREATE_CUSTOMER = An indirect reseller cannot create customers.
error-RESELLER_NOT_PARTNERED = That reseller is not in an active partnership with you.
error-NOT_PARTNER_OF_RECORD = Only the partner of record may do this.
error-DELEGATED_ROLE_REQUIRED = This needs a delegated admin role for the service.
error-QUANTITY_BELOW_ASSIGNED_SEATS = The quantity cannot go below the seats assigned.
error-NO_SEATS_AVAILABLE = No seats are available.
error-NO_ASSIGNED_SEATS = No seats are assigned.
error-SUBSCRIPTION_NOT_ACTIVE = The subscription is not active.
error-CUSTOMER_GLOBAL_ADMIN_REQUIRED = Only a global admin of the customer may do this.
error-INDIRECT_RESELLER_CANNOT_INVITE = An indirect reseller cannot create invitations; use the one your indirect provider sent you.
error-INDIRECT_RESELLER_CANNOT_TRANSACT = An indirect reseller cannot transact; its indirect provider does.
error-NO_RESELLER_RELATIONSHIP = There is no reseller relationship with this customer.
error-INVITATION_NOT_PENDING = The invitation is no longer pending.
error-DELEGATED_ADMIN_CONFLICT = Another partner already holds that delegated role.
error-ACTIVE_SUBSCRIPTIONS_EXIST = Active subscriptions still exist.
error-MFA_CODE_REQUIRED = Enter the code from your authenticator app.
error-MFA_ENROLMENT_REQUIRED = Your organization requires multi-factor sign-in: set it up on your account page first.
error-RATE_LIMITED = Too many attempts; wait a moment and try again.
error-SERVICE_UNAVAILABLE = The service had a problem; please try again.
error-TIMEOUT = The service had a problem; please try again.
error-GRAPHQL_VALIDATION_FAILED = The request was not understood.
error-QUERY_TOO_COMPLEX = The request asks for too much at once.
error-INTERNAL = The service had a problem; please try again.
error-NETWORK = The server cannot be reached. Check your connection and try again.
# "You are not allowed to do this: <the API's reason>."
error-forbidden-because = You are not allowed to do this: { $reason }.
# Between the code's words and the API's own reason, when that reason is in the viewer's language.
error-detail = { $words } { $detail }
# Between two refusal reasons on one row.
reason-separator = { "; " }
