# 页眉：跳转链接和语言切换。

header-skip = 跳到内容
header-language = 语言
