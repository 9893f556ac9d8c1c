"""Strawberry types, enums, inputs and scalars — no I/O. The Schema object is in schema.root."""
