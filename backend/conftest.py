"""Fixtures shared by every app's tests."""

import pytest
from rest_framework.test import APIClient

from core.testing import ProcessGroup, client_for, member_of


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(django_user_model):
    """The on-call engineer: an "Alert managers" member, who may read and change alerting."""
    from core.roles import MANAGERS

    user = django_user_model.objects.create_user(username="oncall", password="pw-oncall-1", email="oncall@example.com")
    return member_of(user, MANAGERS)


@pytest.fixture
def viewer(django_user_model):
    """An "Alert viewers" member: reads everything, changes nothing."""
    from core.roles import VIEWERS

    return member_of(django_user_model.objects.create_user(username="watcher", password="pw-watcher-1"), VIEWERS)


@pytest.fixture
def pusher(django_user_model):
    """A machine account in "Metric pushers": may push telemetry, nothing else."""
    from core.roles import PUSHERS

    return member_of(django_user_model.objects.create_user(username="billing-bot", password="pw-bot-1"), PUSHERS)


@pytest.fixture
def nobody(django_user_model):
    """Signed in, in no group."""
    return django_user_model.objects.create_user(username="nobody", password="pw-nobody-1")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="pw-root-1", email="root@example.com")


@pytest.fixture
def viewer_client(viewer):
    return client_for(viewer)


@pytest.fixture
def superuser_client(superuser):
    return client_for(superuser)


@pytest.fixture
def token(user):
    """A new API token of `user` (scope write), with its key in `.key` (which is not stored)."""
    from core.tokens import create_token

    token, key = create_token(user, "test token")
    token.key = key  # type: ignore[attr-defined]
    return token


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def auth_client(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    return client


@pytest.fixture
def process_group(tmp_path):
    group = ProcessGroup(tmp_path)
    yield group
    group.kill_all()


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """Rate limits out of the way (their counters live in the shared cache, which Redis keeps
    between tests); throttle tests set their own and start from core.throttling.reset()."""
    settings.API_THROTTLE_RATES = {
        "alert_actions": "100000/minute", "token": "100000/minute", "otlp": "100000/minute", "ping": "100000/minute",
    }


@pytest.fixture(autouse=True)
def _telemetry_flushed_only_when_asked(settings):
    """No background flusher thread in tests (it would write outside the test's transaction);
    tests that look at telemetry flush it themselves. Nothing recorded leaks into the next test."""
    from monitoring.telemetry import buffer

    settings.TELEMETRY_FLUSH_INTERVAL_SECONDS = 0
    buffer.clear()
    if settings.REDIS_URL:
        from monitoring.tests.helpers import clear_redis_telemetry

        clear_redis_telemetry()
    yield
    buffer.clear()
