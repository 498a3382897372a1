# 支持请求：页面和单个请求。

support-page-title = 支持请求
support-opened = 支持请求已提交。
support-not-for-your-role = 你的角色（用户）无法查看支持请求：它只能读取你组织的基本信息。支持请求由你组织的全局管理员提交和跟进。
support-open-title = 提交支持请求
support-subscription = 订阅
support-title-label = 标题
support-what-is-wrong = 问题描述
support-open = 提交请求
support-none = 没有支持请求。
support-search = 按标题搜索
support-status = 状态
support-all = 全部
support-status-open = 待处理
support-status-in-progress = 处理中
support-status-escalated = 已升级
support-status-resolved = 已解决
support-updated = 支持请求已更新。
support-escalated = 已升级给运营方。
support-opened-on = 提交于 { $date }
support-hidden-subscription = 你无权查看的订阅
support-worked-by = 由 { $name } 处理
support-operator = 世纪互联（运营方）
support-comment = 评论
support-keep = 保持不变
support-update = 更新
support-escalate = 升级给运营方
