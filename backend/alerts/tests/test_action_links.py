"""One-click action links (docs/architecture.md §10): an open alert's trigger, reminder and escalation
messages carry Acknowledge, Silence 1 h and Resolve links, signed, bound to one alert and one action,
expiring. Each opens a confirmation page that changes nothing on GET and acts only on its POST
(CSRF-checked), once, recorded on the alert's timeline. The links are taken out of what the real
receivers (Slack, email, Teams, Discord, Telegram) got."""

import html
import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from alerts.models import AlertEvent, AlertHistory, NotificationEvent, Silence
from alerts.services import action_links, notifications
from alerts.services.discord_notifier import DiscordNotifier
from alerts.services.email_notifier import EmailNotifier
from alerts.services.lifecycle import resolve_by_person, trigger_by_hand
from alerts.services.messages import NotificationMessage, build_alert_message
from alerts.services.teams_notifier import TeamsNotifier
from alerts.services.telegram_notifier import TelegramNotifier
from core import throttling

from .channel_testing import make_channel, receiver  # noqa: F401  (a fixture)
from .conftest import SITE_URL
from .factories import make_alert, make_rule
from .receivers import Reply

pytestmark = pytest.mark.django_db

LABELS = ["Acknowledge", "Silence 1 h", "Resolve"]


def path_of(url: str) -> str:
    assert url.startswith(f"{SITE_URL}/actions/"), url
    return urlsplit(url).path


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def confirm(browser: Client, url: str):
    """What a person does: open the link (GET), then press the button (POST of the form, CSRF token
    included). Returns both answers."""
    page = browser.get(path_of(url))
    answer = browser.post(path_of(url), {"csrfmiddlewaretoken": csrf_of(page.content.decode())})
    return page, answer


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def slack_actions(request) -> dict[str, str]:
    (_, buttons) = request.json["blocks"]
    assert buttons["type"] == "actions"
    return {button["text"]["text"]: button["url"] for button in buttons["elements"]}


def fire(user, capture, **rule_fields):
    rule = make_rule(name="Checkout errors", severity="critical", slack_enabled=True, slack_channel="#ops",
                     **rule_fields)
    with capture(execute=True):
        return trigger_by_hand(rule=rule, user=user, message="5xx on /checkout")


# --- the Slack message's buttons, end to end ------------------------------------------------------


def test_the_acknowledge_button_from_slack_asks_on_get_and_acknowledges_on_post(
    slack_server, user, celery_eager, django_capture_on_commit_callbacks, browser,
):
    alert = fire(user, django_capture_on_commit_callbacks)
    (trigger,) = slack_server.requests
    links = slack_actions(trigger)
    assert list(links) == LABELS
    assert trigger.json["blocks"][0]["text"]["text"] == trigger.json["text"]  # the first line, then the buttons

    page = browser.get(path_of(links["Acknowledge"]))  # what a mail scanner does, too

    assert page.status_code == 200
    body = page.content.decode()
    assert "Acknowledge: Checkout errors" in body and "CRITICAL" in body and "Confirm: Acknowledge" in body
    assert "nobody has acknowledged it" in body
    # The token stays out of Referer headers to other sites, while the form's POST keeps its
    # Origin: under "no-referrer" browsers send "Origin: null", which the CSRF check refuses.
    assert '<meta name="referrer" content="same-origin">' in body
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert list(AlertEvent.objects.values_list("kind", flat=True)) == ["opened"]

    refused = browser.post(path_of(links["Acknowledge"]))  # no CSRF token: refused, nothing done
    assert refused.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        answer = browser.post(path_of(links["Acknowledge"]), {"csrfmiddlewaretoken": csrf_of(body)})

    assert answer.status_code == 200
    assert f"Alert #{alert.pk} is acknowledged" in answer.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None and alert.acknowledged_by is None
    event = AlertEvent.objects.get(kind="acknowledged")
    token = path_of(links["Acknowledge"]).split("/")[2]
    assert (event.via, event.actor, event.text) == ("link", None, "Acknowledged by an action link")
    assert event.detail == {"token": action_links.fingerprint(token), "action": "acknowledge"}
    assert token not in str(event.detail)  # the token itself is never stored
    # The channel heard it, like any acknowledgement.
    assert slack_server.requests[-1].json["text"] == ":eyes: *[CRITICAL] Checkout errors* acknowledged by someone"
    assert "blocks" not in slack_server.requests[-1].json  # an acknowledgement has no links

    page = browser.get(path_of(links["Acknowledge"]))
    assert "used already" in page.content.decode() and "Confirm:" not in page.content.decode()
    again = browser.post(path_of(links["Acknowledge"]), {"csrfmiddlewaretoken": csrf_of(body)})
    assert again.status_code == 409
    assert "This link was used already" in again.content.decode()
    assert AlertEvent.objects.filter(kind="acknowledged").count() == 1


