"""Outbox, encryption envelopes, the sync client and conflict merge. No Qt."""
