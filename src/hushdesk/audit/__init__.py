"""Tamper-evident audit log: every read and write of personal data, hash-chained per workspace."""
