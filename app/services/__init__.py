"""Use cases of the hall, grouped by capability. Plain Python with no Qt: callable from the
tests, the CLI and the UI alike. Every public method is one unit of work and returns frozen
dataclasses, never ORM objects.

- `queue/`       tickets, counter steps, counter sessions, the queue's read models
- `evaluation/`  customer ratings and the alerts for the duty manager
- `devices/`     the device hub, keypad actions, the dispenser (issue + print)
- `security/`    staff log-in and accounts
- `desks/`       one use case per role, handed to its window: counter, kiosk, display, admin
- `simulation/`  demo hall, simulated devices, the hall-day simulator
- shared:        `errors` (DomainError codes), `dto` (frozen dataclasses), `clock`,
                 `hall_ref` (the halls' reference data, cached)

Later capabilities get their own package beside these: `billing/`, `sync/`, `monitoring/`.
"""
