from django.contrib.contenttypes.models import ContentType
from django.db import models


class ProvisionedObject(models.Model):
    """An object a file of PROVISIONING_DIR holds: the API refuses to change or delete it, and
    provisioning deletes it when the file no longer names it (never an object people made)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    file_name = models.CharField(max_length=255)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="provisioned_object_once"),
        ]
        indexes = [models.Index(fields=["file_name"], name="provisioned_by_file")]

    def __str__(self):
        return f"{self.content_type.model} #{self.object_id} from {self.file_name}"
