import pytest

from monitoring.models import MetricSample

pytestmark = pytest.mark.django_db


def test_samples_are_listed_in_the_admin(admin_client):
    MetricSample.objects.create(name="cpu_usage", value=42.5)

    response = admin_client.get("/admin/monitoring/metricsample/")

    assert response.status_code == 200
    assert b"cpu_usage" in response.content
    assert b"42.5" in response.content


def test_samples_cannot_be_added_or_edited_in_the_admin(admin_client):
    sample = MetricSample.objects.create(name="cpu_usage", value=1.0)

    assert admin_client.get("/admin/monitoring/metricsample/add/").status_code == 403
    response = admin_client.post(
        f"/admin/monitoring/metricsample/{sample.pk}/change/", {"name": "cpu_usage", "value": "99"}
    )
    assert response.status_code == 403
    sample.refresh_from_db()
    assert sample.value == 1.0


def test_admin_requires_login(client):
    response = client.get("/admin/monitoring/metricsample/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
