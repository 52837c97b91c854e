"""Builders shared by the scoring tests: criteria, personas, a match check and a fixed clock."""

from datetime import datetime, timedelta

from personas.scoring import PersonaSpec, fit_score, validate_criterion

NOW = datetime(2026, 3, 1, 12, 0)
DAY = timedelta(days=1)


def crit(field, operator, value, weight=10):
    return validate_criterion(
        {"field": field, "operator": operator, "value": value, "weight": weight}
    )


def persona(pid, *criteria, version=1, name=None):
    return PersonaSpec(pid, version, name or f"Persona {pid}", tuple(criteria))


def matches(criterion, lead):
    return fit_score(lead, [persona(1, criterion)]).score == 100