def test_silence_1h_from_slack_silences_this_alert_s_rule_and_group_for_an_hour(
    slack_server, user, celery_eager, django_capture_on_commit_callbacks, browser, auth_client,
):
    alert = fire(user, django_capture_on_commit_callbacks)
    AlertHistory.objects.filter(pk=alert.pk).update(group_labels={"route": "/checkout"})
    links = slack_actions(slack_server.requests[0])

    before = timezone.now()
    page, answer = confirm(browser, links["Silence 1 h"])

    assert "Confirm: Silence 1 h" in page.content.decode()
    assert answer.status_code == 200, answer.content.decode()
    silence = Silence.objects.get()
    assert silence.matchers == [{"label": "rule", "op": "=", "value": "Checkout errors"},
                                {"label": "route", "op": "=", "value": "/checkout"}]
    assert timedelta(minutes=59) < silence.ends_at - before <= timedelta(minutes=61)
    assert silence.created_by is None
    assert f"alert #{alert.pk}" in silence.comment and "action link" in silence.comment
    event = AlertEvent.objects.get(kind="silenced")
    assert (event.via, event.detail["silence"], event.detail["action"]) == ("link", silence.pk, "silence_1h")
    assert "is silenced until" in answer.content.decode()
    # The API says the alert is held by it now.
    AlertHistory.objects.filter(pk=alert.pk).update(labels={"route": "/checkout"})
    data = auth_client.get(f"/api/alerts/history/{alert.pk}/").json()
    assert data["silenced_by"]["silences"] == [silence.pk]


def test_resolve_from_slack_resolves_with_a_note_and_its_channels_hear_it(
    slack_server, user, celery_eager, django_capture_on_commit_callbacks, browser,
):
    alert = fire(user, django_capture_on_commit_callbacks)
    links = slack_actions(slack_server.requests[0])

    with django_capture_on_commit_callbacks(execute=True):
        _, answer = confirm(browser, links["Resolve"])

    assert answer.status_code == 200
    alert.refresh_from_db()
    assert (alert.status, alert.resolution_notes, alert.resolved_by) == ("resolved", "Resolved from an action link",
                                                                         None)
    assert AlertEvent.objects.get(kind="resolved").via == "link"
    assert slack_server.requests[-1].json["text"].startswith(":white_check_mark: *Resolved: Checkout errors*")

    # Another of the message's links, now that the alert is resolved: the page says so and acts not.
    page = browser.get(path_of(links["Acknowledge"]))
    body = page.content.decode()
    assert page.status_code == 200 and f"Alert #{alert.pk} was resolved by an action link" in body
    assert "There is nothing to do" in body and "Confirm:" not in body
    refused = Client().post(path_of(links["Acknowledge"]))
    assert refused.status_code == 409
    assert "Nothing was done" in refused.content.decode()
    assert not AlertEvent.objects.filter(kind="acknowledged").exists()


# --- every channel kind carries the links, and they work -------------------------------------------


