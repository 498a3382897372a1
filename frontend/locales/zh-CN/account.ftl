# 当前登录者自己的账户。

account-title = 你的账户
account-password-changed = 密码已更改；你的其他会话已结束。
account-mfa-turned-on = 多重身份验证登录已开启。
account-mfa-turned-off = 多重身份验证登录已关闭。
account-mfa-title = 多重身份验证登录
account-mfa-needed = 你的组织要求使用多重身份验证登录。请先在此设置，然后再使用本应用。
account-mfa-on = 已开启。登录时需要输入验证器应用中的验证码；还剩 { $n } 个恢复代码。
account-mfa-required = 你的组织要求使用它，因此无法关闭。
account-mfa-turn-off = 关闭多重身份验证登录
account-mfa-off-password = 输入你的密码以关闭它
account-mfa-scan = 用验证器应用扫描此二维码（或输入密钥），然后输入它显示的 6 位验证码。
account-mfa-qr = 验证器应用的二维码
account-mfa-key = 密钥：
account-mfa-confirm = 确认多重身份验证登录
account-mfa-code = 应用中的验证码
account-mfa-turn-on = 开启多重身份验证登录
account-mfa-off = 未开启。开启后，登录时还需要输入手机上验证器应用中的验证码。
account-mfa-set-up = 设置多重身份验证登录
account-recovery-codes = 恢复代码仅此一次显示。请妥善保管：每个代码可在没有应用时登录一次。
account-copy-recovery = 复制恢复代码
account-password-title = 更改密码
account-current-password = 当前密码
account-new-password = 新密码（至少 12 个字符）
account-change-password = 更改密码
