"""Queries, mutations and subscriptions: authorise, change rows, append events."""
