# 各页面共用的文字：API 代码的文字、期限，以及角色和计划的含义。

## 代码的文字（code-<CODE>）：状态、渠道、计划、角色、类型。

code-ACCEPTED = 已接受
code-ACTIVE = 活动
code-ADMIN_AGENT = 管理员代理
code-ADVISOR = 顾问
code-ANNUAL = 每年
code-ANY_CUSTOMER = 任意客户
code-API = API
code-APPROVAL_PENDING = 等待审批
code-ASC = 升序
code-AT_LEAST = 至少
code-BILLING_ADMIN = 计费管理员
code-CANCELLED = 已取消
code-CONSENT_PENDING = 等待同意
code-CREATED = 已创建
code-CREATED_AT = 创建时间
code-CSP_DIRECT = CSP 直接
code-CSP_INDIRECT = CSP 间接
code-CSP_INDIRECT_PROVIDER = 间接提供商
code-CSP_INDIRECT_RESELLER = 间接经销商
code-CUSTOMER = 客户
code-CUSTOMER_GRANT = 客户授予
code-DECLINED = 已谢绝
code-DELETED = 已删除
code-DESC = 降序
code-DIRECT = 直接
code-ESCALATED = 已升级
code-EXACT = 精确
code-EXPIRED = 已过期
code-FAILED = 失败
code-GLOBAL_ADMIN = 全局管理员
code-HELPDESK_AGENT = 技术支持代理
code-INDIRECT_PROVIDER = 间接提供商
code-INDIRECT_RESELLER = 间接经销商
code-INVITATION = 邀请
code-IN_PROGRESS = 处理中
code-LICENSE = 许可证
code-MONTHLY = 每月
code-NAME = 名称
code-NONE = 无
code-ONLINE_DIRECT = 在线直销
code-OPEN = 已打开
code-OPERATOR = 运营方
code-OPERATOR_ADMIN = 运营方管理员
code-P1M = 1个月
code-P1Y = 1年
code-P3Y = 3年
code-PARTNER = 合作伙伴
code-PARTNER_REQUEST = 合作伙伴请求
code-PENDING = 待处理
code-PROVISIONING = 预配
code-QUANTITY = 数量
code-REJECTED = 已拒绝
code-REMOVED = 已移除
code-RENEWAL = 续订
code-RESOLVED = 已解决
code-REVOKED = 已撤销
code-SALES = 销售
code-SALES_AGENT = 销售代理
code-SESSION = 会话
code-SKIPPED = 已跳过
code-STATUS = 状态
code-SUCCEEDED = 成功
code-SUPPORT = 支持
code-SUSPENDED = 已暂停
code-TERMINATED = 已终止
code-USAGE = 按使用量
code-USER = 用户

## 期限（ISO 8601）的文字。

duration-years = { $n }年
duration-months = { $n }个月
duration-weeks = { $n }周
duration-days = { $n }天
duration-none = 无
# “1年6个月”各部分之间。
duration-separator = {""}

## 每个角色和计划的一句话说明（term-<CODE>）。

term-ADMIN_AGENT = 管理员代理：合作伙伴的用户，可以执行合作伙伴可以执行的一切操作：邀请、订单、委派管理员请求、关系和支持。
term-ADVISOR = 顾问：旧的推荐计划，已不再接受新成员；顾问必须先加入 CSP，才能进行交易或持有委派管理员权限。
term-BILLING_ADMIN = 计费管理员：客户的用户，可以查看其订阅。
term-CSP_DIRECT = CSP 直接：从运营方购买并自行向客户销售的合作伙伴；它是记录合作伙伴。
term-CSP_INDIRECT_PROVIDER = 间接提供商：为其间接经销商进行交易（作为记录合作伙伴）并为它们创建邀请的分销商。
term-CSP_INDIRECT_RESELLER = 间接经销商：通过间接提供商销售；它不能自己创建邀请或进行交易，但可以被授予委派权限。
term-DIRECT = 直接关系：客户从这个 CSP 直接合作伙伴购买，由它开具账单，它是记录合作伙伴。
term-GLOBAL_ADMIN = 全局管理员：作为委派角色，可完全管理所涵盖的服务（包括预配，不能自动延期）。作为客户的用户角色，负责接受邀请、授予和移除委派权限以及移除关系。
term-HELPDESK_AGENT = 技术支持代理：合作伙伴的用户，处理支持请求并查看其余内容。
term-INDIRECT_PROVIDER = 间接提供商关系：为客户的间接经销商进行交易、作为记录合作伙伴的分销商。
term-INDIRECT_RESELLER = 间接经销商关系：通过间接提供商向客户销售的合作伙伴；它不收到账单。
term-OPERATOR_ADMIN = 运营方管理员：世纪互联，即运营方；在线直销、招募合作伙伴、可以查看一切。
term-PROVISIONING = 预配（委派）：合作伙伴可以在其涵盖的服务的客户订阅上分配和取消分配席位。它不收到账单，也不能移除席位、订购附加产品、迁移订阅或更改其记录合作伙伴。
term-SALES_AGENT = 销售代理：合作伙伴的用户，负责客户、邀请和订单。
term-SUPPORT = 支持（委派）：合作伙伴可以在其涵盖的服务的客户订阅上创建和处理支持请求。可以有多个合作伙伴同时持有。
term-USER = 用户：客户的用户，只能查看其组织的基本信息。

## 数量。

count-customers = { $n } 个客户
count-subscriptions = { $n } 个订阅
