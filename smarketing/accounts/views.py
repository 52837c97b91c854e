"""Account pages that differ from Django's own."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.contrib.auth import views as auth_views

from smarketing.accounts.lockout import account_key


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password through the e-mailed link also lifts the account's lock-out:
    whoever can read the account's mail may try the new password at once, which is the way
    out the lock-out page offers."""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=account_key(form.user))
        return response
