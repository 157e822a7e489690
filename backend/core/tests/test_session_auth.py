"""Session login for the dashboard: CSRF cookie, login, logout, and what each reveals."""

import pytest
from django.test import Client

from core.roles import GROUP_PERMISSIONS, MANAGERS

pytestmark = pytest.mark.django_db

USER_FIELDS = {"id", "username", "email", "is_staff", "is_superuser", "permissions"}


@pytest.fixture
def browser():
    """A client that checks CSRF as a real browser session is checked."""
    return Client(enforce_csrf_checks=True)


def csrf_token(client) -> str:
    response = client.get("/api/auth/csrf/")
    assert response.status_code == 200
    return response.json()["csrfToken"]


def log_in(client, username="oncall", password="pw-oncall-1"):
    token = csrf_token(client)
    return client.post(
        "/api/auth/login/",
        {"username": username, "password": password},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )


def test_csrf_endpoint_sets_the_cookie_and_returns_only_the_token(browser):
    response = browser.get("/api/auth/csrf/")

    assert response.status_code == 200
    assert response.json() == {"csrfToken": response.json()["csrfToken"]}
    assert browser.cookies["csrftoken"].value
    assert "no-cache" in response["Cache-Control"]


def test_login_starts_a_session_and_returns_the_user(browser, user):
    response = log_in(browser)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == USER_FIELDS
    assert body["username"] == "oncall"
    assert browser.cookies["sessionid"].value
    assert browser.get("/api/auth/me/").json() == body


def test_login_answer_has_the_shape_of_me(browser, user, auth_client):
    assert log_in(browser).json() == auth_client.get("/api/auth/me/").json()


def test_login_rotates_the_csrf_token(browser, user):
    before = csrf_token(browser)

    log_in(browser)

    assert browser.cookies["csrftoken"].value != before


def test_login_without_the_csrf_token_is_refused(browser, user):
    browser.get("/api/auth/csrf/")

    response = browser.post(
        "/api/auth/login/", {"username": "oncall", "password": "pw-oncall-1"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert "sessionid" not in browser.cookies


def test_missing_fields_get_a_message_each(browser):
    token = csrf_token(browser)

    response = browser.post("/api/auth/login/", {}, content_type="application/json", HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 400
    assert response.json() == {"username": ["This field is required."], "password": ["This field is required."]}


def test_blank_password_gets_its_own_message(browser, user):
    response = log_in(browser, password="")

    assert response.status_code == 400
    assert response.json() == {"password": ["This field may not be blank."]}


@pytest.mark.parametrize(
    ("username", "password"), [("oncall", "wrong"), ("nobody", "pw-oncall-1"), ("ONCALL", "pw-oncall-1")]
)
def test_wrong_credentials_get_one_message_that_names_nothing(browser, user, username, password):
    response = log_in(browser, username=username, password=password)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Wrong username or password."]}
    assert "sessionid" not in browser.cookies


def test_an_inactive_user_cannot_log_in_and_is_not_told_why(browser, user):
    user.is_active = False
    user.save()

    response = log_in(browser)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Wrong username or password."]}


def test_login_ignores_a_stale_token_header(browser, user):
    token = csrf_token(browser)

    response = browser.post(
        "/api/auth/login/",
        {"username": "oncall", "password": "pw-oncall-1"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        HTTP_AUTHORIZATION="Bearer revoked-long-ago",
    )

    assert response.status_code == 200


def test_login_takes_only_post(browser):
    assert browser.get("/api/auth/login/").status_code == 405


def test_logout_ends_the_session(browser, user):
    log_in(browser)

    response = browser.post(
        "/api/auth/logout/", content_type="application/json", HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value
    )

    assert response.status_code == 204
    assert browser.get("/api/auth/me/").status_code == 401


def test_logout_needs_the_csrf_token(browser, user):
    log_in(browser)

    response = browser.post("/api/auth/logout/", content_type="application/json")

    assert response.status_code == 403
    assert browser.get("/api/auth/me/").status_code == 200


def test_logout_needs_authentication(browser):
    token = csrf_token(browser)

    assert browser.post("/api/auth/logout/", content_type="application/json", HTTP_X_CSRFTOKEN=token).status_code == 401


def test_logout_with_a_token_keeps_the_token_working(auth_client):
    assert auth_client.post("/api/auth/logout/").status_code == 204
    assert auth_client.get("/api/auth/me/").status_code == 200


def test_me_has_the_documented_shape(auth_client, user):
    assert auth_client.get("/api/auth/me/").json() == {
        "id": user.pk,
        "username": "oncall",
        "email": "oncall@example.com",
        "is_staff": False,
        "is_superuser": False,
        "permissions": sorted(GROUP_PERMISSIONS[MANAGERS]),
    }


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_path_is_a_json_401_before_authentication(api_client, method):
    response = getattr(api_client, method)("/api/no-such-thing/", HTTP_ACCEPT="text/html,*/*;q=0.8")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_an_unknown_api_path_is_a_json_404_once_authenticated(auth_client):
    response = auth_client.get("/api/alerts/nothing/here/", HTTP_ACCEPT="text/html,*/*;q=0.8")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
