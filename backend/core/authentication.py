"""`Authorization: Bearer <key>` (or `Token <key>`) with a named API token (core.models.ApiToken).

The token is looked up by the SHA-256 of the key. An unknown, revoked or expired token, or one of
an inactive user, is a 401 that says which; a request its scope does not allow (core.tokens) a 403
that names the scope. request.auth is the ApiToken."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from . import tokens
from .throttling import client_address


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"
    accepted_keywords = (b"bearer", b"token")

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() not in self.accepted_keywords:
            return None
        if len(auth) == 1:
            raise exceptions.AuthenticationFailed("Invalid token header. No credentials provided.")
        if len(auth) > 2:
            raise exceptions.AuthenticationFailed("Invalid token header. Token string should not contain spaces.")
        try:
            key = auth[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(
                "Invalid token header. Token string should not contain invalid characters."
            ) from None
        token = tokens.find(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Token revoked.")
        if token.is_expired:
            raise exceptions.AuthenticationFailed("Token expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        match = getattr(request, "resolver_match", None)
        refusal = tokens.scope_refusal(token, request.method, match.url_name if match else None)
        if refusal:
            raise exceptions.PermissionDenied(refusal)
        tokens.note_use(token, client_address(request))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
