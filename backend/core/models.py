"""Named API tokens. Besides, this module makes Django send core the post_migrate signal, on which
the cache table is created (see CoreConfig.ready)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TokenScope(models.TextChoices):
    # GET, HEAD and OPTIONS only.
    READ = "read", "Read"
    # Whatever the user's permissions allow.
    WRITE = "write", "Write"
    # The ingest endpoints only: POST /api/monitoring/metrics/ and ai-usage/, and the OTLP receivers.
    PUSH = "push", "Push"


class ApiToken(models.Model):
    """One of a user's API tokens. Only the SHA-256 of the key is stored: the key is shown once,
    when the token is created. A revoked token keeps its row (revoked_at set), so that a request
    with it is told it was revoked and its list entry says when."""

    PREFIX = "rst_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters of the key, to tell tokens apart in lists.
    hint = models.CharField(max_length=16)
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.WRITE)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_address = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
