from tests.sso.conftest import oidc_idp, saml_certs, sso_tmp, start_oidc_idp, start_saml_idp  # noqa: F401
