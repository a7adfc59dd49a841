"""Two-factor sign-in: enrolment, login with a code, recovery codes used once, enforcement per role, throttling
of the code step, sessions (revoke, sign out everywhere, password change), the common-password list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient

from hushdesk.accounts.service import SecondFactorRequired, change_role, login
from hushdesk.kit.clock import set_clock, utcnow
from hushdesk.kit.errors import ValidationFailed
from hushdesk.models import User
from hushdesk.security import sessions, twofactor
from hushdesk.security.password_policy import is_common
from hushdesk.tenancy.permissions import Role
from tests.support.factories import Member, World
from tests.web.conftest import HTML, login_form_token, session_csrf, sign_in


@pytest.fixture
def clock() -> Iterator[list[timedelta]]:
    """Shift the clock forward (TOTP steps are single-use, so each new code needs a new 30 s step)."""
    offset = [timedelta(0)]
    real = utcnow
    base = real()
    set_clock(lambda: base + offset[0])
    yield offset
    set_clock(None)


def _code(secret: str) -> str:
    return pyotp.TOTP(secret).at(utcnow())


def enrol(world: World, member: Member) -> tuple[str, list[str]]:
    with world.ctx.unit_of_work() as uow:
        user = uow.session.get(User, member.user_id)
        assert user is not None
        enrolment = twofactor.begin_enrolment(uow, user)
        codes = twofactor.confirm_enrolment(uow, member.actor, user, _code(enrolment.secret))
    return enrolment.secret, codes


def _password_step(web: TestClient, member: Member) -> str:
    res = web.post("/login", data={"email": member.email, "password": member.password,
                                   "csrf_token": login_form_token(web)}, headers=HTML)
    assert res.status_code == 200, res.text
    assert 'action="/login/2fa"' in res.text
    assert "hd_session" not in res.cookies
    return session_csrf(res.text)


def test_login_with_a_code_after_the_password(web: TestClient, world: World, clock: list[timedelta]) -> None:
    member = world.member(Role.AGENT)
    secret, codes = enrol(world, member)
    assert len(codes) == 10 and len(set(codes)) == 10
    clock[0] += timedelta(seconds=31)
    csrf = _password_step(web, member)
    assert web.get("/", headers=HTML).status_code == 303  # no session yet
    bad = web.post("/login/2fa", data={"code": "000000", "csrf_token": csrf}, headers=HTML)
    assert bad.status_code == 401
    res = web.post("/login/2fa", data={"code": _code(secret), "csrf_token": csrf}, headers=HTML)
    assert res.status_code == 303
    assert web.get("/", headers=HTML).status_code == 200


def test_a_code_is_accepted_once(world: World, clock: list[timedelta]) -> None:
    member = world.member(Role.AGENT)
    secret, _ = enrol(world, member)
    clock[0] += timedelta(seconds=31)
    code = _code(secret)
    with world.ctx.unit_of_work() as uow:
        assert twofactor.verify_second_factor(uow, member.user_id, code) == "totp"
    with world.ctx.unit_of_work() as uow:
        assert twofactor.verify_second_factor(uow, member.user_id, code) is None


def test_recovery_code_works_exactly_once(web: TestClient, world: World) -> None:
    member = world.member(Role.ADMIN)
    _, codes = enrol(world, member)
    csrf = _password_step(web, member)
    res = web.post("/login/2fa", data={"code": codes[3].upper(), "csrf_token": csrf}, headers=HTML)
    assert res.status_code == 303
    with world.ctx.unit_of_work() as uow:
        assert twofactor.remaining_recovery_codes(uow, member.user_id) == 9
        assert twofactor.verify_second_factor(uow, member.user_id, codes[3]) is None
    web.cookies.clear()
    csrf = _password_step(web, member)
    again = web.post("/login/2fa", data={"code": codes[3], "csrf_token": csrf}, headers=HTML)
    assert again.status_code == 401


def test_codes_are_stored_hashed_and_the_secret_wrapped(world: World) -> None:
    member = world.member(Role.AGENT)
    secret, codes = enrol(world, member)
    from hushdesk.models import RecoveryCode, TotpCredential
    with world.ctx.unit_of_work() as uow:
        cred = uow.session.query(TotpCredential).filter_by(user_id=member.user_id).one()
        assert secret.encode() not in cred.secret_ct
        hashes = [r.code_hash for r in uow.session.query(RecoveryCode).filter_by(user_id=member.user_id)]
    assert not any(c in h or c.replace("-", "") in h for c in codes for h in hashes)


def test_role_enforcement_makes_members_enrol_at_sign_in(web: TestClient, world: World,
                                                         clock: list[timedelta]) -> None:
    member = world.member(Role.AGENT)
    sign_in(web, member)
    with world.ctx.unit_of_work() as uow, pytest.raises(ValidationFailed):
        twofactor.set_required_roles(uow, world.member(Role.ADMIN).actor, {Role.AGENT})
    with world.ctx.unit_of_work() as uow:
        revoked = twofactor.set_required_roles(uow, world.owner.actor, {Role.AGENT})
    assert revoked >= 1
    assert web.get("/", headers=HTML).status_code == 303  # the open session ended on the next request
    res = web.post("/login", data={"email": member.email, "password": member.password,
                                   "csrf_token": login_form_token(web)}, headers=HTML)
    assert res.status_code == 200 and "Set up two-factor" in res.text
    secret = re.search(r'class="totp-secret">([A-Z2-7]+)<', res.text)
    assert secret
    csrf = session_csrf(res.text)
    done = web.post("/login/2fa", data={"code": _code(secret.group(1)), "csrf_token": csrf}, headers=HTML)
    assert done.status_code == 200 and "recovery codes" in done.text
    assert len(re.findall(r"<li><code>", done.text)) == 10
    assert web.get("/", headers=HTML).status_code == 200
    # the owner's own role is not listed: the owner signs in with a password only
    with world.ctx.unit_of_work() as uow:
        result = login(uow, email=world.owner.email, password=world.owner.password, client_ip="10.9.9.9",
                       user_agent="t")
        assert result.role == Role.OWNER


def test_service_login_raises_second_factor_required(world: World) -> None:
    member = world.member(Role.AGENT)
    enrol(world, member)
    with world.ctx.unit_of_work() as uow, pytest.raises(SecondFactorRequired):
        login(uow, email=member.email, password=member.password, client_ip="10.1.1.1", user_agent=None)


def test_wrong_codes_lock_the_account_with_retry_after(web: TestClient, world: World) -> None:
    member = world.member(Role.AGENT)
    enrol(world, member)
    csrf = _password_step(web, member)
    statuses = [web.post("/login/2fa", data={"code": "123456", "csrf_token": csrf}, headers=HTML).status_code
                for _ in range(world.ctx.settings.login_max_failures + 1)]
    assert statuses[-1] == 429
    last = web.post("/login/2fa", data={"code": "123456", "csrf_token": csrf}, headers=HTML)
    assert last.headers["retry-after"].isdigit()
    assert "Too many failed sign-in attempts" in last.text


def test_pending_cookie_is_bound_to_the_password(web: TestClient, world: World) -> None:
    member = world.member(Role.AGENT)
    secret, _ = enrol(world, member)
    csrf = _password_step(web, member)
    with world.ctx.unit_of_work() as uow:
        sessions.change_password(uow, member.actor, current_session_id=None, old_password=member.password,
                                 new_password="a-brand-new-passphrase")
    res = web.post("/login/2fa", data={"code": _code(secret), "csrf_token": csrf}, headers=HTML)
    assert res.status_code == 401 and "start again" in res.text


def test_moving_a_member_into_an_enforced_role_ends_their_sessions(app: object, world: World) -> None:
    with world.ctx.unit_of_work() as uow:
        twofactor.set_required_roles(uow, world.owner.actor, {Role.ADMIN})
    member = world.member(Role.AGENT)
    client = TestClient(app, base_url="http://testserver", client=("10.76.0.1", 5000),  # type: ignore[arg-type]
                        follow_redirects=False)
    sign_in(client, member)
    assert client.get("/", headers=HTML).status_code == 200
    with world.ctx.unit_of_work() as uow:
        change_role(uow, world.owner.actor, user_id=member.user_id, role=Role.ADMIN)
    assert client.get("/", headers=HTML).status_code == 303  # signed out: the next sign-in asks to enrol
    res = client.post("/login", data={"email": member.email, "password": member.password,
                                      "csrf_token": login_form_token(client)}, headers=HTML)
    assert res.status_code == 200 and "Set up two-factor" in res.text


def test_session_revoke_and_sign_out_everywhere(app: object, world: World) -> None:
    member = world.member(Role.AGENT)
    clients = [TestClient(app, base_url="http://testserver", client=(f"10.77.0.{i}", 5000),  # type: ignore[arg-type]
                          follow_redirects=False) for i in (1, 2, 3)]
    for client in clients:
        sign_in(client, member)
    with world.ctx.unit_of_work() as uow:
        listed = sessions.list_sessions(uow, member.actor, None)
        assert len(listed) == 3
        sessions.revoke_session(uow, member.actor, listed[0].id)
    alive = [c.get("/", headers=HTML).status_code for c in clients]
    assert sorted(alive) == [200, 200, 303]
    other = world.member(Role.AGENT)
    with world.ctx.unit_of_work() as uow:
        from hushdesk.kit.errors import NotFound
        with pytest.raises(NotFound):
            sessions.revoke_session(uow, other.actor, listed[1].id)
    with world.ctx.unit_of_work() as uow:
        assert sessions.sign_out_everywhere(uow, member.actor) == 2
    assert [c.get("/", headers=HTML).status_code for c in clients] == [303, 303, 303]


def test_password_change_ends_other_sessions(app: object, world: World) -> None:
    member = world.member(Role.AGENT)
    mine = TestClient(app, base_url="http://testserver", client=("10.78.0.1", 5000),  # type: ignore[arg-type]
                      follow_redirects=False)
    theirs = TestClient(app, base_url="http://testserver", client=("10.78.0.2", 5000),  # type: ignore[arg-type]
                        follow_redirects=False)
    sign_in(mine, member)
    sign_in(theirs, member)
    with world.ctx.unit_of_work() as uow:
        current = sessions.list_sessions(uow, member.actor, None)[0].id
        with pytest.raises(ValidationFailed):
            sessions.change_password(uow, member.actor, current_session_id=current, old_password="wrong-one-x",
                                     new_password="another-long-passphrase")
    with world.ctx.unit_of_work() as uow, pytest.raises(ValidationFailed):
        sessions.change_password(uow, member.actor, current_session_id=current,
                                 old_password=member.password, new_password="Password2024!")
    with world.ctx.unit_of_work() as uow:
        ended = sessions.change_password(uow, member.actor, current_session_id=current,
                                         old_password=member.password, new_password="another-long-passphrase")
    assert ended == 1
    codes = sorted([mine.get("/", headers=HTML).status_code, theirs.get("/", headers=HTML).status_code])
    assert codes == [200, 303]


@pytest.mark.parametrize("password", ["password123", "Password2024!", "qwertyuiop", "#Welcome123",
                                      "1234567890", "aaaaaaaaaaaa", "ILoveYou123", "p@ssw0rd!!!!"])
def test_common_passwords_are_refused(password: str) -> None:
    assert is_common(password)


@pytest.mark.parametrize("password", ["correct-horse-battery", "violet tram 42 kettle", "bench-password-123"])
def test_ordinary_passphrases_pass(password: str) -> None:
    assert not is_common(password)
