from rest_framework.routers import SimpleRouter

from sla.goals import api

router = SimpleRouter()
router.register("goals", api.GoalViewSet, basename="goal")

urlpatterns = router.urls
