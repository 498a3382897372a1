# 页眉中的通知菜单。

notifications-title = 通知
notifications-many-unread = 通知，超过 99 条未读
notifications-unread = 通知，{ $n } 条未读
notifications-loading = 正在加载…
notifications-empty = 还没有发生任何事件。
notifications-pair = { $a } 和 { $b }
notifications-by = 操作者：{ $name }
notifications-just-now = 刚刚
