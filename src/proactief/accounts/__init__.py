"""Who may come in: professionals with a role, sessions, and access codes for residents."""
