"""Reference R for the benchmark: the least a Django view that stores a row and redirects can do.

No middleware, one model in one table, one INSERT, a 302. Tally's click and postback throughput are printed as
ratios to this app's, measured in the same run on the same machine with the same gunicorn worker model.
"""