def _email(smtp_server, message):
    assert EmailNotifier().send(message, target="ops@resee.com").ok
    received = smtp_server.messages[-1]
    text = received.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    page = received.get_body(preferencelist=("html",)).get_content()
    in_text = dict(re.findall(r"^(Acknowledge|Silence 1 h|Resolve): (\S+)$", text, re.M))
    found = re.findall(r'<a href="([^"]+/actions/[^"]+)"[^>]*>([^<]+)</a>', page)
    in_html = {label: html.unescape(url) for url, label in found}
    assert in_text == in_html
    return in_text


def _teams(server, message):
    channel = make_channel("teams", secrets={"webhook_url": server.url("/workflows/1/invoke?sig=S1GS1GS1GS1GS1G")})
    server.default_reply = Reply(202, "")
    assert TeamsNotifier(channel).send(message, target="").ok
    card = server.requests[-1].json["attachments"][0]["content"]
    return {a["title"]: a["url"] for a in card["actions"] if a["title"] in LABELS}


def _discord(server, message):
    channel = make_channel("discord", secrets={"webhook_url": server.url("/api/webhooks/1/T0KENT0KENT0KEN")})
    server.default_reply = Reply(204, "")
    assert DiscordNotifier(channel).send(message, target="").ok
    (field,) = [f for f in server.requests[-1].json["embeds"][0]["fields"] if f["name"] == "Actions"]
    return dict(re.findall(r"\[([^\]]+)\]\((\S+?)\)", field["value"]))


def _telegram(server, message):
    channel = make_channel("telegram", settings={"base_url": server.url("")},
                           secrets={"bot_token": "123456:ABCdefGHIjklMNOpqrSTUvwxYZ"})
    server.default_reply = Reply(200, '{"ok": true, "result": {}}')
    assert TelegramNotifier(channel).send(message, target="-100123").ok
    text = server.requests[-1].json["text"]
    return {label: html.unescape(url) for url, label in re.findall(r'<a href="([^"]+/actions/[^"]+)">([^<]+)</a>',
                                                                   text)}


@pytest.mark.parametrize("kind,action", [("email", "Acknowledge"), ("teams", "Silence 1 h"),
                                         ("discord", "Resolve"), ("telegram", "Acknowledge")])
def test_each_channel_kind_carries_the_three_links_and_one_of_them_works(
    kind, action, receiver, smtp_server, browser, django_capture_on_commit_callbacks,  # noqa: F811
):
    alert = make_alert(make_rule(name="Disk full"), status="active")
    message = build_alert_message(alert=alert, event="trigger")
    send = {"email": lambda: _email(smtp_server, message), "teams": lambda: _teams(receiver, message),
            "discord": lambda: _discord(receiver, message), "telegram": lambda: _telegram(receiver, message)}[kind]

    links = send()

    assert list(links) == LABELS
    assert links == dict(message.actions)
    for label, url in links.items():  # each names this alert and its own action
        link = action_links.verify(path_of(url).split("/")[2])
        assert (link.alert_id, link.label) == (alert.pk, label)
    with django_capture_on_commit_callbacks(execute=True):
        page, answer = confirm(browser, links[action])
    assert page.status_code == 200 and answer.status_code == 200, answer.content.decode()
    alert.refresh_from_db()
    done = {"Acknowledge": alert.acknowledged_at is not None, "Silence 1 h": Silence.objects.exists(),
            "Resolve": alert.status == "resolved"}
    assert done == {label: label == action for label in LABELS}
    assert AlertEvent.objects.filter(via="link").count() == 1


# --- which messages carry them ------------------------------------------------------------------


def test_only_an_open_alert_s_trigger_reminder_and_escalation_carry_links():
    alert = make_alert(make_rule(), status="active")
    for event in (NotificationEvent.TRIGGER, NotificationEvent.REMINDER, NotificationEvent.ESCALATION):
        assert [label for label, _ in build_alert_message(alert=alert, event=event).actions] == LABELS
    assert build_alert_message(alert=alert, event=NotificationEvent.ACKNOWLEDGE).actions == ()
    resolve_by_person(alert=alert, user=None, notes="done")
    alert.refresh_from_db()
    for event in (NotificationEvent.RESOLVE, NotificationEvent.TRIGGER):
        assert build_alert_message(alert=alert, event=event).actions == ()


