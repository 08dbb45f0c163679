"""The web kit's shapes: a form's page (`submit`), a one-checkbox form (`ticked`), Retry-After on refusals."""

from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from alveole.core.errors import Invalid, RateLimited
from alveole.web.shortcuts import submit, ticked, with_retry_after


class NameForm(forms.Form):
    name = forms.CharField()


class BoxForm(forms.Form):
    on = forms.BooleanField(required=False)


def _post(data: dict[str, str]) -> HttpRequest:
    request = RequestFactory().post("/somewhere", data)
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def _said(request: HttpRequest) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m.message)) for m in get_messages(request)]


def test_submit_says_done_and_the_warning_of_the_result_then_goes_on() -> None:
    request = _post({"name": "Ada"})
    response = submit(
        request,
        NameForm(request.POST),
        lambda data: data["name"].upper(),
        done=lambda result: f"Hello {result}",
        warning=lambda result: "Mind the gap.",
        then=lambda result: f"/people/{result}",
        page=lambda status: HttpResponse(status=status),
    )
    assert response.status_code == 302 and response["Location"] == "/people/ADA"
    assert _said(request) == [("success", "Hello ADA"), ("warning", "Mind the gap.")]


def test_submit_puts_a_domain_error_on_the_form_field_it_maps_to() -> None:
    request = _post({"name": "Ada"})
    form = NameForm(request.POST)

    def refuse(data: dict) -> None:
        raise Invalid(fields={"full_name": "Already taken."})

    response = submit(
        request, form, refuse, done="never", then=lambda _r: "/", page=lambda status: HttpResponse(status=status),
        field_map={"full_name": "name"},
    )  # fmt: skip
    assert response.status_code == 400
    assert form.errors["name"] == ["Already taken."] and _said(request) == []


def test_a_missing_or_false_checkbox_is_not_ticked() -> None:
    assert ticked(_post({"on": "on"}), BoxForm, "on") is True
    assert ticked(_post({}), BoxForm, "on") is False
    assert ticked(_post({"on": "false"}), BoxForm, "on") is False


def test_a_rate_limited_refusal_says_when_to_try_again() -> None:
    response = with_retry_after(HttpResponse(status=429), RateLimited(retry_after=30))
    assert response["Retry-After"] == "30"
    assert "Retry-After" not in with_retry_after(HttpResponse(status=400), Invalid("No."))
