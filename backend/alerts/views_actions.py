"""The pages an alert message's action links open (docs/architecture.md §10): /actions/<token>/
shows the alert and a "Confirm" button and changes nothing on GET (a mail scanner that follows the
link does nothing); its POST (CSRF-checked) acts through link_actions. Server-rendered, no script.

Who may act: with ACTION_LINKS_REQUIRE_SIGN_IN off (the default) the signed link carries the
permission of its one action on its one alert; on, the POST needs a signed-in user with the
permission the API asks for that action, and sends anyone else to /actions/sign-in/ first."""

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from core.throttling import UserActionThrottle

from .models import AlertHistory, AlertStatus
from .services import action_links, link_actions
from .services.messages import alert_label_pairs, alert_url, format_labels, format_number, format_time

EXPLANATIONS = {
    action_links.ACKNOWLEDGE: "Acknowledging says you have this alert: its reminders stop, and its channels hear "
    "who has it. The resolve is still sent.",
    action_links.SILENCE_1H: "Silencing for an hour holds back this alert's notifications (this rule, this group) "
    "until an hour from now. It stays open and on the dashboard.",
    action_links.RESOLVE: "Resolving closes this alert now and tells its channels. The rule fires again after its "
    "cooldown if the condition still holds.",
}


def _invalid(request, status: int, heading: str, message: str):
    return render(request, "alerts/actions/invalid.html",
                  {"heading": heading, "message": message, "site_url": settings.SITE_URL}, status=status)


def _load(pk: int) -> AlertHistory | None:
    return AlertHistory.objects.select_related("acknowledged_by", "resolved_by").filter(pk=pk).first()


def _page(request, link: action_links.ActionLink, alert: AlertHistory, *, status: int = 200, **extra):
    group, rest = alert_label_pairs(alert)
    is_open = alert.status == AlertStatus.ACTIVE
    used = None
    if not extra.get("outcome"):
        previous = link_actions.previous_use(alert, link)
        used = link_actions.used_sentence(previous) if previous is not None else None
    acknowledged_already = link.action == action_links.ACKNOWLEDGE and alert.acknowledged_at is not None
    context = {
        "alert": alert, "label": link.label, "state": link_actions.state_sentence(alert), "is_open": is_open,
        "used": used, "labels": format_labels(group + rest),
        "value": format_number(alert.last_value if alert.last_value is not None else alert.metric_value),
        "fired_at": format_time(alert.triggered_at), "alert_link": alert_url(alert.pk),
        "explanation": EXPLANATIONS[link.action],
        "can_act": is_open and used is None and not extra.get("outcome") and not acknowledged_already,
        "needs_sign_in": settings.ACTION_LINKS_REQUIRE_SIGN_IN and not request.user.is_authenticated,
        "acknowledged_already": acknowledged_already,
        **extra,
    }
    response = render(request, "alerts/actions/confirm.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def action_page(request, token: str):
    try:
        link = action_links.verify(token)
    except action_links.ExpiredLink:
        hours = settings.ACTION_LINK_MAX_AGE_SECONDS / 3600
        return _invalid(request, 410, "This link has expired",
                        f"Action links work for {format_number(hours)} h after their message was sent.")
    except action_links.InvalidLink:
        return _invalid(request, 400, "This link is not valid",
                        "It was changed, cut short, or not made by this Resee Alerts.")
    alert = _load(link.alert_id)
    if alert is None:
        return _invalid(request, 410, "This alert is gone", f"Alert #{link.alert_id} does not exist any more.")
    if request.method == "GET":
        return _page(request, link, alert)

    user = request.user
    if settings.ACTION_LINKS_REQUIRE_SIGN_IN:
        if not user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('action-sign-in')}?next={quote(request.path, safe='/:')}")
        permission = link_actions.PERMISSIONS[link.action]
        if not user.has_perm(permission):
            return _page(request, link, alert, status=403,
                         refusal=f"{user.get_username()} may not {link.label.lower()} alerts (it needs the "
                         f"{permission} permission).")
    throttle = UserActionThrottle()
    if not throttle.allow_request(request, None):
        return _page(request, link, alert, status=429,
                     refusal=f"Too many actions: try again in {int(throttle.wait())} s.")
    outcome = link_actions.perform(link=link, user=user)
    alert = _load(alert.pk) or alert
    return _page(request, link, alert, status=200 if outcome.done else 409, outcome=outcome)


class ActionSignInView(auth_views.LoginView):
    """Sign in (the same accounts and lock-out as the dashboard), then back to the action link's page."""

    template_name = "alerts/actions/sign_in.html"

    def get_success_url(self):
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        safe = url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()},
                                               require_https=self.request.is_secure())
        return target if safe and target.startswith("/actions/") else f"{settings.SITE_URL}/"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = self.request.GET.get("next") or self.request.POST.get("next") or ""
        return context
