"""The people of a tenant: roles, deactivation, availability."""
