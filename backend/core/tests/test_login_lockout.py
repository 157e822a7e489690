"""Repeated wrong passwords lock a username out from one client address, on every login path: the
dashboard's session login, the token exchange and the admin."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"
TOKEN = "/api/auth/token/"
ADMIN_LOGIN = "/admin/login/"
HERE = "198.51.100.7"
ELSEWHERE = "203.0.113.50"


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    # The token exchange's own per-address rate limit is not what these tests are about.
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "token": "1000/minute"}
    return settings


class Clock:
    """django-axes' idea of now, moved by the test."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("axes.attempts.now", clock)
    monkeypatch.setattr("axes.handlers.proxy.now", clock)
    return clock


def session_login(username, password, address=HERE, **extra):
    client = APIClient(enforce_csrf_checks=False)
    return client.post(LOGIN, {"username": username, "password": password}, format="json",
                       REMOTE_ADDR=address, **extra)


def token_login(username, password, address=HERE, **extra):
    return APIClient().post(TOKEN, {"username": username, "password": password}, format="json",
                            REMOTE_ADDR=address, **extra)


def admin_login(client, username, password, address=HERE):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"},
                       REMOTE_ADDR=address)


@pytest.mark.parametrize("login", [session_login, token_login], ids=["session", "token"])
def test_the_right_password_is_refused_after_the_limit_of_wrong_ones(limits, clock, user, login):
    answers = [login("oncall", f"guess-{n}").status_code for n in range(3)]
    assert answers[:2] == [400, 400]

    response = login("oncall", "pw-oncall-1")

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert response.json() == {
        "detail": "Too many failed sign-in attempts for this user from this address. "
                  "Try again in 15 minutes, or ask an administrator to unlock it."
    }
    assert "sessionid" not in response.cookies


@pytest.mark.parametrize("login", [session_login, token_login], ids=["session", "token"])
def test_other_users_and_other_addresses_are_not_locked_out(limits, clock, user, viewer, login):
    for n in range(5):
        login("oncall", f"guess-{n}")
    assert login("oncall", "pw-oncall-1").status_code == 429

    assert login("watcher", "pw-watcher-1").status_code == 200
    assert login("oncall", "pw-oncall-1", address=ELSEWHERE).status_code == 200


def test_both_login_paths_share_one_count(limits, clock, user):
    session_login("oncall", "guess-1")
    token_login("oncall", "guess-2")
    session_login("oncall", "guess-3")

    assert token_login("oncall", "pw-oncall-1").status_code == 429


def test_the_lock_ends_a_cool_off_after_the_latest_failure(limits, clock, user):
    for n in range(3):
        session_login("oncall", f"guess-{n}")

    clock.now += timedelta(minutes=14, seconds=59)
    # Trying during the lock-out counts as a failure too, and starts the cool-off again.
    assert session_login("oncall", "pw-oncall-1").status_code == 429
    clock.now += timedelta(minutes=14, seconds=59)
    assert session_login("oncall", "pw-oncall-1").status_code == 429

    clock.now += timedelta(minutes=15, seconds=1)
    assert session_login("oncall", "pw-oncall-1").status_code == 200


def test_a_successful_login_starts_the_count_again(limits, clock, user):
    session_login("oncall", "guess-1")
    session_login("oncall", "guess-2")
    assert session_login("oncall", "pw-oncall-1").status_code == 200

    session_login("oncall", "guess-3")
    session_login("oncall", "guess-4")
    assert session_login("oncall", "pw-oncall-1").status_code == 200


def test_the_address_is_the_one_the_trusted_proxy_saw(limits, clock, user):
    limits.TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        session_login("oncall", f"guess-{n}", HTTP_X_FORWARDED_FOR=f"10.9.9.9, {HERE}", address="172.18.0.2")

    # A client that writes its own X-Forwarded-For entry is still the address nginx saw.
    forged = session_login("oncall", "pw-oncall-1", HTTP_X_FORWARDED_FOR=f"192.0.2.1, {HERE}", address="172.18.0.2")
    assert forged.status_code == 429
    other = session_login("oncall", "pw-oncall-1", HTTP_X_FORWARDED_FOR=ELSEWHERE, address="172.18.0.2")
    assert other.status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HERE}


def test_without_trusted_proxies_a_forged_forwarded_address_changes_nothing(limits, clock, user):
    for n in range(3):
        session_login("oncall", f"guess-{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert session_login("oncall", "pw-oncall-1", HTTP_X_FORWARDED_FOR=ELSEWHERE).status_code == 429


def test_the_admin_login_is_locked_out_with_a_page_saying_so(limits, clock, client, superuser):
    for n in range(3):
        assert admin_login(client, "root", f"guess-{n}").status_code in (200, 429)

    response = admin_login(client, "root", "pw-root-1")

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    assert "Too many failed sign-in attempts for this user from this address." in page
    assert "<html" in page
    assert client.get("/admin/").status_code == 302  # still not signed in
    assert admin_login(client, "root", "pw-root-1", address=ELSEWHERE).status_code == 302


def test_the_admin_and_the_api_share_one_count(limits, clock, client, superuser):
    admin_login(client, "root", "guess-1")
    admin_login(client, "root", "guess-2")
    token_login("root", "guess-3")

    assert session_login("root", "pw-root-1").status_code == 429


def test_axes_reset_unlocks(limits, clock, user):
    for n in range(3):
        session_login("oncall", f"guess-{n}")
    assert session_login("oncall", "pw-oncall-1").status_code == 429

    call_command("axes_reset")

    assert session_login("oncall", "pw-oncall-1").status_code == 200


def test_the_configured_defaults(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_CLIENT_IP_CALLABLE == "core.throttling.client_address"
