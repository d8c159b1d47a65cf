"""The edge: the Celery app, queues and beat schedule, logging, and the ``storywire`` CLI."""
