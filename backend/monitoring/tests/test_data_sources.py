"""Prometheus-compatible data sources: the API (secrets write-only and masked, a 400 per field),
and the client against a fake Prometheus HTTP API on 127.0.0.1: what it sends (time, timeout,
credentials), what it makes of vectors and scalars, and one clear message, without secrets, for
every way a query fails."""

import base64
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import override_settings

from monitoring import prometheus
from monitoring.models import DataSource

from .fake_prometheus import Answer, FakePrometheus, error, matrix, vector

TOKEN = "tok-0123456789-secret-ab12"
PASSWORD = "pw-very-secret-9876"
AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    server = FakePrometheus()
    yield server
    server.close()


@pytest.fixture
def private_targets():
    with override_settings(OUTBOUND_ALLOW_PRIVATE_TARGETS=True):
        yield


def source(fake, **fields) -> DataSource:
    return DataSource.objects.create(**{"name": "prom", "base_url": fake.url, **fields})


# --- the API --------------------------------------------------------------------------------------


def test_create_shows_secrets_masked_and_stores_them_encrypted(auth_client):
    answer = auth_client.post("/api/monitoring/data-sources/", {
        "name": "main", "base_url": "https://prometheus.example.com/", "secrets": {"bearer_token": TOKEN},
    }, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["secrets"] == {"bearer_token": "set (…ab12)"}
    assert body["base_url"] == "https://prometheus.example.com"
    assert body["timeout_seconds"] == 10 and body["kind"] == "prometheus"
    assert TOKEN not in answer.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM monitoring_datasource")
        (stored,) = cursor.fetchone()
    assert TOKEN not in stored
    assert DataSource.objects.get().secrets == {"bearer_token": TOKEN}
    listed = auth_client.get("/api/monitoring/data-sources/")
    assert TOKEN not in listed.content.decode()


def test_change_keeps_or_replaces_the_secrets(auth_client):
    made = auth_client.post("/api/monitoring/data-sources/", {
        "name": "main", "base_url": "https://p.example.com", "secrets": {"username": "bob", "password": PASSWORD},
    }, format="json").json()
    url = f"/api/monitoring/data-sources/{made['id']}/"
    kept = auth_client.patch(url, {"timeout_seconds": 30}, format="json")
    assert kept.status_code == 200 and kept.json()["secrets"] == {"password": "set (…9876)", "username": "set"}
    assert DataSource.objects.get().secrets == {"username": "bob", "password": PASSWORD}
    swapped = auth_client.patch(url, {"secrets": {"bearer_token": TOKEN}}, format="json")
    assert swapped.status_code == 200, swapped.json()
    assert DataSource.objects.get().secrets == {"bearer_token": TOKEN}
    cleared = auth_client.patch(url, {"secrets": {}}, format="json")
    assert cleared.json()["secrets"] == {} and DataSource.objects.get().secrets == {}


@pytest.mark.parametrize("body, field", [
    ({"base_url": "ftp://p.example.com"}, "base_url"),
    ({"base_url": "https://user:pw@p.example.com"}, "base_url"),
    ({"base_url": "https://p.example.com/?x=1"}, "base_url"),
    ({"timeout_seconds": 0}, "timeout_seconds"),
    ({"timeout_seconds": 61}, "timeout_seconds"),
    ({"timeout_seconds": True}, "timeout_seconds"),
    ({"kind": "graphite"}, "kind"),
    ({"secrets": {"api_key": "x"}}, "secrets"),
    ({"secrets": {"username": "bob"}}, "secrets"),
    ({"secrets": {"bearer_token": TOKEN, "username": "bob", "password": PASSWORD}}, "secrets"),
    ({"secrets": {"bearer_token": 12}}, "secrets"),
    ({"secrets": {"bearer_token": ""}}, "secrets"),
    ({"secrets": {"bearer_token": "a\nb"}}, "secrets"),
    ({"secrets": "token"}, "secrets"),
    ({"name": ""}, "name"),
])
def test_bad_input_is_a_400_on_its_field(auth_client, body, field):
    answer = auth_client.post("/api/monitoring/data-sources/",
                              {"name": "main", "base_url": "https://p.example.com", **body}, format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == [field]
    assert TOKEN not in answer.content.decode() and PASSWORD not in answer.content.decode()
    assert not DataSource.objects.exists()


def test_names_are_unique(auth_client):
    DataSource.objects.create(name="main", base_url="https://p.example.com")
    answer = auth_client.post("/api/monitoring/data-sources/", {"name": "main", "base_url": "https://q.example.com"},
                              format="json")
    assert answer.status_code == 409 and list(answer.json()) == ["name"]


def test_viewers_read_managers_write(viewer_client, auth_client):
    made = DataSource.objects.create(name="main", base_url="https://p.example.com", secrets={"bearer_token": TOKEN})
    assert viewer_client.get("/api/monitoring/data-sources/").status_code == 200
    assert viewer_client.post(f"/api/monitoring/data-sources/{made.pk}/test/").status_code == 403
    assert viewer_client.delete(f"/api/monitoring/data-sources/{made.pk}/").status_code == 403
    assert auth_client.delete(f"/api/monitoring/data-sources/{made.pk}/").status_code == 204


def test_the_test_endpoint_runs_vector_1(auth_client, fake, private_targets):
    made = source(fake, secrets={"bearer_token": TOKEN})
    fake.answers["/api/v1/query"] = Answer(vector(({}, 1)))
    ok = auth_client.post(f"/api/monitoring/data-sources/{made.pk}/test/")
    assert ok.status_code == 200 and ok.json()["status"] == "ok"
    assert fake.queries()[-1].params["query"] == "vector(1)"
    fake.answers["/api/v1/query"] = Answer(error("bad_data", f"invalid token {TOKEN}"), status=400)
    failed = auth_client.post(f"/api/monitoring/data-sources/{made.pk}/test/")
    assert failed.status_code == 502 and failed.json()["status"] == "error"
    assert "bad_data" in failed.json()["detail"] and TOKEN not in failed.content.decode()


def test_the_guard_refuses_private_targets_unless_allowed(auth_client, fake):
    made = source(fake)
    answer = auth_client.post(f"/api/monitoring/data-sources/{made.pk}/test/")
    assert answer.status_code == 502
    assert "OUTBOUND_ALLOW_PRIVATE_TARGETS" in answer.json()["detail"]
    assert not fake.seen


# --- the client -----------------------------------------------------------------------------------


def test_instant_query_at_the_time_asked_with_the_timeout(fake, private_targets):
    fake.answers["/api/v1/query"] = Answer(vector(({"__name__": "q", "queue": "a"}, 150), ({"queue": "b"}, "7.5")))
    result = prometheus.Client(source(fake, timeout_seconds=7)).query("my_queue_depth > 1", AT)
    assert [(s.labels, s.value) for s in result] == [({"queue": "a"}, 150.0), ({"queue": "b"}, 7.5)]
    (seen,) = fake.queries()
    assert seen.params == {"query": "my_queue_depth > 1", "time": f"{AT.timestamp():.3f}", "timeout": "7s"}


def test_a_scalar_is_one_series_without_labels_and_nan_is_no_number(fake, private_targets):
    fake.answers["/api/v1/query"] = Answer({"status": "success", "data": {"resultType": "scalar",
                                                                           "result": [0, "3"]}})
    assert [(s.labels, s.value) for s in prometheus.Client(source(fake)).query("3", AT)] == [({}, 3.0)]
    fake.answers["/api/v1/query"] = Answer(vector(({"a": "1"}, "NaN")))
    (series,) = prometheus.Client(DataSource.objects.get()).query("x", AT)
    assert series.value is None and series.raw == "NaN"


@pytest.mark.parametrize("kind, word", [("matrix", "range vector"), ("string", "string")])
def test_matrix_and_string_are_refused_for_instant_queries(fake, private_targets, kind, word):
    fake.answers["/api/v1/query"] = Answer({"status": "success", "data": {"resultType": kind, "result": []}})
    with pytest.raises(prometheus.PrometheusError, match=f"gives a {word}, not an instant vector"):
        prometheus.Client(source(fake)).query("x[5m]", AT)


def test_range_query_points(fake, private_targets):
    points = [(AT.timestamp(), 1), (AT.timestamp() + 60, 2)]
    fake.answers["/api/v1/query_range"] = Answer(matrix(({"queue": "a"}, points)))
    (series,) = prometheus.Client(source(fake)).query_range("x", AT, AT, 60)
    assert series.labels == {"queue": "a"}
    assert [v for _, v in series.points] == [1.0, 2.0] and series.points[0][0] == AT
    params = fake.seen[-1].params
    assert params["step"] == "60" and params["start"] == params["end"] == f"{AT.timestamp():.3f}"


def test_bearer_token_is_sent(fake, private_targets):
    prometheus.Client(source(fake, secrets={"bearer_token": TOKEN})).query("up", AT)
    assert fake.seen[-1].headers["Authorization"] == f"Bearer {TOKEN}"


def test_basic_auth_is_sent(fake, private_targets):
    prometheus.Client(source(fake, secrets={"username": "bob", "password": PASSWORD})).query("up", AT)
    expected = base64.b64encode(f"bob:{PASSWORD}".encode()).decode()
    assert fake.seen[-1].headers["Authorization"] == f"Basic {expected}"


def test_no_credentials_no_header(fake, private_targets):
    prometheus.Client(source(fake)).query("up", AT)
    assert "Authorization" not in fake.seen[-1].headers


@pytest.mark.parametrize("answer, says", [
    (Answer(error("bad_data", 'parse error: unexpected ")"'), status=400), 'bad_data: parse error: unexpected ")"'),
    (Answer(error("timeout", "query timed out"), status=503), "timeout: query timed out"),
    (Answer("upstream exploded", status=500), "answered HTTP 500"),
    (Answer("no", status=401), "answered HTTP 401: check the data source's credentials"),
    (Answer("<html>login</html>", status=200), "did not answer with the Prometheus HTTP API's JSON"),
    (Answer({"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}}]}}),
     "not in the Prometheus HTTP API's format"),
    (Answer(vector(({}, "abc"))), "not a number"),
])
def test_failures_are_one_clear_message(fake, private_targets, answer, says):
    fake.answers["/api/v1/query"] = answer
    with pytest.raises(prometheus.PrometheusError) as raised:
        prometheus.Client(source(fake, secrets={"bearer_token": TOKEN})).query("sum(rate(x[5m]))", AT)
    message = str(raised.value)
    assert says in message and message.startswith("Data source 'prom': ")
    assert TOKEN not in message and "/api/v1" not in message


def test_a_slow_source_times_out_within_its_timeout(fake, private_targets):
    fake.answers["/api/v1/query"] = Answer(vector(({}, 1)), delay=10)
    with pytest.raises(prometheus.PrometheusError, match="did not answer within 1 s"):
        prometheus.Client(source(fake, timeout_seconds=1)).query("up", AT)


def test_an_error_repeating_a_secret_does_not_show_it(fake, private_targets):
    fake.answers["/api/v1/query"] = Answer(error("bad_data", f"user bob:{PASSWORD} not allowed"), status=422)
    with pytest.raises(prometheus.PrometheusError) as raised:
        prometheus.Client(source(fake, secrets={"username": "bob", "password": PASSWORD})).query("up", AT)
    assert PASSWORD not in str(raised.value) and "not allowed" in str(raised.value)


def test_nothing_listening(private_targets):
    DataSource.objects.create(name="gone", base_url="http://127.0.0.1:9")
    with pytest.raises(prometheus.PrometheusError, match="Could not connect to http://127.0.0.1:9"):
        prometheus.Client(DataSource.objects.get()).query("up", AT)
