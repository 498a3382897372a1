# A list's pages.

pager-previous = Previous
pager-next = Next
pager-pages = Pages
