"""POST /api/auth/token/: username and password for a token, limited per client address."""

import pytest
from django.core.cache import cache

from core import throttling, tokens
from core.models import ApiToken
from core.throttling import client_address

pytestmark = pytest.mark.django_db

TOKEN = "/api/auth/token/"
ADDRESS = "198.51.100.7"


@pytest.fixture
def limited(settings):
    """3 token requests a minute per address, counted from zero."""
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "token": "3/minute"}
    idents = []

    def reset(ident):
        idents.append(ident)
        throttling.reset("token", ident)

    yield reset
    for ident in idents:
        throttling.reset("token", ident)


def ask(client, username="oncall", password="pw-oncall-1", **extra):
    return client.post(TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ADDRESS,
                       **extra)


def test_a_token_for_a_username_and_password(api_client, user):
    response = ask(api_client)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "username"} and body["username"] == "oncall"
    token = ApiToken.objects.get(user=user)
    assert token.digest == tokens.digest(body["token"]) and token.scope == "write" and token.expires_at is None
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert api_client.get("/api/auth/me/").json()["username"] == "oncall"
    # Each call makes one more named token; the first keeps working.
    again = ask(api_client).json()["token"]
    assert again != body["token"] and ApiToken.objects.filter(user=user).count() == 2
    assert api_client.get("/api/auth/me/").status_code == 200


@pytest.mark.parametrize("username, password", [("oncall", "wrong"), ("nobody-here", "pw-oncall-1")])
def test_wrong_credentials_get_one_message(api_client, user, username, password):
    response = ask(api_client, username, password)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Wrong username or password."]}
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token(api_client, user):
    user.is_active = False
    user.save()

    assert ask(api_client).status_code == 400


@pytest.mark.parametrize("body", [{}, {"username": "oncall"}, {"username": ["oncall"], "password": "x"},
                                  {"username": "oncall", "password": None}])
def test_bad_input(api_client, user, body):
    response = api_client.post(TOKEN, body, format="json", REMOTE_ADDR=ADDRESS)

    assert response.status_code == 400


def test_a_stale_token_in_the_request_does_not_get_in_the_way(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer revoked-long-ago")

    assert ask(api_client).status_code == 200


def test_requests_are_limited_per_address(api_client, user, limited):
    limited(f"addr-{ADDRESS}")

    codes = [ask(api_client, password="wrong" if i % 2 else "pw-oncall-1").status_code for i in range(4)]

    assert codes == [200, 400, 200, 429]
    response = ask(api_client)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    # The count lives in the shared cache, where every web process reads it.
    assert any(cache.get(key) for key in _keys(f"addr-{ADDRESS}"))


def _keys(ident):
    import time

    window = int(time.time() // 60)
    return [f"throttle:token:{ident}:60:{w}" for w in (window - 1, window)]


def test_a_forged_forwarded_for_does_not_reset_the_limit(api_client, user, limited, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    limited(f"addr-{ADDRESS}")

    codes = [ask(api_client, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(5)]

    assert codes == [200, 200, 200, 429, 429]


def test_behind_a_trusted_proxy_the_proxys_view_of_the_client_counts(api_client, user, limited, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    limited("addr-192.0.2.10")
    limited("addr-192.0.2.11")

    # The client prepends whatever it likes; the proxy appends the address it saw.
    codes = [ask(api_client, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}, 192.0.2.10").status_code for i in range(4)]
    other = ask(api_client, HTTP_X_FORWARDED_FOR="10.0.0.1, 192.0.2.11").status_code

    assert codes == [200, 200, 200, 429]
    assert other == 200


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "", "10.1.1.1"),
        (0, "203.0.113.9", "10.1.1.1"),
        (1, "", "10.1.1.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 192.0.2.1", "203.0.113.9"),
        (3, "203.0.113.9, 192.0.2.1", "203.0.113.9"),
        (1, " , ", "10.1.1.1"),
    ],
)
def test_client_address(rf, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected


def test_only_post(api_client):
    assert api_client.get(TOKEN).status_code == 405
