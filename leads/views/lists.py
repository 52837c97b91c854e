"""The lead list: the API's filters and search, sortable, paged, with bulk moves for marketing."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import ListView

from leads import selectors
from leads.filters import LeadPageFilter
from leads.forms import BulkMoveForm, first_error
from leads.models import Campaign, Lead, Stage
from leads.page_actions import LeadOutcome, bulk_actions, bulk_transition
from leads.saved_views.models import LEAD_COLUMNS
from leads.saved_views.services import clean_columns, clean_query, saved_views_visible
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import has_capability
from smarketing.tenancy.views import TenantPageMixin

PAGE_SIZE = 50
BULK_REPORT_KEY = "leads.bulk_report"
BULK_REPORT_SHOWN = 200

# Every ordering ends on the id, so pages never overlap or skip a row.
ORDERINGS = {
    "-created_at": ("Newest first", (F("created_at").desc(), F("id").desc())),
    "created_at": ("Oldest first", (F("created_at").asc(), F("id").asc())),
    "-score": ("Highest score", (F("score").desc(), F("id").desc())),
    "score": ("Lowest score", (F("score").asc(), F("id").asc())),
    "-last_activity_at": (
        "Latest activity",
        (F("last_activity_at").desc(nulls_last=True), F("id").desc()),
    ),
    "last_activity_at": (
        "Least recent activity",
        (F("last_activity_at").asc(nulls_first=True), F("id").asc()),
    ),
}
DEFAULT_ORDERING = "-created_at"


def is_partial(request) -> bool:
    """An htmx swap of the results (not a history restore, which needs the whole page)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def list_url(request) -> str:
    return reverse("leads:list", kwargs={"tenant_slug": request.tenant.slug})


class LeadListView(TenantPageMixin, ListView):
    template_name = "leads/lead_list.html"
    partial_template_name = "leads/_lead_results.html"
    context_object_name = "leads"
    paginate_by = PAGE_SIZE

    def get_ordering(self) -> str:
        requested = self.request.GET.get("ordering", "")
        return requested if requested in ORDERINGS else DEFAULT_ORDERING

    def get_queryset(self):
        self.filterset = LeadPageFilter(
            self.request.GET or None, queryset=selectors.lead_list(), request=self.request
        )
        return self.filterset.qs.order_by(*ORDERINGS[self.get_ordering()][1])

    def paginate_queryset(self, queryset, page_size):
        # A page number past the end (the list shrank) shows the last page, not an error.
        paginator = Paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_template_names(self) -> list[str]:
        return [self.partial_template_name if is_partial(self.request) else self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor = Actor.from_request(self.request)
        filters = self.request.GET
        context.update(
            partial=is_partial(self.request),
            filterset=self.filterset,
            filter_errors=[
                f"{self.filterset.form.fields[name].label or name}: {errors[0]}"
                for name, errors in (self.filterset.errors or {}).items()
            ],
            bulk_actions=bulk_actions(actor=actor),
            ordering=self.get_ordering(),
            orderings=[(key, label) for key, (label, _) in ORDERINGS.items()],
            stages=Stage.choices,
            selected_stages=filters.getlist("stage"),
            campaigns=[] if is_partial(self.request) else Campaign.objects.order_by("name"),
            filtered=any(v for k, v in filters.items() if k not in ("page", "ordering", "cols")),
            **self.view_context(actor),
            bulk_report=self.request.session.pop(BULK_REPORT_KEY, None),
            can_assign=has_capability(self.request.role, "leads.assign"),
        )
        if context["can_assign"]:
            from leads.views.edit import assignable_emails

            context["assignees"] = assignable_emails()
        return context

    def view_context(self, actor: Actor) -> dict:
        """Columns shown, and the saved views with what "Save this view" would keep."""
        shown = clean_columns(self.request.GET.getlist("cols"))
        query = clean_query(self.request.GET.urlencode())
        columns = "&".join(f"cols={name}" for name in shown)
        return {
            "shown_columns": shown,
            "column_choices": list(LEAD_COLUMNS.items()),
            "view_query": query,
            "applied_query": "&".join(part for part in (query, columns) if part),
            "saved_views": list(saved_views_visible(actor=actor)),
        }


class LeadBulkView(TenantPageMixin, View):
    """Flag or hand off the selected leads, each through the lifecycle on its own."""

    post_capability = "leads.edit"

    def post(self, request):
        back = request.POST.get("next", "")
        if not (
            url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
            and back.startswith(list_url(request))
        ):
            back = list_url(request)
        form = BulkMoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, first_error(form))
            return redirect(back)
        actor = Actor.from_request(request)
        target = form.cleaned_data["action"]
        offered = {action.target: action for action in bulk_actions(actor=actor)}
        if target not in offered:
            messages.error(request, f"Your role may not move leads to {Stage(target).label}.")
            return redirect(back)

        ids = form.cleaned_data["lead"]
        leads = list(Lead.objects.filter(pk__in=ids).order_by("pk"))
        outcome = bulk_transition(leads=leads, to=target, actor=actor)
        found = {lead.pk for lead in leads}
        # Ids that are not this tenant's leads (or were deleted meanwhile) are reported, too.
        outcome.outcomes.extend(
            LeadOutcome(pk, f"#{pk}", False, "not found") for pk in ids if pk not in found
        )
        if not outcome.skipped:
            level = messages.SUCCESS
        else:
            level = messages.WARNING if outcome.moved else messages.ERROR
        messages.add_message(request, level, outcome.summary())
        request.session[BULK_REPORT_KEY] = {
            "label": offered[target].label,
            "rows": [
                {"id": o.lead_id, "email": o.email, "moved": o.moved, "reason": o.reason}
                for o in outcome.outcomes[:BULK_REPORT_SHOWN]
            ],
            "more": max(0, len(outcome.outcomes) - BULK_REPORT_SHOWN),
        }
        return redirect(back)
