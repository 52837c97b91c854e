"""Webhooks: endpoints that integrations register, and signed, retried deliveries to them."""
