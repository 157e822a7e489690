"""Free-text search over the alert history and the rules.

A search is words; an alert matches when every word is in its rule name, message, summary, labels
(names and values), resolution notes or acknowledgement comment, as a word or the beginning of one
("restart" finds "restarted"). On PostgreSQL this is its full-text search with the "simple"
configuration (no stemming and no stop words, so host names, error codes and words like "down" are
found as written) over the `search_document` column that migration 0015 adds: generated from those
fields with punctuation turned into spaces, so that the database splits words as `words()` does,
and indexed with GIN. Elsewhere each word is a case-insensitive substring of one of those fields.
Rules are few: a rule matches when every word is a substring of its name, description, summary,
labels or (PromQL) expression, on every database.
"""

import re

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from .models import AlertHistory

# Longer searches are cut here: the words after this many are not looked for.
MAX_WORDS = 12
MAX_WORD_LENGTH = 64
CONFIG = "simple"

# The fields of an alert a search reads.
ALERT_TEXT_FIELDS = ("rule_name", "message", "summary", "resolution_notes", "acknowledged_comment")
RULE_TEXT_FIELDS = ("name", "description", "summary", "expr")

# Letters and digits: underscores and other punctuation separate words, as in PostgreSQL's parser.
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of a search, lower-cased, in order, without repeats."""
    found: list[str] = []
    for word in _WORD.findall(text.lower()):
        word = word[:MAX_WORD_LENGTH]
        if word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def _prefix_query(found: list[str]) -> str:
    # Each word is only letters and digits (`words`), so the query cannot be malformed.
    return " & ".join(f"{word}:*" for word in found)


def search_alerts(queryset, text: str):
    found = words(text)
    if not found:
        return queryset
    if connection.vendor == "postgresql":
        # search_document is a generated column (migration 0015), not a model field.
        table = AlertHistory._meta.db_table
        matches = RawSQL(f'"{table}"."search_document" @@ to_tsquery(%s, %s)', [CONFIG, _prefix_query(found)],
                         output_field=BooleanField())
        return queryset.filter(matches)
    for word in found:
        match = Q(labels__icontains=word)
        for name in ALERT_TEXT_FIELDS:
            match |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


def search_rules(queryset, text: str):
    for word in words(text):
        match = Q(labels__icontains=word)
        for name in RULE_TEXT_FIELDS:
            match |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(match)
    return queryset
