import json

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.db import connection

from core import secrets
from core.fields import EncryptedJSONField, SecretDict, UnreadableSecrets

PASSWORD = "hunter2-correct-horse-battery"


def new_key() -> str:
    return Fernet.generate_key().decode()


def test_a_secret_round_trips_and_the_token_does_not_contain_it():
    token = secrets.encrypt(PASSWORD)

    assert PASSWORD not in token
    assert token.isascii()
    assert secrets.decrypt(token) == PASSWORD
    assert secrets.encrypt(PASSWORD) != token  # a fresh IV each time


def test_rotation_keeps_old_tokens_readable_and_moves_them_to_the_new_key(settings):
    old, new = new_key(), new_key()
    settings.SECRETS_ENCRYPTION_KEYS = [old]
    token = secrets.encrypt(PASSWORD)

    settings.SECRETS_ENCRYPTION_KEYS = [new, old]
    assert secrets.decrypt(token) == PASSWORD
    rotated = secrets.rotate(token)
    assert rotated != token

    settings.SECRETS_ENCRYPTION_KEYS = [new]
    assert secrets.decrypt(rotated) == PASSWORD
    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(token)


def test_secrets_of_the_derived_key_are_moved_to_a_configured_key_by_rotation(settings):
    settings.SECRETS_ENCRYPTION_KEYS = []
    token = secrets.encrypt(PASSWORD)
    key = new_key()

    settings.SECRETS_ENCRYPTION_KEYS = [key]
    assert secrets.decrypt(token) == PASSWORD
    rotated = secrets.rotate(token)

    assert Fernet(key).decrypt(rotated).decode() == PASSWORD
    settings.SECRET_KEY = "a-changed-secret-key-" + "z" * 40
    assert secrets.decrypt(rotated) == PASSWORD
    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(token)


def test_new_secrets_are_encrypted_with_the_first_key(settings):
    first, second = new_key(), new_key()
    settings.SECRETS_ENCRYPTION_KEYS = [first, second]
    token = secrets.encrypt(PASSWORD)

    assert Fernet(first).decrypt(token).decode() == PASSWORD


def test_the_keys_setting_may_be_the_comma_separated_text_of_the_variable(settings):
    old, new = new_key(), new_key()
    settings.SECRETS_ENCRYPTION_KEYS = [old]
    token = secrets.encrypt(PASSWORD)

    settings.SECRETS_ENCRYPTION_KEYS = f" {new} , {old} "
    assert secrets.decrypt(token) == PASSWORD


OTHER_KEYS_TOKEN = Fernet(Fernet.generate_key()).encrypt(PASSWORD.encode()).decode()


@pytest.mark.parametrize("token", ["not a token", "", OTHER_KEYS_TOKEN])
def test_a_token_no_key_decrypts_is_unreadable_and_the_message_says_why_without_the_secret(token):
    with pytest.raises(secrets.SecretUnreadable) as raised:
        secrets.decrypt(token)

    message = str(raised.value)
    assert "key may have changed" in message
    assert PASSWORD not in message and (not token or token not in message)
    with pytest.raises(secrets.SecretUnreadable):
        secrets.rotate(token)


def test_the_key_derived_from_secret_key_is_stable_and_differs_for_another_secret_key(settings):
    settings.SECRETS_ENCRYPTION_KEYS = []
    settings.SECRET_KEY = "first-secret-key-" + "x" * 40
    token = secrets.encrypt(PASSWORD)

    assert secrets.derive_key(settings.SECRET_KEY) == secrets.derive_key("first-secret-key-" + "x" * 40)
    assert Fernet(secrets.derive_key(settings.SECRET_KEY)).decrypt(token).decode() == PASSWORD
    assert secrets.derive_key("another-secret-key") != secrets.derive_key(settings.SECRET_KEY)

    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(token)


@pytest.mark.parametrize("bad_key", ["not-a-fernet-key-but-a-long-password-1234", "c2hvcnQ=", "Zm9v!!not base64"])
def test_a_configured_key_that_is_not_a_key_is_improperly_configured_without_the_key(settings, bad_key):
    settings.SECRETS_ENCRYPTION_KEYS = [new_key(), bad_key]

    with pytest.raises(ImproperlyConfigured) as raised:
        secrets.encrypt(PASSWORD)

    message = str(raised.value)
    assert "SECRETS_ENCRYPTION_KEYS: key 2 of 2 is not a Fernet key" in message
    assert bad_key not in message


