# 点击即可查看的术语解释。

term-what-this-means = 含义说明
