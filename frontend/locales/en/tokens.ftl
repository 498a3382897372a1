# API tokens.

tokens-title = API tokens
tokens-intro-before = Third parties call the API with a token carrying your roles: send it as{" "}
tokens-intro-after = .
tokens-new = New API token
tokens-name = Name
tokens-expires-after = Expires after
tokens-read-only = Read-only (it may query, never change anything)
tokens-create = Create token
tokens-copy-now = Copy this secret now; it is not shown again:
tokens-copy-secret = Copy secret
tokens-none = No API tokens yet.
tokens-access = Access
tokens-created = Created
tokens-expires = Expires
tokens-last-used = Last used
tokens-status = Status
tokens-actions = Actions
tokens-access-read = read-only
tokens-access-write = read and write
tokens-never = never
tokens-revoke = Revoke
tokens-revoke-title = Revoke the token "{ $name }"?
tokens-revoke-consequence = It stops working now: any program calling the API with it is refused from the next request. This cannot be undone.
tokens-revoke-confirm = Yes, revoke
