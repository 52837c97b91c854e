"""Every write on personas and scores. Views, serializers, handlers and tasks call these."""

from personas.services.approval import approval_side_for, persona_approve
from personas.services.authoring import persona_comment_add, persona_create, persona_update
from personas.services.rescore import decay_sweep, rescore_job_queue, rescore_job_run
from personas.services.scoring import (
    leads_engagement_add,
    leads_rescore,
    leads_score,
    scoring_context_for,
)
from personas.services.settings import scoring_settings_update

__all__ = [
    "approval_side_for",
    "decay_sweep",
    "leads_engagement_add",
    "leads_rescore",
    "leads_score",
    "persona_approve",
    "persona_comment_add",
    "persona_create",
    "persona_update",
    "rescore_job_queue",
    "rescore_job_run",
    "scoring_context_for",
    "scoring_settings_update",
]
