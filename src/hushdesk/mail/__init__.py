"""Outbound email: an encrypted outbox written in the request's transaction, sent by a job after commit."""
