# The signed-in person's own account.

account-title = Your account
account-password-changed = Password changed; your other sessions have ended.
account-mfa-turned-on = Multi-factor sign-in is on.
account-mfa-turned-off = Multi-factor sign-in is off.
account-mfa-title = Multi-factor sign-in
account-mfa-needed = Your organization requires multi-factor sign-in. Set it up here before using the app.
account-mfa-on = On. Signing in asks for a code from your authenticator app; { $n } recovery codes left.
account-mfa-required = Your organization requires it, so it cannot be turned off.
account-mfa-turn-off = Turn off multi-factor sign-in
account-mfa-off-password = Your password, to turn it off
account-mfa-scan = Scan this QR code with an authenticator app (or type the key), then enter the 6-digit code it shows.
account-mfa-qr = QR code for your authenticator app
account-mfa-key = Key:
account-mfa-confirm = Confirm multi-factor sign-in
account-mfa-code = Code from the app
account-mfa-turn-on = Turn on multi-factor sign-in
account-mfa-off = Off. With it on, signing in also needs a code from an authenticator app on your phone.
account-mfa-set-up = Set up multi-factor sign-in
account-recovery-codes = Recovery codes, shown only now. Keep them somewhere safe: each signs you in once without the app.
account-copy-recovery = Copy recovery codes
account-password-title = Change your password
account-current-password = Current password
account-new-password = New password (at least 12 characters)
account-change-password = Change password
