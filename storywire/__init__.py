"""storywire: poll news feeds, clean them, group outlets' articles into stories, publish events.

The core (this package, minus ``adapters``) is pure and typed and never imports Celery.
"""

__version__ = "0.1.0"
