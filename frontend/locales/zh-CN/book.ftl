# 多渠道客户簿（pages/book.rs）：客户，以及为批量操作选择客户。

book-title = 客户
book-search = 按名称或域名搜索
book-none = 没有匹配的客户。
book-caption = 客户
book-customer = 客户
book-relationship = 关系
book-delegated-roles = 委派角色
book-subscriptions-by-channel = 各渠道订阅
book-expires-soon = 即将到期
book-pick = 选择
book-pick-customer = 选择 { $name }
book-pick-page = 选择本页全部
book-picked = 已选择 { $n } 个客户
book-pick-all-matching = 选择全部 { $n } 个与搜索匹配的客户
book-all-matching-picked = 已选择全部 { $n } 个与搜索匹配的客户
book-clear-selection = 清除选择
