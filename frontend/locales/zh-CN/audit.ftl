# 审核日志。

audit-title = 审核日志
audit-search = 搜索发生的事件（如邀请、席位、暂停）
audit-none = 没有匹配的事件。
audit-when = 时间
audit-what = 发生的事件
audit-by = 操作者
audit-details = 详细信息
audit-the-system = 系统
audit-not-visible = 你无权查看
audit-customer = 客户
