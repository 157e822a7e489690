"""Secrets at rest: passwords and tokens of data sources and channels are stored as Fernet tokens.

The keys are SECRETS_ENCRYPTION_KEYS (comma-separated Fernet keys): the first encrypts, every one
of them decrypts. To rotate, put a new key first and keep the old ones until `manage.py
rotate_secrets` has encrypted every stored secret again with the new key. With no key configured,
the key is derived from SECRET_KEY, so changing SECRET_KEY then makes the stored secrets
unreadable. The derived key also decrypts, after the configured ones: moving from no key to
configured keys needs only `rotate_secrets`.
"""

import base64
import functools
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The HKDF "info" of the key derived from SECRET_KEY: the same SECRET_KEY used for another purpose
# gives another key.
DERIVED_KEY_INFO = b"resee-alerts secrets at rest v1"

# Shorter secrets are only said to be set: their last four characters would be too much of them.
MASK_MIN_LENGTH = 12


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys decrypts."""

    def __init__(self) -> None:
        super().__init__(
            "A stored secret could not be decrypted: the encryption key may have changed "
            "(SECRETS_ENCRYPTION_KEYS, or SECRET_KEY when that is not set). Configure the key it was "
            "encrypted with again, or enter the secret again."
        )


def derive_key(secret_key: str) -> bytes:
    """The Fernet key derived from `secret_key` (HKDF-SHA256)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=DERIVED_KEY_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


@functools.lru_cache(maxsize=8)
def _fernet(configured: tuple[str, ...], secret_key: str) -> MultiFernet:
    derived = Fernet(derive_key(secret_key))
    if not configured:
        return MultiFernet([derived])
    fernets = []
    for position, key in enumerate(configured, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError:
            # Not the key itself, nor the library's message: either could show part of it.
            raise ImproperlyConfigured(
                f"SECRETS_ENCRYPTION_KEYS: key {position} of {len(configured)} is not a Fernet key "
                "(32 bytes, url-safe base64-encoded). Generate one with: python -c \"from "
                "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\""
            ) from None
    return MultiFernet([*fernets, derived])


def configured_keys() -> tuple[str, ...]:
    keys: Sequence[str] = getattr(settings, "SECRETS_ENCRYPTION_KEYS", ()) or ()
    if isinstance(keys, str):
        keys = keys.split(",")
    return tuple(key.strip() for key in keys if key.strip())


def fernet() -> MultiFernet:
    """The keys of the current settings (ImproperlyConfigured when one of them is not a key)."""
    return _fernet(configured_keys(), settings.SECRET_KEY)


def encrypt(text: str) -> str:
    """`text` as a token (ASCII, for a text column), encrypted with the first key."""
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text of a token made by encrypt(), with whichever configured key made it."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable() from None


def rotate(token: str) -> str:
    """The same secret as a token of the first key (which also renews the token's timestamp)."""
    try:
        return fernet().rotate(token.encode()).decode("ascii")
    except InvalidToken:
        raise SecretUnreadable() from None


def mask(value: str) -> str:
    """What an API shows of a secret: whether it is set and, when long enough, its last four
    characters, e.g. "set (…f3a9)"."""
    if not value:
        return "not set"
    if len(value) < MASK_MIN_LENGTH:
        return "set"
    return f"set (…{value[-4:]})"
