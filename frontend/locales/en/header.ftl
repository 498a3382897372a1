# The header: skip link and the language switch.

header-skip = Skip to content
header-language = Language
header-signed-in-as = Signed in as
header-main = Main

## The main navigation.

nav-account = Account
nav-sign-out = Sign out
nav-my-book = My book
nav-home = Home
nav-subscriptions = Subscriptions
nav-invitations = Invitations
nav-partnerships = Partnerships
nav-relationships = Relationships
nav-delegated-admin = Delegated admin
nav-support = Support
nav-audit = Audit log
nav-tokens = API tokens
nav-people = People
nav-webhooks = Webhooks