@pytest.mark.parametrize(
    ("value", "shown"),
    [("", "not set"), ("short", "set"), ("elevenchars", "set"), ("xoxb-1234-abcd-f3a9", "set (…f3a9)")],
)
def test_mask_shows_whether_a_secret_is_set_and_the_end_of_a_long_one(value, shown):
    assert secrets.mask(value) == shown


# --- EncryptedJSONField, through its own methods (no model has one yet) ----------------------------


def field() -> EncryptedJSONField:
    return EncryptedJSONField(default=dict, blank=True)


def stored_text(value) -> str:
    stored = field().get_prep_value(value)
    assert isinstance(stored, str)
    return stored


def test_the_field_stores_one_token_without_the_plaintext_and_loads_the_dict_back():
    value = {"password": PASSWORD, "token": "api-token-0001"}

    stored = stored_text(value)

    assert PASSWORD not in stored and "api-token-0001" not in stored and "password" not in stored
    assert json.loads(secrets.decrypt(stored)) == value
    loaded = field().from_db_value(stored, None, None)
    assert loaded == value and isinstance(loaded, SecretDict)
    assert field().to_python(stored) == value
    assert field().to_python(value) == value
    assert field().get_prep_value({}) != "" and field().from_db_value(field().get_prep_value({}), None, None) == {}
    assert field().from_db_value(None, None, None) is None


def test_the_loaded_secrets_show_their_keys_never_their_values():
    loaded = field().from_db_value(field().get_prep_value({"password": PASSWORD}), None, None)

    assert repr(loaded) == str(loaded) == "<secrets: password>"
    assert PASSWORD not in f"{loaded!r} {loaded} {[loaded]}"
    assert field().formfield() is None  # the admin and model forms leave it out


def test_a_row_no_key_decrypts_loads_as_unreadable_and_is_saved_back_unchanged(settings):
    settings.SECRETS_ENCRYPTION_KEYS = [new_key()]
    stored = field().get_prep_value({"password": PASSWORD})
    settings.SECRETS_ENCRYPTION_KEYS = [new_key()]

    loaded = field().from_db_value(stored, None, None)

    assert isinstance(loaded, UnreadableSecrets) and loaded.unreadable and loaded == {}
    assert field().get_prep_value(loaded) == stored
    loaded["password"] = "entered-again-1234"
    assert json.loads(secrets.decrypt(stored_text(loaded))) == {"password": "entered-again-1234"}
    with pytest.raises(ValidationError, match="key may have changed"):
        field().to_python(stored)


def test_the_field_refuses_what_is_not_a_dict():
    with pytest.raises(TypeError):
        field().get_prep_value(["password"])
    with pytest.raises(ValidationError):
        field().to_python(secrets.encrypt(json.dumps(["password"])))
    assert field().get_lookup("exact") is None and field().get_lookup("isnull") is not None


@pytest.mark.django_db
def test_rotate_secrets_moves_stored_rows_to_the_new_key(capsys, settings):
    # Data sources keep their credentials in an EncryptedJSONField (monitoring.DataSource.secrets).
    from monitoring.models import DataSource

    old, new = new_key(), new_key()
    settings.SECRETS_ENCRYPTION_KEYS = [old]
    source = DataSource.objects.create(name="prom", base_url="http://prometheus.example:9090",
                                       secrets={"bearer_token": "s3cret-token"})
    DataSource.objects.create(name="open", base_url="http://other.example:9090")
    def column() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT secrets FROM monitoring_datasource WHERE id = %s", [source.pk])
            return cursor.fetchone()[0]

    stored = column()
    assert "s3cret-token" not in stored
    settings.SECRETS_ENCRYPTION_KEYS = [new, old]

    call_command("rotate_secrets")

    assert "monitoring.DataSource.secrets: 2 re-encrypted" in capsys.readouterr().out
    settings.SECRETS_ENCRYPTION_KEYS = [new]
    assert column() != stored
    assert DataSource.objects.get(pk=source.pk).secrets == {"bearer_token": "s3cret-token"}


def test_rotate_secrets_stops_on_a_bad_key_before_reading_anything(settings):
    settings.SECRETS_ENCRYPTION_KEYS = ["not-a-key"]

    with pytest.raises(ImproperlyConfigured, match="key 1 of 1"):
        call_command("rotate_secrets")
