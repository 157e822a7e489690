"""The base of the notifiers that send over HTTP: every request goes through the one outbound
client (core.outbound: timeouts, no redirects, the SSRF guard), and every answer is classified the
same way unless the kind's API says otherwise.

Transient (retried): no answer in time, no connection, 408, 425, 429 (with its Retry-After), 5xx.
Permanent: a refused target (the SSRF guard), a redirect (not followed), any other 4xx.
"""

from collections.abc import Mapping
from typing import Any

import requests
from django.conf import settings

from core import outbound

from .notifier_base import Notifier, SendResult
from .retry_policy import parse_retry_after

MAX_ERROR_BODY = 300
TRANSIENT_CODES = frozenset({408, 425, 429})


class HttpNotifier(Notifier):
    """A notifier that posts to an HTTP API. Subclasses build the request; `post` sends it and
    turns the answer into a SendResult."""

    def allow_private(self) -> bool | None:
        """Whether this channel may reach private addresses: the environment's default channels
        are the operator's own configuration and may; a channel users configure follows
        OUTBOUND_ALLOW_PRIVATE_TARGETS (None)."""
        return True if self.from_environment else None

    def timeout(self) -> float:
        return float(settings.NOTIFICATION_TIMEOUT_SECONDS)

    def post(
        self, url: str, *, json: Any = None, data: Any = None, headers: Mapping[str, str] | None = None,
        auth: Any = None, method: str = "POST",
    ) -> SendResult:
        timeout = self.timeout()
        try:
            response = outbound.request(
                method, url, json=json, data=data, headers=headers, auth=auth, timeout=timeout,
                allow_private=self.allow_private(), max_bytes=64 * 1024,
            )
        except outbound.TargetRefused as error:
            return self.failed(f"{self.label}: {error}")
        except outbound.OutboundTimeout:
            return self.failed(f"{self.label} did not answer within {timeout:g} s.", transient=True)
        except outbound.OutboundConnectionError:
            return self.failed(f"Could not connect to the {self.label} host.", transient=True)
        except outbound.OutboundError as error:
            return self.failed(f"The request to {self.label} failed: {error}", transient=True)
        return self.classify(response)

    def failed(self, error: str, **kwargs: Any) -> SendResult:
        return SendResult.failed(self.scrub(error), **kwargs)

    def answer_error(self, response: requests.Response) -> str:
        """What the receiver's answer says went wrong, for the delivery's last error."""
        body = " ".join(response.text[:MAX_ERROR_BODY].split())
        return f"{self.label} answered HTTP {response.status_code}" + (f": {body}" if body else ".")

    def retry_after(self, response: requests.Response) -> float | None:
        """Seconds the receiver asked to wait; the Retry-After header unless the kind says otherwise."""
        return parse_retry_after(response.headers.get("Retry-After"))

    def accepted(self, response: requests.Response) -> bool:
        """Whether the answer means the message was taken (2xx unless the kind says otherwise)."""
        return 200 <= response.status_code < 300

    def classify(self, response: requests.Response) -> SendResult:
        code = response.status_code
        if self.accepted(response):
            return SendResult.sent(response_code=code)
        error = self.answer_error(response)
        if 300 <= code < 400:
            return self.failed(f"{error} Redirects are not followed: configure the final URL.", response_code=code)
        transient = code in TRANSIENT_CODES or code >= 500
        retry_after = self.retry_after(response) if transient else None
        return self.failed(error, response_code=code, transient=transient, retry_after=retry_after)
