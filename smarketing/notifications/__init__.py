"""Notifications to people: in-app (the bell) and e-mail, built from the outbox exactly once."""
