import pytest
from django.core.management import call_command
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.pagination import StandardPagination

pytestmark = pytest.mark.django_db


def test_anonymous_request_is_refused_with_a_bearer_challenge(api_client):
    response = api_client.get("/api/auth/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_token_works_with_either_keyword(api_client, token, keyword):
    api_client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token.key}")

    response = api_client.get("/api/auth/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "oncall"


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer not-a-token", "Bearer two parts", "Basic b25jYWxsOnB3"]
)
def test_bad_credentials_are_refused(api_client, token, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    assert api_client.get("/api/auth/me/").status_code == 401


def test_inactive_users_token_is_refused(api_client, token):
    token.user.is_active = False
    token.user.save()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")

    assert api_client.get("/api/auth/me/").status_code == 401


def test_session_login_authenticates_the_api(client, user):
    assert client.login(username="oncall", password="pw-oncall-1")

    response = client.get("/api/auth/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "oncall"


def test_session_writes_need_the_csrf_token(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.login(username="oncall", password="pw-oncall-1")

    # /api/auth/me/ takes only GET: a POST is checked for CSRF before it is refused as a method.
    response = client.post("/api/auth/me/")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_the_create_token_command_prints_a_working_key_once(api_client, user, capsys):
    from core.models import ApiToken

    call_command("create_token", "oncall", "--scope", "read", "--expires", "90d", "--name", "cron")
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=user)
    assert (token.name, token.scope, token.hint) == ("cron", "read", key[:10])
    assert key.startswith("rst_") and token.expires_at is not None

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api_client.get("/api/auth/me/").status_code == 200


def test_page_size_is_capped():
    request = APIRequestFactory().get("/", {"page_size": "1000000"})
    paginator = StandardPagination()
    page = paginator.paginate_queryset(list(range(1000)), Request(request))

    assert page is not None
    assert len(page) == StandardPagination.max_page_size == 200
