from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from . import actions
from .access import get_token_for, tokens_of, viewer_of
from .schemas import MeOut, ProfileIn, TokenCreatedOut, TokenIn, TokenOut

router = Router(tags=["me"])


@router.get("/me", response=MeOut, summary="The signed-in person")
def get_me(request: HttpRequest) -> object:
    return viewer_of(request)


@router.patch("/me", response=MeOut, summary="Update my profile")
def update_me(request: HttpRequest, payload: ProfileIn) -> object:
    return actions.update_profile(viewer_of(request), **payload.dict(exclude_unset=True))


@router.get("/tokens", response=list[TokenOut], summary="My personal access tokens")
def list_tokens(request: HttpRequest) -> object:
    return list(tokens_of(viewer_of(request)))


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create a personal access token")
def create_token(request: HttpRequest, payload: TokenIn) -> Status:
    token, secret = actions.create_token(viewer_of(request), name=payload.name)
    return Status(201, {"token": token, "secret": secret})


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke a token")
def revoke_token(request: HttpRequest, token_id: int) -> Status:
    viewer = viewer_of(request)
    actions.revoke_token(viewer, token=get_token_for(viewer, token_id))
    return Status(204, None)
