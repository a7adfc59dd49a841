"""Fixtures for the security tests: the browser-like client and sign-in helpers of the web tests."""

from tests.web.conftest import web  # noqa: F401  (fixture re-export)
