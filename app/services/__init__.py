"""Use cases of the hall: queue, counters, auth, demo data, the hall-day simulator.

Plain Python with no Qt: callable from the tests, the CLI and the UI alike. Every public
method is one unit of work and returns frozen dataclasses, never ORM objects.
"""
