"""Webhook settings pages for admins, at /t/<slug>/settings/webhooks/."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from smarketing.tenancy.actors import Actor
from smarketing.tenancy.views import TenantPageMixin
from smarketing.webhooks import selectors, services
from smarketing.webhooks.errors import EndpointDisabled, InvalidWebhook, PayloadErased
from smarketing.webhooks.forms import EndpointForm
from smarketing.webhooks.models import WebhookEndpoint

DELIVERIES_PER_PAGE = 50


def _apply_errors(form: EndpointForm, error: InvalidWebhook) -> None:
    for name, problems in error.errors.items():
        form.add_error(name if name in form.fields else None, problems)


class WebhookPageMixin(TenantPageMixin):
    """Admins only; the endpoint behind `pk` is found (or 404) before the role is checked."""

    model = WebhookEndpoint
    capability = "webhooks.manage"

    def actor(self) -> Actor:
        return Actor.from_request(self.request)

    def endpoint(self) -> WebhookEndpoint:
        return self.page_object


class WebhookListView(WebhookPageMixin, TemplateView):
    template_name = "webhooks/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # ?failing=1: the endpoints whose deliveries fail (the admins' home links here).
        failing = self.request.GET.get("failing") == "1"
        context["failing"] = failing
        context["endpoints"] = (
            selectors.endpoints_failing(now=timezone.now())
            if failing
            else selectors.endpoint_list()
        )
        context.setdefault("form", EndpointForm(initial={"enabled": True}))
        return context

    def post(self, request):
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint = services.endpoint_create(
                    tenant=request.tenant, actor=self.actor(), **form.cleaned_data
                )
            except InvalidWebhook as error:
                _apply_errors(form, error)
            else:
                # The secret is rendered in this answer only; it is never shown again.
                return self.render_to_response(
                    self.get_context_data(new_endpoint=endpoint, new_secret=endpoint.secret)
                )
        return self.render_to_response(self.get_context_data(form=form))


class WebhookDetailView(WebhookPageMixin, TemplateView):
    template_name = "webhooks/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        endpoint = context.get("endpoint") or self.endpoint()
        page = Paginator(
            selectors.endpoint_deliveries(endpoint=endpoint), DELIVERIES_PER_PAGE
        ).get_page(self.request.GET.get("page"))
        context.update(endpoint=endpoint, page_obj=page, deliveries=page.object_list)
        context.setdefault(
            "form",
            EndpointForm(
                initial={
                    "url": endpoint.url,
                    "events": endpoint.events,
                    "enabled": endpoint.enabled,
                }
            ),
        )
        return context

    def post(self, request, pk):
        """One form per button: `action` is save (the default), rotate or delete."""
        endpoint = self.endpoint()
        action = request.POST.get("action")
        if action == "rotate":
            endpoint = services.endpoint_rotate_secret(endpoint=endpoint, actor=self.actor())
            # The new secret is rendered in this answer only; it is never shown again.
            return self.render_to_response(
                self.get_context_data(endpoint=endpoint, new_secret=endpoint.secret)
            )
        if action == "delete":
            services.endpoint_delete(endpoint=endpoint, actor=self.actor())
            messages.success(request, f"Endpoint {endpoint.url} deleted.")
            return redirect("webhooks:list", tenant_slug=request.tenant.slug)
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                services.endpoint_update(
                    endpoint=endpoint, actor=self.actor(), data=form.cleaned_data
                )
            except InvalidWebhook as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "Endpoint saved.")
                return redirect("webhooks:detail", tenant_slug=request.tenant.slug, pk=pk)
        endpoint.refresh_from_db()  # the page shows what is stored, beside the refused input
        return self.render_to_response(self.get_context_data(form=form))


class WebhookRedeliverView(WebhookPageMixin, View):
    def post(self, request, pk, delivery_id):
        endpoint = self.endpoint()
        delivery = selectors.endpoint_deliveries(endpoint=endpoint).filter(pk=delivery_id).first()
        if delivery is None:
            raise Http404  # the page says "Not Found"; no message reaches the admin
        delivery.endpoint = endpoint
        try:
            services.delivery_redeliver(delivery=delivery, actor=self.actor())
        except (EndpointDisabled, PayloadErased) as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, f"Delivery {delivery.pk} will be sent again now.")
        return redirect("webhooks:detail", tenant_slug=request.tenant.slug, pk=pk)
