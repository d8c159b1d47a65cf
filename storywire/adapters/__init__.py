"""Adapters: the core's ports bound to real I/O (HTTP, Redis, AMQP) and their in-memory twins."""
