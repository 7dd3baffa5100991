"""REST API (/api/v1/) for this stage: thin viewsets over the policy and the services."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
