def lockout_username(request, credentials: dict | None) -> str | None:
    """The key failed logins are counted under: the e-mail, case-folded.

    Without folding, "Ann@x.com" and "ann@x.com" would each get their own five tries.
    """
    username = (credentials or {}).get("username") or request.POST.get("username")
    return username.strip().lower() if username else None
