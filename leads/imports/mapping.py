"""The person's say over where each column goes: a mapping from header to target.

Targets: a lead field, "campaign_name" (the campaign is found by name, or created when the
person confirmed it), "custom:<name>", or "ignore". With a mapping, a column the person did
not map is ignored: it is never stored under a field nobody chose.
"""

from __future__ import annotations

import io
from itertools import islice
from typing import Any

from django.db import transaction

from leads.imports.columns import CUSTOM_PREFIX, IGNORED, MAX_CUSTOM_NAME, ColumnMap, HeaderError
from leads.imports.csvfile import HEAD_BYTES, MalformedFile, head_problem, open_rows
from leads.imports.models import ImportMapping
from leads.models import Campaign
from smarketing.errors import InputConflict, InvalidInput

IGNORE = "ignore"
CAMPAIGN_BY_NAME = "campaign_name"
LEAD_TARGETS = ("email", "first_name", "last_name", "company", "title", "phone", "industry",
                "company_size", "country", "campaign", "custom_fields")  # fmt: skip
PREVIEW_ROWS = 5


class InvalidMapping(InvalidInput):
    pass


class MappingConflict(InputConflict, InvalidMapping):
    """A saved mapping the tenant does not have: 409, shaped like `InvalidMapping`."""


def target_choices() -> list[tuple[str, str]]:
    labels = {"campaign": "Campaign (id)", "custom_fields": "Custom fields (JSON object)"}
    return [
        *((name, labels.get(name, name.replace("_", " ").capitalize())) for name in LEAD_TARGETS),
        (CAMPAIGN_BY_NAME, "Campaign by name"),
        (IGNORE, "Ignore this column"),
    ]


def clean_mapping(mapping: Any) -> dict[str, str]:
    """{header: target}, checked; raises field errors under `mapping.<header>`."""
    if not isinstance(mapping, dict) or not mapping:
        raise InvalidMapping({"mapping": ["Must be an object of column names to targets."]})
    errors: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for header, target in mapping.items():
        key = f"mapping.{header}"
        if not isinstance(target, str):
            errors[key] = ["Must be a target name."]
        elif target.startswith(CUSTOM_PREFIX):
            custom = target[len(CUSTOM_PREFIX) :].strip()
            if not custom or len(custom) > MAX_CUSTOM_NAME:
                errors[key] = [f"A custom field needs a name of 1 to {MAX_CUSTOM_NAME} characters."]
        elif target not in LEAD_TARGETS and target not in (CAMPAIGN_BY_NAME, IGNORE):
            errors[key] = [f"Unknown target {target!r}; use a lead field, {CAMPAIGN_BY_NAME!r}, "
                           f"'custom:<name>' or {IGNORE!r}."]  # fmt: skip
        elif target != IGNORE and target in seen.values():
            errors[key] = [f"Another column is mapped to {target!r} already."]
        if isinstance(target, str) and target != IGNORE:
            seen[header] = target
    if "email" not in seen.values():
        errors.setdefault("mapping", ["Map one column to email: leads are matched by it."])
    if errors:
        raise InvalidMapping(errors)
    return {str(h).strip(): t for h, t in mapping.items()}


def column_map_for(header: list[str], mapping: dict[str, str]) -> ColumnMap:
    """The ColumnMap of a file under a person's mapping (unmapped columns are ignored)."""
    targets = []
    for raw in header:
        target = mapping.get(raw.replace("\ufeff", "").strip(), IGNORE)
        targets.append(IGNORED if target == IGNORE else target)
    labels = {}
    for raw, target in zip(header, targets, strict=True):
        if target not in (IGNORED,) and not target.startswith(CUSTOM_PREFIX):
            labels.setdefault(target, raw.strip())
    column_map = ColumnMap(header=list(header), targets=targets, labels=labels)
    column_map.check()
    return column_map


def proposed_mapping(header: list[str]) -> dict[str, str]:
    """What the aliases of today make of the header, in the mapping's words."""
    try:
        targets = ColumnMap.from_header(header).targets
    except HeaderError:
        # No e-mail column found: still propose the rest; the person picks the e-mail.
        targets = [_guess(raw) for raw in header]
    return {raw.replace("\ufeff", "").strip(): IGNORE if t == IGNORED else t
            for raw, t in zip(header, targets, strict=True)}  # fmt: skip


def _guess(raw: str) -> str:
    """One column on its own, beside a stand-in e-mail column."""
    return ColumnMap.from_header([raw, "email"]).targets[0]


def import_preview(*, uploaded_file) -> dict[str, Any]:
    """The header, the first rows and the proposed mapping of an uploaded CSV file."""
    uploaded_file.seek(0)
    head = uploaded_file.read(256 * 1024)
    uploaded_file.seek(0)
    # The same refusal as the import itself: what is obviously no CSV text is said at once.
    problem = head_problem(head[:HEAD_BYTES])
    if problem:
        raise MalformedFile(problem)
    try:
        _, rows = open_rows(io.BytesIO(head))
        first = next(rows, None)
        header = first[1] if first else []
        preview_rows = [cells for _, cells in islice(rows, PREVIEW_ROWS)]
    except UnicodeDecodeError:
        raise MalformedFile("The file is not UTF-8 text.") from None
    return {
        "header": [h.replace("\ufeff", "").strip() for h in header],
        "rows": preview_rows,
        "mapping": proposed_mapping(header),
        "targets": [value for value, _ in target_choices()],
        "saved_mappings": {m.name: m.mapping for m in ImportMapping.objects.order_by("name")},
    }


@transaction.atomic
def import_mapping_save(*, tenant, name: str, mapping: dict[str, str]) -> ImportMapping:
    """Save (or replace) a named mapping for later files of the same shape."""
    name = " ".join(str(name or "").split())[:100]
    if not name:
        raise InvalidMapping({"save_mapping_as": ["Give the mapping a name."]})
    saved, _ = ImportMapping.objects.update_or_create(
        name=name, defaults={"tenant": tenant, "mapping": clean_mapping(mapping)}
    )
    return saved


def import_mapping_named(name: str) -> dict[str, str]:
    """The mapping saved under `name`; a name the tenant has not saved is a conflict."""
    saved = ImportMapping.objects.filter(name=name).first()
    if saved is None:
        raise MappingConflict({"mapping_name": [f"No saved mapping named {name!r}."]})
    return saved.mapping


def campaigns_by_name(items: list[dict[str, Any]], *, tenant, create: bool) -> dict[int, str]:
    """Replace each item's "campaign_name" by the campaign's id; returns problems by index.

    One query for the batch; missing campaigns are created only when the person said so.
    """
    from leads.services import campaign_create

    wanted = {str(item[CAMPAIGN_BY_NAME]).strip() for item in items if item.get(CAMPAIGN_BY_NAME)}
    if not wanted:
        return {}
    found = {c.name.lower(): c.pk for c in Campaign.objects.filter(name__in=wanted)}
    for name in sorted(wanted):
        if name.lower() not in found:
            found.update({c.name.lower(): c.pk for c in Campaign.objects.filter(name__iexact=name)})
        if name.lower() not in found and create and len(name) <= 200:
            found[name.lower()] = campaign_create(tenant=tenant, data={"name": name}).pk
    problems = {}
    for index, item in enumerate(items):
        name = str(item.pop(CAMPAIGN_BY_NAME, "") or "").strip()
        if not name:
            continue
        if name.lower() in found:
            item["campaign"] = found[name.lower()]
        else:
            problems[index] = f"No campaign named “{name}” (tick “create missing campaigns”)."
    return problems
