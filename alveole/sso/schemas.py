from __future__ import annotations

from ninja import Schema
from pydantic import Field


class ProviderIn(Schema):
    protocol: str = Field(..., description="oidc or saml (fixed once created)")
    display_name: str = Field(..., max_length=80, description="The name on the sign-in button")
    allowed_domains: list[str] = Field(..., max_length=50, description="Email domains accepted, such as example.com")
    create_on_first_sign_in: bool = True
    role_claim: str = Field("", max_length=200, description="Claim (OIDC) or attribute (SAML) holding the role")
    role_map: dict[str, str] = Field(
        default_factory=dict, description="Value in the directory → owner/admin/member/guest"
    )
    default_role: str = Field("member", description="admin, member or guest (never owner)")
    password_login_disabled: bool = Field(False, description="Passwords off for everyone but owners")
    issuer: str = Field("", max_length=500, description="OIDC: the issuer URL (https)")
    client_id: str = Field("", max_length=191, description="OIDC: the client id")
    client_secret: str = Field("", max_length=500, description="OIDC: write-only; empty on an update keeps it")
    extra_scopes: list[str] = Field(
        default_factory=list, max_length=20, description="OIDC: besides openid email profile"
    )
    idp_entity_id: str = Field("", max_length=500, description="SAML: the IdP's entity id")
    idp_sso_url: str = Field("", max_length=500, description="SAML: the IdP's single sign-on URL (HTTP-Redirect)")
    idp_certificate: str = Field("", max_length=20000, description="SAML: the IdP's signing certificate (PEM)")


class ProviderUrls(Schema):
    redirect_uri: str | None = Field(None, description="OIDC: the callback to register at the provider")
    entity_id: str | None = Field(None, description="SAML: the service provider's entity id (audience)")
    acs_url: str | None = Field(None, description="SAML: the assertion consumer service (reply) URL")
    metadata_url: str | None = Field(None, description="SAML: the service provider's metadata")


class ProviderOut(Schema):
    id: int
    protocol: str
    display_name: str
    allowed_domains: list[str]
    create_on_first_sign_in: bool
    role_claim: str
    role_map: dict[str, str]
    default_role: str
    password_login_disabled: bool
    issuer: str = ""
    client_id: str = ""
    has_client_secret: bool = False
    extra_scopes: list[str] = Field(default_factory=list)
    idp_entity_id: str = ""
    idp_sso_url: str = ""
    idp_certificate: str = ""
    urls: ProviderUrls
