"""The hall queue: numbering and issuing tickets, the counter steps (call, recall, serve,
finish, no-show, hold, call back, transfer), counter sessions and pauses, and the read
models the windows and the devices show (a counter's state, the hall snapshot, the event
feed). Every writing step is one transaction in the central database."""
