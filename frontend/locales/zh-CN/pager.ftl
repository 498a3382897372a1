# 列表的分页。

pager-previous = 上一页
pager-next = 下一页
pager-pages = 分页
