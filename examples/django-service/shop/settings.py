"""A small shop service: no database, no apps, three routes. OpenTelemetry is not configured
here: `opentelemetry-instrument` sets it up from the OTEL_* environment variables."""

import os

SECRET_KEY = os.environ.get("SHOP_SECRET_KEY", "example-only-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES: dict = {}
USE_TZ = True

# Django logs each unhandled exception at ERROR on `django.request`; that record, with its
# traceback, propagates to the root logger, where OpenTelemetry's logging handler exports it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"shop": {"handlers": ["console"], "level": "INFO"}},
}
