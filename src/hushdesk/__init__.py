"""hushdesk: a privacy-first, self-hostable AI customer-support platform."""

__version__ = "0.1.0"