def test_actions_are_kept_on_the_delivery_and_old_payloads_load_without_them():
    alert = make_alert(make_rule(), status="active")
    message = build_alert_message(alert=alert, event="trigger")
    (delivery,) = notifications.create_deliveries(message=message, targets=[("slack", "#ops")], alert=alert,
                                                  queue=False)
    delivery.refresh_from_db()
    assert NotificationMessage.from_dict(delivery.payload) == message
    old = {key: value for key, value in message.as_dict().items() if key != "actions"}
    assert NotificationMessage.from_dict(old).actions == ()


# --- tokens ----------------------------------------------------------------------------------------


def test_a_token_is_bound_to_its_alert_and_action():
    token = action_links.make_token(7, "acknowledge")
    assert action_links.verify(token) == action_links.ActionLink(7, "acknowledge", action_links.fingerprint(token))
    payload, rest = token.split(":", 1)
    other = action_links.make_token(8, "resolve")
    forged = other.split(":", 1)[0] + ":" + rest  # another alert's and action's payload, this signature
    for bad in (forged, token[:-2], token + "x", "nonsense", signing.dumps({"alert": 7, "action": "acknowledge"}),
                signing.dumps({"alert": 7, "action": "delete"}, salt=action_links.SALT),
                signing.dumps({"alert": "7", "action": "resolve"}, salt=action_links.SALT)):
        with pytest.raises(action_links.InvalidLink):
            action_links.verify(bad)
    with pytest.raises(ValueError):
        action_links.make_token(7, "delete")


def test_an_expired_or_invalid_link_is_a_clear_page_and_does_nothing(monkeypatch, browser, settings):
    settings.ACTION_LINK_MAX_AGE_SECONDS = 3600
    alert = make_alert(make_rule(name="Queue depth"), status="active")
    real_time = time.time
    monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() - 7200)  # made two hours ago
    old = action_links.action_url(alert.pk, "resolve")
    monkeypatch.setattr("django.core.signing.time.time", real_time)

    for method in (browser.get, Client().post):
        answer = method(path_of(old))
        assert answer.status_code == 410
        assert "This link has expired" in answer.content.decode() and "1 h" in answer.content.decode()
    answer = browser.get(path_of(action_links.action_url(alert.pk, "resolve"))[:-3] + "/")
    assert answer.status_code == 400 and "This link is not valid" in answer.content.decode()
    assert Client().post(path_of(action_links.action_url(alert.pk, "resolve"))[:-3] + "/").status_code == 400
    gone = action_links.action_url(alert.pk + 1000, "resolve")
    assert browser.get(path_of(gone)).status_code == 410
    alert.refresh_from_db()
    assert alert.status == "active" and not AlertEvent.objects.exists()


def test_an_acknowledge_link_of_an_alert_someone_has_already_changes_nothing(browser, user):
    from alerts.services.lifecycle import acknowledge

    alert = make_alert(make_rule(), status="active")
    acknowledge(alert=alert, user=user, comment="mine")
    url = path_of(action_links.action_url(alert.pk, "acknowledge"))

    page = browser.get(url)
    body = page.content.decode()
    assert "Someone has this alert already" in body and "acknowledged by oncall" in body
    assert "Confirm:" not in body
    answer = Client().post(url)
    assert answer.status_code == 409 and "Nothing was changed" in answer.content.decode()
    assert AlertEvent.objects.filter(via="link").count() == 0


def test_a_head_or_put_changes_nothing(browser):
    alert = make_alert(make_rule(), status="active")
    url = path_of(action_links.action_url(alert.pk, "resolve"))
    assert Client().head(url).status_code == 405
    assert Client().put(url).status_code == 405
    alert.refresh_from_db()
    assert alert.status == "active"


# --- who may act ------------------------------------------------------------------------------


