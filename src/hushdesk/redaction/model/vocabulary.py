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

# Closed-class words of English (pronouns, conjunctions, question words, negated
# auxiliaries typed without an apostrophe) and the interjections and acronyms of chat:
# never a name, yet capitalised at the start of a sentence or shouted in capitals
# ("You are the best", "Dont", "WTF is going on"). A tagger guess there is wrong, and
# worse, every other "you" of the text would then be redacted as a repeat. Words that
# connect a name ("of", "and", "the", "de") are left out: they may sit inside one.
FUNCTION_WORDS = _words(
    """
    me my mine myself you your yours yourself yourselves he him his himself she her hers herself it its
    itself we us our ours ourselves they them their theirs themselves this that these those if but or nor
    not because than then though although when where why how what who whom whose which whether
    dont cant wont didnt doesnt isnt wasnt arent werent havent hasnt shouldnt couldnt wouldnt im youre
    theyre thats whats theres shes
    oh ohh ahh aww awww eww ew welp meh umm um uh uhh heh hah yikes oops whoa woah hmm hm ugh yay wow
    lol lmao lmfao omg omfg wtf wth stfu tfw smh tbh ngl idk imo imho btw fyi rofl ikr nvm
    """
)

ROLE_WORDS = _words(
    """
    support customer agent bot system assistant user admin administrator operator moderator staff team
    client visitor guest host me you representative rep helpdesk sales billing
    """
)

__all__ = ["FUNCTION_WORDS", "ROLE_WORDS", "TECH_WORDS", "TECH_WORDS_UPPER"]
