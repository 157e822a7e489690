"""Who may do what through the API: Django model permissions, granted through groups.

Reading needs the model's `view` permission, creating `add`, changing `change` and deleting
`delete`; superusers have them all. The groups "Alert viewers", "Alert managers" and "Metric
pushers" (core/roles.py, created by a migration) bundle them. An anonymous request is a 401 (with
`WWW-Authenticate`), a signed-in user without the permission a 403.
"""

from rest_framework.permissions import BasePermission

READ = "read"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def perm(model, action: str) -> str:
    """'app_label.action_modelname' for a model class."""
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class ModelPermissions(BasePermission):
    """Model permissions per HTTP method and per viewset action.

    A view declares `required_permissions`: a dict from an action name (viewsets: `list`,
    `create`, `resolve`, ...) or an HTTP method (`GET`, `POST`, ...) to the permissions it needs.
    A view with a queryset and no entry for the request gets the model's usual mapping: view for
    reading, add for POST, change for PUT/PATCH, delete for DELETE. Anything else is refused: an
    endpoint without a declared permission is closed, not open.
    """

    default_actions = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "PUT": "change",
                       "PATCH": "change", "DELETE": "delete"}

    def required(self, request, view) -> list[str] | None:
        declared = getattr(view, "required_permissions", {}) or {}
        action = getattr(view, "action", None)
        if action and action in declared:
            return list(declared[action])
        if request.method in declared:
            return list(declared[request.method])
        if request.method == "HEAD" and "GET" in declared:
            return list(declared["GET"])
        queryset = getattr(view, "queryset", None)
        if queryset is not None and request.method in self.default_actions:
            return [perm(queryset.model, self.default_actions[request.method])]
        return None

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False  # DRF answers 401 with the authentication challenge
        if request.method not in view.allowed_methods:
            return True  # answered 405 by the view, whoever asks
        needed = self.required(request, view)
        if needed is None:
            return bool(user.is_superuser)
        return user.has_perms(needed)
