# 页眉：跳转链接和语言切换。

header-skip = 跳到内容
header-language = 语言
header-signed-in-as = 当前登录
header-main = 主导航

## 主导航。

nav-account = 账户
nav-sign-out = 退出登录
nav-my-book = 我的客户
nav-home = 首页
nav-subscriptions = 订阅
nav-invitations = 邀请
nav-partnerships = 合作伙伴关系
nav-relationships = 经销商关系
nav-delegated-admin = 委派管理员权限
nav-support = 支持
nav-audit = 审核日志
nav-tokens = API 令牌
nav-people = 人员
nav-webhooks = Webhook
