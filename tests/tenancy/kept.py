"""For tests of what workers keep: a test's transaction never commits, so the changes it
makes would never replace the token (smarketing/tenancy/configuration.py)."""

from django.db import connection

from smarketing.tenancy.configuration import TokenReplacement


def configuration_committed() -> None:
    """Replace the configuration token as the commit of the changes made so far would."""
    for _, callback, _ in connection.run_on_commit:
        if isinstance(callback, TokenReplacement) and not callback.done:
            callback()


def credentials_committed() -> None:
    """Replace the credentials token as the commit of the changes made so far would (and
    drop those pending replacements: the next change registers its own)."""
    from smarketing.tenancy import credentials

    pending = [
        entry for entry in connection.run_on_commit if entry[1] is credentials._replace_token
    ]
    for entry in pending:
        connection.run_on_commit.remove(entry)
        entry[1]()
