# API 令牌。

tokens-title = API 令牌
tokens-intro-before = 第三方使用带有你的角色的令牌调用 API：请将其作为{" "}
tokens-intro-after = {" "}发送。
tokens-new = 新建 API 令牌
tokens-name = 名称
tokens-expires-after = 有效期
tokens-read-only = 只读（只能查询，不能做任何更改）
tokens-create = 创建令牌
tokens-copy-now = 请立即复制此密钥；它不会再次显示：
tokens-copy-secret = 复制密钥
tokens-none = 还没有 API 令牌。
tokens-access = 访问权限
tokens-created = 创建时间
tokens-expires = 过期时间
tokens-last-used = 上次使用
tokens-status = 状态
tokens-actions = 操作
tokens-access-read = 只读
tokens-access-write = 读写
tokens-never = 从不
tokens-revoke = 吊销
tokens-revoke-title = 吊销令牌“{ $name }”？
tokens-revoke-consequence = 它将立即失效：任何使用它调用 API 的程序从下一个请求起都会被拒绝。此操作无法撤消。
tokens-revoke-confirm = 是，吊销
