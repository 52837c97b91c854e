from rest_framework.routers import SimpleRouter

from smarketing.webhooks.api import WebhookEndpointViewSet

router = SimpleRouter()
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")

urlpatterns = router.urls
