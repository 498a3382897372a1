# The Export button of the book, subscriptions and audit lists.
export-button = Export CSV
export-running = Exporting…
export-failed = The export failed; try again.
