"""The shop's routes: an order that is found, a checkout that fails when asked to, a health check."""

import logging

from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)


class PaymentDeclined(Exception):
    """The payment provider refused the charge."""


def order(request: HttpRequest, id: int) -> JsonResponse:
    return JsonResponse({"id": id, "status": "shipped", "items": 2})


def checkout(request: HttpRequest) -> JsonResponse:
    """Fails with a 500 (an unhandled exception, logged by Django at ERROR) when `?fail=1`."""
    if request.GET.get("fail") == "1":
        raise PaymentDeclined("card declined by the payment provider")
    logger.info("checkout completed")
    return JsonResponse({"status": "paid"})


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
