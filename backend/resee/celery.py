"""The Celery application: `celery -A resee worker|beat|inspect ...` from backend/."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resee.settings")

app = Celery("resee")
# Every CELERY_* Django setting configures Celery (broker, serialisation, limits, beat schedule).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
