"""Use cases per role: each window (and the keypad path) is handed the one desk it serves,
built in `app.bootstrap` — a counter desk, a kiosk desk, a display feed, a station admin.
A desk answers what its role may do now and does it through the services below."""
