"""Named API tokens: hashed at rest, shown once, with expiry, revocation, last use and scopes
(the scopes over every route: core/tests/test_auth_sweep.py)."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from core import tokens
from core.authentication import BearerTokenAuthentication
from core.models import ApiToken
from core.testing import api_key, client_for

pytestmark = pytest.mark.django_db

TOKENS = "/api/auth/tokens/"
LISTED = {"id", "name", "hint", "scope", "created_at", "expires_at", "last_used_at", "last_used_address", "revoked_at"}


def bearer(key: str, **extra) -> APIClient:
    client = APIClient(**extra)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def every_stored_text():
    """Every value of every column of every table, as text."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if value is not None:
                        yield table, bytes(value).decode(errors="replace") if isinstance(value, (bytes, memoryview)) \
                            else str(value)


def test_keys_are_stored_only_as_digests(user, capsys):
    keys = [APIClient().post("/api/auth/token/", {"username": "oncall", "password": "pw-oncall-1"},
                             format="json").json()["token"]]
    keys.append(client_for(user).post(TOKENS, {"name": "ci", "scope": "read"}, format="json").json()["token"])
    call_command("create_token", "oncall", "--name", "cron")
    keys.append(capsys.readouterr().out.strip())
    for key in keys:
        assert bearer(key).get("/api/auth/me/").status_code == 200  # each one works

    stored = list(every_stored_text())
    assert any(table == ApiToken._meta.db_table for table, _ in stored)
    for key in keys:
        assert key.startswith("rst_") and len(key) > 40
        leaks = [table for table, text in stored if key in text or key[10:30] in text]
        assert not leaks, leaks
        assert ApiToken.objects.filter(digest=tokens.digest(key)).exists()


def test_a_created_key_is_shown_once_and_the_list_never_shows_it(user):
    client = client_for(user)
    response = client.post(TOKENS, {"name": "deploy bot", "scope": "push",
                                    "expires_at": (timezone.now() + timedelta(days=30)).isoformat()}, format="json")

    assert response.status_code == 201
    created = response.json()
    assert set(created) == LISTED | {"token"}
    assert created["token"].startswith(created["hint"]) and created["scope"] == "push"
    listed = client.get(TOKENS).json()["results"]
    assert {t["name"] for t in listed} == {"deploy bot", "test token (write)"}
    assert all(set(t) == LISTED for t in listed)
    assert created["token"] not in str(listed)
    assert set(client.get(f"{TOKENS}{created['id']}/").json()) == LISTED


