"""Long jobs have their own queue, and a worker started without -Q consumes it too."""

from leads.tasks import lead_import_run
from personas.tasks import rescore_job_run_task
from smarketing.celery import DEFAULT_QUEUE, LONG_JOBS_QUEUE, app
from smarketing.tasks import heartbeat


def test_imports_and_rescores_go_to_the_long_jobs_queue():
    assert lead_import_run.queue == LONG_JOBS_QUEUE
    assert rescore_job_run_task.queue == LONG_JOBS_QUEUE


def test_short_tasks_stay_on_the_default_queue():
    assert getattr(heartbeat, "queue", None) is None
    assert app.conf.task_default_queue == DEFAULT_QUEUE


def test_a_worker_without_a_queue_option_consumes_both_queues():
    # What `celery -A smarketing worker` (make run, docker-compose) consumes by default.
    assert set(app.amqp.queues) == {DEFAULT_QUEUE, LONG_JOBS_QUEUE}
