"""A task whose every run kills the worker process running it, as an OOM kill or a segfault in
a C library would. Loaded into a real worker with ``celery worker --include``."""

from __future__ import annotations

import os
from typing import Any

from celery import Task

from tasks.options import TaskOptions, task

DIES = TaskOptions("storywire.test.dies", "publish", soft_time_limit=20, time_limit=30)


@task(DIES)
def dies(self: Task[Any, Any], source_id: str) -> None:
    os._exit(137)