@pytest.mark.parametrize("body, field", [
    ({"scope": "read"}, "name"),
    ({"name": " "}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "x", "scope": "admin"}, "scope"),
    ({"name": "x", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
    ({"name": "x", "expires_at": "next week"}, "expires_at"),
])
def test_bad_input_is_a_400_per_field_and_creates_nothing(user, body, field):
    client = client_for(user)
    before = ApiToken.objects.count()

    response = client.post(TOKENS, body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert ApiToken.objects.count() == before


def test_an_expiry_in_the_past_is_refused_by_the_token_endpoint_too(user):
    response = APIClient().post("/api/auth/token/", {"username": "oncall", "password": "pw-oncall-1",
                                                     "expires_at": "2001-01-01T00:00:00Z"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"expires_at": ["The expiry must be in the future."]}
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_refused(user):
    key = api_key(user, expires_at=timezone.now() + timedelta(hours=1))
    assert bearer(key).get("/api/auth/me/").status_code == 200
    ApiToken.objects.filter(digest=tokens.digest(key)).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = bearer(key).get("/api/auth/me/")

    assert response.status_code == 401
    assert response.json()["detail"] == "Token expired."
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_is_refused(user):
    key = api_key(user, "read")
    token = ApiToken.objects.get(digest=tokens.digest(key))
    client = client_for(user)

    assert client.delete(f"{TOKENS}{token.pk}/").status_code == 204

    response = bearer(key).get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Token revoked."
    assert client.get(f"{TOKENS}{token.pk}/").json()["revoked_at"] is not None
    assert bearer("rst_never-issued").get("/api/auth/me/").json()["detail"] == "Invalid token."


def test_one_sees_and_revokes_only_ones_own_tokens(user, viewer):
    theirs = ApiToken.objects.get(digest=tokens.digest(api_key(viewer)))
    client = client_for(user)

    assert client.get(f"{TOKENS}{theirs.pk}/").status_code == 404
    assert client.delete(f"{TOKENS}{theirs.pk}/").status_code == 404
    assert theirs.pk not in {t["id"] for t in client.get(TOKENS).json()["results"]}
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_a_narrow_token_cannot_make_a_wider_one(user):
    for scope in ("read", "push"):
        response = client_for(user, scope).post(TOKENS, {"name": "wider", "scope": "write"}, format="json")
        assert response.status_code == 403
        assert f"scope is {scope}" in response.json()["detail"]
    assert not ApiToken.objects.filter(name="wider").exists()


def test_a_token_has_no_more_than_its_users_permissions(viewer):
    response = client_for(viewer, "write").post("/api/alerts/silences/", {}, format="json")

    assert response.status_code == 403


def test_the_last_use_is_noted_at_most_once_a_minute_per_address(user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    key = api_key(user)
    token = ApiToken.objects.get(digest=tokens.digest(key))
    assert token.last_used_at is None
    client = bearer(key)

    client.get("/api/auth/me/", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.4")
    token.refresh_from_db()
    assert token.last_used_address == "198.51.100.4"
    first = token.last_used_at
    assert first is not None and timezone.now() - first < timedelta(minutes=1)

    with CaptureQueriesContext(connection) as captured:
        client.get("/api/auth/me/", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.4")
    assert not [q for q in captured if q["sql"].lstrip().upper().startswith("UPDATE")]

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/auth/me/", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.4")
    token.refresh_from_db()
    assert token.last_used_at > first
    client.get("/api/auth/me/", HTTP_X_FORWARDED_FOR="203.0.113.8")  # another address: noted at once
    token.refresh_from_db()
    assert token.last_used_address == "203.0.113.8"


def test_request_auth_is_the_named_token(user):
    key = api_key(user, "read")
    request = Request(APIRequestFactory().get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {key}"))

    authenticated_user, token = BearerTokenAuthentication().authenticate(request)

    assert authenticated_user == user
    assert isinstance(token, ApiToken) and token.name == "test token (read)"


OTLP_EMPTY = b'{"resourceMetrics": []}'


def otlp(key: str):
    return APIClient().post("/otlp/v1/metrics", OTLP_EMPTY, content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_otlp_receivers_take_push_scoped_tokens_of_users_who_may_push(pusher, viewer, superuser):
    assert otlp(api_key(pusher, "push")).status_code == 200
    assert otlp(api_key(superuser, "push")).status_code == 200
    assert otlp(api_key(viewer, "push")).status_code == 401  # the user may not push
    assert otlp(api_key(superuser, "write")).status_code == 401  # not a push token
    revoked = api_key(pusher, "push")
    ApiToken.objects.filter(digest=tokens.digest(revoked)).update(revoked_at=timezone.now())
    assert otlp(revoked).status_code == 401


def test_create_token_command(user, capsys):
    call_command("create_token", "oncall", "--scope", "push", "--expires", "2999-01-31")
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(digest=tokens.digest(key))
    assert token.scope == "push" and token.name == "Token from create_token"
    assert timezone.localtime(token.expires_at).date().isoformat() == "2999-02-01"

    for arguments, message in [(["nobody-here"], "no user"), (["oncall", "--expires", "2001-01-01"], "future"),
                               (["oncall", "--expires", "soon"], "neither a duration"),
                               (["oncall", "--name", "x" * 101], "100")]:
        with pytest.raises(CommandError, match=message):
            call_command("create_token", *arguments)
    assert ApiToken.objects.count() == 1


AUTHTOKEN_DDL = {
    "sqlite": 'CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" datetime NOT NULL, '
              '"user_id" integer NOT NULL UNIQUE)',
    "postgresql": 'CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, '
                  '"created" timestamp with time zone NOT NULL, "user_id" integer NOT NULL UNIQUE)',
}


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_drf_keys_into_named_tokens(django_user_model):
    legacy = "0123456789abcdef0123456789abcdef01234567"
    user = django_user_model.objects.create_user(username="scripts", password="pw-scripts-1")
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0001_initial")])  # before: named tokens exist, DRF's keys are still there
    try:
        with connection.cursor() as cursor:
            if "authtoken_token" not in connection.introspection.table_names(cursor):
                cursor.execute(AUTHTOKEN_DDL[connection.vendor])
            cursor.execute('INSERT INTO "authtoken_token" ("key", "created", "user_id") VALUES (%s, %s, %s)',
                           [legacy, timezone.now() - timedelta(days=400), user.pk])
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("core"))

        token = ApiToken.objects.get(user=user)
        assert (token.name, token.scope, token.digest) == ("Token from before named tokens", "write",
                                                            tokens.digest(legacy))
        assert timezone.now() - token.created_at > timedelta(days=399)
        response = bearer(legacy).get("/api/auth/me/")
        assert response.status_code == 200 and response.json()["username"] == "scripts"
        assert not [table for table, text in every_stored_text() if legacy in text]
    finally:
        with connection.cursor() as cursor:
            cursor.execute('DROP TABLE IF EXISTS "authtoken_token"')


def test_the_migration_runs_without_an_authtoken_table():
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps

    migration = import_module("core.migrations.0002_named_tokens_from_authtoken")
    with connection.cursor() as cursor:
        assert "authtoken_token" not in connection.introspection.table_names(cursor)

    migration.forwards(apps, SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name))

    assert not ApiToken.objects.exists()


def test_the_admin_lists_tokens_without_their_digest_and_revokes_them(client, superuser, user):
    key = api_key(user)
    token = ApiToken.objects.get(digest=tokens.digest(key))
    client.force_login(superuser)

    listing = client.get("/admin/core/apitoken/")
    assert listing.status_code == 200
    assert token.hint in listing.content.decode() and token.digest not in listing.content.decode()
    page = client.get(f"/admin/core/apitoken/{token.pk}/change/")
    assert page.status_code == 200 and token.digest not in page.content.decode()

    client.post("/admin/core/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(key).get("/api/auth/me/").status_code == 401
