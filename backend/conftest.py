"""Fixtures shared by every app's tests."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.testing import ProcessGroup


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="oncall", password="pw-oncall-1", email="oncall@example.com")


@pytest.fixture
def token(user):
    return Token.objects.create(user=user)


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
