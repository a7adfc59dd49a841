"""Words that are never names, whatever their case: technical vocabulary of logs,
tracebacks and software (log levels, HTTP, keys, the stack hushdesk runs on) and
the role words of support transcripts ("Support:", "Customer:").

Written for this project; the tagger treats these tokens as "O".
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


TECH_WORDS = _words(
    """
    info debug warning warn error errors critical fatal exception traceback stacktrace
    http https ok pid tid uid gid ppid errno ctrl
    esc cmd pgup pgdn uvicorn gunicorn hypercorn huey celery rq sqlalchemy alembic
    fastapi starlette pydantic jinja jinja2 asyncio aiosqlite psycopg postgres postgresql sqlite mysql
    redis nginx docker kubernetes python cpython pytest django flask npm json yaml toml html
    css sql csv xml pdf utf ascii api url uri tls ssl smtp imap pop3 dns tcp udp ip ipv4 ipv6 cpu
    gpu ssd usb wifi lan wan vpn linux macos ios android windows ubuntu debian valueerror keyerror
    typeerror runtimeerror oserror ioerror attributeerror indexerror importerror assertionerror
    notimplementederror timeouterror connectionerror stopiteration systemexit none true false null nan
    stdout stderr stdin oom segfault
    self cls kwargs args ssn pesel nip regon iban bic ein vat dob otp cvv nino dni nie cpf
    """
)

# Only in capitals ("GET /api", "Press CTRL+C"): in other cases they may be names ("Taylor Swift").
TECH_WORDS_UPPER = _words(
    """
    get post put patch delete head options connect notice del ins alt shift enter tab fn apache node
    swift ram pin trace
    """
)

ROLE_WORDS = _words(
    """
    support customer agent bot system assistant user admin administrator operator moderator staff team
    client visitor guest host me you representative rep helpdesk sales billing
    """
)

__all__ = ["ROLE_WORDS", "TECH_WORDS", "TECH_WORDS_UPPER"]
