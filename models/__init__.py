"""Tortoise models, database set-up and migrations."""
