"""Personal data: erasing a person from the core's tables, and retention of what ages out.

The app that owns a person (leads) erases its own rows and calls `person_erase` for the
core's copies: outbox payloads, webhook deliveries, idempotency answers, notifications.
Retention prunes what is only kept for a while (`retention_sweep`, run by beat).
"""
