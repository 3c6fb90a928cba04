"""Who may come in: professionals with a role, sessions, and one-time codes for residents."""
