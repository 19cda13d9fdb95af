"""Who may do what: staff log-in with argon2 password hashes, staff accounts, roles."""
