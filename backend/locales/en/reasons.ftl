# A refusal's reason by its code (reason-<CODE>), for when only the code is known. A refusal
# itself keeps its own, more specific English message.

reason-UNAUTHENTICATED = Sign in first: the token is missing, unknown, revoked or expired.
reason-FORBIDDEN = Your role or token does not allow this.
reason-NOT_FOUND = Not found, or not visible to you.
reason-BAD_USER_INPUT = The input is not valid: check the values given.
reason-CONFLICT = This conflicts with the current state (changed meanwhile, or already done).
reason-INVALID_STATE_TRANSITION = The object's current status does not allow this.
reason-ADVISOR_NOT_IN_CSP = An Advisor must join CSP before it may transact or hold delegated admin rights.
reason-ADVISOR_PROGRAM_CLOSED = The Advisor program is closed to new members.
reason-INDIRECT_RESELLER_CANNOT_CREATE_CUSTOMER = An indirect reseller cannot create customers itself: its indirect provider does.
reason-RESELLER_NOT_PARTNERED = This indirect reseller is not partnered with this indirect provider.
reason-NOT_PARTNER_OF_RECORD = Only the partner of record may do this to the subscription.
reason-DELEGATED_ROLE_REQUIRED = This needs a delegated admin role granted by the customer.
reason-QUANTITY_BELOW_ASSIGNED_SEATS = The quantity cannot go below the seats assigned.
reason-NO_SEATS_AVAILABLE = No free seat is left to assign.
reason-NO_ASSIGNED_SEATS = No assigned seat is left to unassign.
reason-SUBSCRIPTION_NOT_ACTIVE = The subscription is not active.
reason-CUSTOMER_GLOBAL_ADMIN_REQUIRED = Only the customer's global admin may do this.
reason-INDIRECT_RESELLER_CANNOT_INVITE = An indirect reseller cannot create invitations: its indirect provider does.
reason-INDIRECT_RESELLER_CANNOT_TRANSACT = An indirect reseller cannot transact itself: the indirect provider is partner of record.
reason-NO_RESELLER_RELATIONSHIP = This partner has no reseller relationship with this customer.
reason-INVITATION_NOT_PENDING = The invitation is no longer pending (accepted, declined, revoked or expired).
reason-DELEGATED_ADMIN_CONFLICT = Another partner already holds conflicting delegated admin rights (provisioning or global admin).
reason-ACTIVE_SUBSCRIPTIONS_EXIST = Active subscriptions remain, so this cannot be done.
reason-MFA_CODE_REQUIRED = The password is right; a code from the authenticator app or a recovery code is also needed.
reason-MFA_ENROLMENT_REQUIRED = Your organization requires multi-factor sign-in: set it up on your account page first.
reason-RATE_LIMITED = Too many attempts: try again later.
reason-SERVICE_UNAVAILABLE = The service is unavailable; try again shortly.
reason-TIMEOUT = The request took too long; try again shortly.
reason-GRAPHQL_VALIDATION_FAILED = The request is not valid GraphQL for this schema (syntax, unknown fields or wrong types).
reason-QUERY_TOO_COMPLEX = The query is nested deeper or costs more than the server allows.
reason-INTERNAL = Internal error; try again shortly.
