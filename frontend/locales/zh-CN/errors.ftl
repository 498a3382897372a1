# Why the API refuses, by its stable code (error-<CODE>), and the app's own failures.

error-UNAUTHENTICATED = 请重新登录。
error-FORBIDDEN = 您无权执行此操作。
error-NOT_FOUND = 未找到，或您的组织无权查看。
error-BAD_USER_INPUT = 您输入的部分内容无效。
error-CONFLICT = 有人同时更改了此项；请重新加载后重试。
error-INVALID_STATE_TRANSITION = 当前状态下无法执行此操作。
error-ADVISOR_NOT_IN_CSP = 顾问必须先加入云解决方案提供商计划。
error-ADVISOR_PROGRAM_CLOSED = 顾问计划已不再接受新成员。
error-INDIRECT_RESELLER_CANNOT_CREATE_CUSTOMER = 间接经销商不能创建客户。
error-RESELLER_NOT_PARTNERED = 该经销商与您没有有效的合作关系。
error-NOT_PARTNER_OF_RECORD = 只有记录合作伙伴可以执行此操作。
error-DELEGATED_ROLE_REQUIRED = 此操作需要该服务的委派管理员角色。
error-QUANTITY_BELOW_ASSIGNED_SEATS = 数量不能少于已分配的席位数。
error-NO_SEATS_AVAILABLE = 没有可用的席位。
error-NO_ASSIGNED_SEATS = 没有已分配的席位。
error-SUBSCRIPTION_NOT_ACTIVE = 该订阅未处于活动状态。
error-CUSTOMER_GLOBAL_ADMIN_REQUIRED = 只有客户的全局管理员可以执行此操作。
error-INDIRECT_RESELLER_CANNOT_INVITE = 间接经销商不能创建邀请；请使用间接提供商发给您的邀请。
error-INDIRECT_RESELLER_CANNOT_TRANSACT = 间接经销商不能进行交易；由其间接提供商进行。
error-NO_RESELLER_RELATIONSHIP = 与该客户没有经销商关系。
error-INVITATION_NOT_PENDING = 该邀请已不再处于待处理状态。
error-DELEGATED_ADMIN_CONFLICT = 另一合作伙伴已持有该委派角色。
error-ACTIVE_SUBSCRIPTIONS_EXIST = 仍有活动的订阅。
error-MFA_CODE_REQUIRED = 请输入身份验证器应用中的验证码。
error-MFA_ENROLMENT_REQUIRED = 您的组织要求多重身份验证登录：请先在账户页面中进行设置。
error-RATE_LIMITED = 尝试次数过多；请稍候再试。
error-SERVICE_UNAVAILABLE = 服务出现问题；请重试。
error-TIMEOUT = 服务响应超时；请重试。
error-GRAPHQL_VALIDATION_FAILED = 无法理解该请求。
error-QUERY_TOO_COMPLEX = 请求一次要求的内容过多。
error-INTERNAL = 服务出现问题；请重试。
error-NETWORK = 无法连接服务器。请检查网络连接后重试。
# "You are not allowed to do this: <the API's reason>."
error-forbidden-because = 您无权执行此操作：{ $reason }
# Between the code's words and the API's own reason, when that reason is in the viewer's language.
error-detail = { $words }{ $detail }
# Between two refusal reasons on one row.
reason-separator = ；
