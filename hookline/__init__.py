"""Wiring: settings, the Starlette app and its lifespan, CLI, auth and the event bus."""

__version__ = "0.1.0"
