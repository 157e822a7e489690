"""Object ids in URLs and query strings: whole numbers the database can hold. A larger one is a
404 or a 400, never an overflow error from the database driver."""

from typing import TYPE_CHECKING

from django.http import Http404

from . import provisioning

if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    _Base = GenericAPIView  # what the mixin is mixed into
else:
    _Base = object

MAX_ID = 2**63 - 1


class IdLookupMixin(_Base):
    """For viewsets: a `<pk>` that is not a whole number in the database's range is a 404 (JSON,
    from the view, like any other missing object). An object provisioned from a file is not
    changed or deleted through the API (core/provisioning.py)."""

    # Anything up to the next slash reaches the view (DRF's default stops at a dot, which would
    # leave "/rules/0.5/" to Django's HTML 404 page).
    lookup_value_regex = r"[^/]+"

    def get_object(self):
        value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        try:
            if not 0 < int(value) <= MAX_ID:
                raise ValueError
        except (TypeError, ValueError):
            raise Http404 from None
        obj = super().get_object()
        if getattr(self, "action", None) in provisioning.WRITE_ACTIONS:
            provisioning.refuse_if_provisioned(obj)  # a 409: its provisioning file holds it
        return obj
