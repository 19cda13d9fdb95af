"""The crash probe (issue 7): counters and dispensers in their own OS processes, killed
with SIGKILL at random moments and restarted, and on PostgreSQL the server stopped with
`pg_ctl stop -m immediate` and started again, while they issue and call; afterwards the
database is checked for lost, doubled and renumbered tickets.

`worker` is the process, `probe` starts, kills and restarts them, `integrity` reads the
database afterwards. `tests/integration/test_crash_probe.py` runs a short probe with the
suite; `scripts/soak` a long one.
"""
