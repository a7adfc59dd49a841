"""Security and accountability: second factors, sessions, invitations, password policy, rate limits, spam
scoring, incidents and breaches (docs/security.md, ADR 0008)."""
