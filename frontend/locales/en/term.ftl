# A term explained a click away.

term-what-this-means = What this means
