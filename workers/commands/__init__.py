"""Subcommands of ``storywire``: each module has ``register(subparsers)``; cli.py lists them."""
