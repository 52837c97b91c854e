"""Invitations: an admin asks someone by e-mail to join the tenant with a role."""
