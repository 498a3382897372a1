# The multi-channel book (pages/book.rs): customers, and picking them for a bulk operation.

book-title = Customers
book-search = Search by name or domain
book-none = No customers match.
book-caption = Customers
book-customer = Customer
book-relationship = Relationship
book-delegated-roles = Delegated roles
book-subscriptions-by-channel = Subscriptions by channel
book-expires-soon = expires soon
book-pick = Pick
book-pick-customer = Pick { $name }
book-pick-page = Select all on this page
book-picked = { $n ->
    [one] 1 customer picked
   *[other] { $n } customers picked
}
book-pick-all-matching = Pick all { $n } matching the search
book-all-matching-picked = All { $n } customers matching the search are picked
book-clear-selection = Clear selection
