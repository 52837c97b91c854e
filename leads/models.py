from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from smarketing.tenancy.models import TenantScoped


class Stage(models.TextChoices):
    LEAD = "lead", "Lead"
    MQL = "mql", "MQL"
    SQL = "sql", "SQL"
    OPPORTUNITY = "opportunity", "Opportunity"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    RECYCLED = "recycled", "Recycled"
    DISQUALIFIED = "disqualified", "Disqualified"


FINAL_STAGES = frozenset({Stage.WON, Stage.LOST, Stage.DISQUALIFIED})
OPEN_STAGES = frozenset(Stage.values) - FINAL_STAGES


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    PAID_SEARCH = "paid_search", "Paid search"
    PAID_SOCIAL = "paid_social", "Paid social"
    ORGANIC = "organic", "Organic / SEO"
    CONTENT = "content", "Content"
    WEBINAR = "webinar", "Webinar"
    EVENT = "event", "Event"
    REFERRAL = "referral", "Referral"
    PARTNER = "partner", "Partner"
    OTHER = "other", "Other"


class Campaign(TenantScoped):
    name = models.CharField(max_length=200)
    # What `utm_campaign` names in links to the company's pages; web forms credit it.
    slug = models.SlugField(max_length=200, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.OTHER)
    cost = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    # The marketer answerable for it: told when sales rejects a lead the system handed off.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="campaign_unique_name"),
            models.UniqueConstraint(
                fields=["tenant", "slug"],
                name="campaign_unique_slug",
                condition=~models.Q(slug=""),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Lead(TenantScoped):
    """A person marketing and sales work on. `email` is stored lower-case: one lead per
    address per tenant."""

    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    company_size = models.PositiveIntegerField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    custom_fields = models.JSONField(default=dict, blank=True)

    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.LEAD)
    stage_changed_at = models.DateTimeField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_leads",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    # The SLA's deadline to accept or reject this SQL, copied here by the SLA app when it opens
    # or closes the `accept` obligation (leads knows no SLA): the queue orders by it.
    accept_due_at = models.DateTimeField(null=True, blank=True)
    accept_warn_at = models.DateTimeField(null=True, blank=True)

    # The persona lives in the personas app; leads only keeps which one scored it.
    persona_id = models.BigIntegerField(null=True, blank=True)
    persona_version = models.PositiveIntegerField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(default=0)
    fit_score = models.PositiveSmallIntegerField(default=0)
    engagement_score = models.PositiveSmallIntegerField(default=0)
    # Decayed engagement points as of `engagement_at`, so a new event adds without a re-read.
    engagement_raw = models.FloatField(default=0.0)
    engagement_at = models.DateTimeField(null=True, blank=True)
    score_breakdown = models.JSONField(default=dict, blank=True)

    is_cold = models.BooleanField(default=False)
    cold_since = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    # A lead merged into another is a tombstone: its pages and API id lead to the survivor.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "email"], name="lead_unique_email"),
            models.CheckConstraint(condition=models.Q(score__lte=100), name="lead_score_max_100"),
        ]
        indexes = [
            models.Index(fields=["tenant", "stage", "-id"], name="lead_stage_idx"),
            models.Index(fields=["tenant", "owner", "-id"], name="lead_owner_idx"),
            models.Index(fields=["tenant", "-created_at"], name="lead_created_idx"),
            # The funnel's `lead` stage counts a period's leads, merged-away ones left out,
            # from this index alone (no heap visit per lead: a quarter is ~125,000 leads).
            models.Index(
                fields=["tenant", "created_at"],
                condition=models.Q(merged_into__isnull=True),
                name="lead_created_counted_idx",
            ),
            # The sales queue: nearest deadline first (no deadline last), then the hottest.
            # (PostgreSQL sorts NULLs last in an ascending index, as the queue wants.)
            # `score` stays out of every index: re-scoring rewrites it on every lead, and an
            # indexed column would rule out heap-only (HOT) updates. Leads sharing a deadline
            # are few, so ordering them by score is a small incremental sort.
            models.Index(
                fields=["tenant", "accept_due_at"],
                name="lead_queue_due_idx",
                condition=models.Q(stage="sql", accepted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_tombstone(self) -> bool:
        return self.merged_into_id is not None


class EventType(models.TextChoices):
    PAGE_VIEW = "page_view", "Page view"
    FORM_SUBMIT = "form_submit", "Form submitted"
    EMAIL_OPEN = "email_open", "E-mail opened"
    EMAIL_CLICK = "email_click", "E-mail clicked"
    DOWNLOAD = "download", "Download"
    WEBINAR = "webinar", "Webinar"
    CALL = "call", "Call"
    EMAIL = "email", "E-mail sent by sales"
    MEETING = "meeting", "Meeting"


SALES_TOUCH_TYPES = frozenset({EventType.CALL, EventType.EMAIL, EventType.MEETING})


class LeadEvent(TenantScoped):
    """Engagement (marketing) or a touch (sales) that happened to a lead."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=EventType.choices)
    occurred_at = models.DateTimeField()
    properties = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantScoped.Meta):
        indexes = [models.Index(fields=["lead", "-occurred_at"], name="leadevent_lead_idx")]

    def __str__(self) -> str:
        return f"{self.type} on {self.lead_id}"

    @property
    def is_sales_touch(self) -> bool:
        return self.type in SALES_TOUCH_TYPES


class TransitionAction(models.TextChoices):
    MOVE = "move", "Stage change"
    ACCEPT = "accept", "Accepted"
    REJECT = "reject", "Rejected"
    ASSIGN = "assign", "Assigned"
    MERGE = "merge", "Merged"
    ERASE = "erase", "Erased"


class StageTransition(TenantScoped):
    """An immutable record of what happened to a lead's stage or ownership, and who did it."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=10, choices=TransitionAction.choices)
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "system", or who acted without being a member (an integration key).
    actor_label = models.CharField(max_length=120, blank=True)
    reason_code = models.CharField(max_length=50, blank=True)
    note = models.TextField(blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    at = models.DateTimeField()
    # When the lead entered the funnel step this record ends (its stage, or acceptance for a
    # move out of an accepted SQL): the time spent in that step is `at - step_started_at`,
    # read per row by the funnel's velocity figures without a walk through the history.
    step_started_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        indexes = [
            models.Index(fields=["lead", "-at"], name="transition_lead_idx"),
            models.Index(fields=["tenant", "to_stage", "at"], name="transition_stage_at_idx"),
            # A period's funnel reads every counted move of a range from this index alone;
            # the records no figure counts (assignments, merges) stay out of it.
            models.Index(
                fields=["tenant", "at"],
                include=["action", "to_stage", "reason_code", "step_started_at", "lead"],
                condition=models.Q(action__in=["move", "accept", "reject"]),
                name="transition_at_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_stage} → {self.to_stage} ({self.action})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Stage transitions are immutable; record a new one instead.")
        super().save(*args, **kwargs)


class RejectionReason(TenantScoped):
    """Why sales sends an SQL back to marketing; each tenant keeps its own list."""

    code = models.SlugField(max_length=50)
    label = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta(TenantScoped.Meta):
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="rejection_reason_unique_code")
        ]

    def __str__(self) -> str:
        return self.label


DEFAULT_REJECTION_REASONS = [
    ("bad_fit", "Bad fit"),
    ("no_budget", "No budget"),
    ("wrong_contact", "Wrong contact"),
    ("duplicate", "Duplicate"),
    ("not_reachable", "Not reachable"),
    ("no_interest", "No interest"),
    ("competitor", "Went with a competitor"),
]


class TouchSource(models.TextChoices):
    """How a campaign reached the lead."""

    INGEST = "ingest", "Created or updated naming the campaign (API, bulk, lead form)"
    IMPORT = "import", "CSV import naming the campaign"
    FORM = "form", "Web form of the campaign"
    UTM = "utm", "Web form sent from a link tagged with the campaign's slug"
    EVENT = "event", "Engagement event naming the campaign"
    EDIT = "edit", "Campaign set on the lead by hand"
    BACKFILL = "backfill", "The lead's campaign when the history began"


class CampaignTouch(TenantScoped):
    """A campaign reached the lead: the lead's campaign history, read by attribution.

    The lead's `campaign` is the latest campaign named on it; touches are every campaign it
    came through, each at the moment it did (a lead created naming a campaign is touched at
    its `created_at`). Two touches of a lead in a row never name the same campaign: a repeat
    changes no first- or last-touch attribution, so it is not recorded
    (`leads.services.touches`). No personal data: the lead, the campaign, how and when.
    """

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="campaign_touches")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="touches")
    source = models.CharField(max_length=20, choices=TouchSource.choices)
    at = models.DateTimeField()

    class Meta(TenantScoped.Meta):
        indexes = [
            # Attribution reads a lead's touches up to an instant: (lead, at) serves it.
            models.Index(fields=["lead", "-at"], name="campaigntouch_lead_idx"),
            models.Index(fields=["campaign", "-at"], name="campaigntouch_campaign_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} touched {self.lead_id} ({self.source})"


# Models of the packages live next to their code; importing them here registers them.
from leads.digest.models import RejectionDigest  # noqa: E402,F401
from leads.duplicates.models import LeadMatchKey  # noqa: E402,F401
from leads.funnel.models import FunnelDayRollup, FunnelRollupState  # noqa: E402,F401
from leads.imports.models import ImportMapping, LeadImport  # noqa: E402,F401
from leads.merging.models import LeadMerge  # noqa: E402,F401
from leads.routing.models import RoutingRule, RoutingSettings, Team, TeamMember  # noqa: E402,F401
from leads.saved_views.models import SavedView  # noqa: E402,F401
from leads.webforms.models import LeadConsent, WebForm  # noqa: E402,F401
