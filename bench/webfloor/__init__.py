"""bench/web.py's second floor: a signed-in trivial page.

The first floor (`/portal/healthz/`) has no session. This one goes through the same
middleware as the pages measured, loads the session and the user as they do, and answers a
few bytes: the cost every signed-in page pays before its own work. Served only by the
benchmark's server (its settings add one URL to the project's); the app does not have it.
"""
