"""Celery tasks: thin adapters that deserialise, call the core, and retry transient errors.

Tasks are declared with ``shared_task`` so this package never imports the app in ``workers``.
"""