def test_with_sign_in_required_a_visitor_signs_in_first_and_needs_the_permission(
    settings, browser, user, viewer,
):
    settings.ACTION_LINKS_REQUIRE_SIGN_IN = True
    alert = make_alert(make_rule(name="Checkout errors"), status="active")
    url = path_of(action_links.action_url(alert.pk, "acknowledge"))

    page = browser.get(url)
    assert "You will be asked to sign in first" in page.content.decode()
    answer = browser.post(url, {"csrfmiddlewaretoken": csrf_of(page.content.decode())})
    assert answer.status_code == 302
    assert answer["Location"] == f"/actions/sign-in/?next={url}"
    sign_in = browser.get(answer["Location"])
    assert sign_in.status_code == 200
    wrong = browser.post(answer["Location"], {"username": "watcher", "password": "nope", "next": url,
                                              "csrfmiddlewaretoken": csrf_of(sign_in.content.decode())})
    assert wrong.status_code == 200 and "Please enter a correct username" in wrong.content.decode()

    # A viewer may not acknowledge: refused, nothing done.
    signed_in = browser.post(answer["Location"], {"username": "watcher", "password": "pw-watcher-1", "next": url,
                                                  "csrfmiddlewaretoken": csrf_of(wrong.content.decode())})
    assert (signed_in.status_code, signed_in["Location"]) == (302, url)
    page = browser.get(url)
    refused = browser.post(url, {"csrfmiddlewaretoken": csrf_of(page.content.decode())})
    assert refused.status_code == 403
    assert "watcher may not acknowledge alerts" in refused.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None

    # An on-call manager may: the event says who.
    manager = Client(enforce_csrf_checks=True)
    manager.force_login(user)
    page = manager.get(url)
    assert "You will be asked to sign in" not in page.content.decode()
    done = manager.post(url, {"csrfmiddlewaretoken": csrf_of(page.content.decode())})
    assert done.status_code == 200
    alert.refresh_from_db()
    assert alert.acknowledged_by == user
    event = AlertEvent.objects.get(kind="acknowledged")
    assert (event.actor, event.actor_name, event.via, event.text) == (user, "oncall", "link", "Acknowledged by oncall")


def test_the_sign_in_page_sends_nobody_outside_the_action_pages(settings, browser, user):
    settings.ACTION_LINKS_REQUIRE_SIGN_IN = True
    page = browser.get("/actions/sign-in/?next=https://evil.example/")
    answer = browser.post("/actions/sign-in/", {"username": "oncall", "password": "pw-oncall-1",
                                                "next": "https://evil.example/",
                                                "csrfmiddlewaretoken": csrf_of(page.content.decode())})
    assert answer.status_code == 302 and answer["Location"] == f"{SITE_URL}/"


def test_signed_in_or_not_the_link_alone_acts_by_default_and_a_signed_in_user_is_recorded(browser, user):
    alert = make_alert(make_rule(), status="active")
    browser.force_login(user)
    _, answer = confirm(browser, action_links.action_url(alert.pk, "resolve"))
    assert answer.status_code == 200
    event = AlertEvent.objects.get(kind="resolved")
    assert (event.actor, event.via, event.text) == (user, "link", "Resolved by oncall: Resolved from an action link")
    alert.refresh_from_db()
    assert alert.resolved_by == user


def test_link_posts_are_rate_limited(settings, browser):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "alert_actions": "1/minute"}
    throttling.reset("alert_actions", "addr-127.0.0.1")
    first, second = (make_alert(make_rule(name=f"Rule {i}"), status="active") for i in range(2))
    assert confirm(browser, action_links.action_url(first.pk, "acknowledge"))[1].status_code == 200
    _, limited = confirm(browser, action_links.action_url(second.pk, "acknowledge"))
    assert limited.status_code == 429 and "Too many actions" in limited.content.decode()
    second.refresh_from_db()
    assert second.acknowledged_at is None
    throttling.reset("alert_actions", "addr-127.0.0.1")
