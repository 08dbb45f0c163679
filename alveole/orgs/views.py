from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def invitation_accept(request: HttpRequest, key: str) -> HttpResponse:
    return render(request, "orgs/invitation_accept.html")
