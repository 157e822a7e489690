"""Uptime checks: HTTP(S) and TCP checks run on the "checks" Celery queue, and heartbeats that jobs
ping at /ping/<uuid>/. Each check is a series (labels check=<name>, kind=<kind>) that ordinary
rules watch: check_up, check_response_time_ms, check_cert_days_left, heartbeat_age_seconds."""
