import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.text import get_valid_filename

from smarketing.tenancy.models import TenantScoped


def _stored_name(instance, filename: str, suffix: str = "") -> str:
    # A fresh folder per file: two uploads named "leads.csv" never overwrite each other.
    stem = get_valid_filename(PurePath(filename).stem)[:80] or "import"
    return f"imports/{instance.tenant_id}/{uuid.uuid4().hex}/{stem}{suffix}.csv"


def upload_to(instance, filename: str) -> str:
    return _stored_name(instance, filename)


def error_report_to(instance, filename: str) -> str:
    return _stored_name(instance, filename, "-errors")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


FINISHED_STATUSES = frozenset({ImportStatus.DONE, ImportStatus.FAILED})


class LeadImport(TenantScoped):
    """One uploaded CSV file and what became of its rows.

    `done` counts the rows read so far; each of them is `created`, `updated`, `unchanged`
    or `failed`. `total` is an upper bound (lines in the file) until the import finishes.
    """

    file = models.FileField(upload_to=upload_to, max_length=300)
    original_filename = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # Why the whole file was refused (malformed), in words for the person who uploaded it.
    error = models.TextField(blank=True)
    # CSV header -> what it became: a lead field, "custom:<name>" or "ignored".
    column_map = models.JSONField(default=dict, blank=True)
    # The first failed rows ({"line", "email", "reason"}), for the page while it runs.
    failure_sample = models.JSONField(default=list, blank=True)
    error_report = models.FileField(upload_to=error_report_to, max_length=300, blank=True)
    # The person's mapping {header: target} (see `mapping.py`); empty: the aliases decide.
    mapping = models.JSONField(default=dict, blank=True)
    create_campaigns = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        indexes = [models.Index(fields=["tenant", "-created_at"], name="leadimport_recent_idx")]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return min(100, round(100 * self.done / self.total)) if self.total else 0


class ImportMapping(TenantScoped):
    """A mapping saved under a name, for the next file of the same shape."""

    name = models.CharField(max_length=100)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="importmapping_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
