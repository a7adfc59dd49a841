"""The SMTP test server of tests/dsr serves the privacy tests too."""

from tests.dsr.conftest import mailbox, smtp_server

__all__ = ["mailbox", "smtp_server"]
