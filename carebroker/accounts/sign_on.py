"""Single sign-on for council staff by OpenID Connect (docs/security.md, single sign-on).

mozilla-django-oidc does the protocol: state and nonce (and PKCE) in the session, the code
exchanged at the token endpoint, the ID token's RS256 signature checked against the
provider's JWKS, then userinfo. It is built for one provider set in settings; here each
council may have its own (settings.SSO_COUNCILS, from the environment), so the endpoints
come from the council's issuer's discovery document, and the backend is set up per sign-in
for the council the callback view names (`request.sso_council`, set by web/views/sign_on.py
only).

What we add to the library: the ID token's issuer and audience must be the council's
provider and our client (the library checks neither), userinfo must be about the ID token's
subject (OpenID Connect Core §5.3.2), and the mapping: an active broker, manager or referrer
of that council with that email, never anyone else, and nobody is ever created.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from carebroker.accounts.models import Role

logger = logging.getLogger(__name__)

# Council staff who may sign on: not provider users (they are not the council's people) and
# not integration users (they are machines with API tokens).
SIGN_ON_ROLES = frozenset({Role.BROKER, Role.MANAGER, Role.REFERRER})

# The session key that says a sign-in came from the council's provider (and which council).
SESSION_KEY = "sso_council"

UNCHECKED = (
    "The answer from your council's sign-in service could not be checked, so you have not "
    "been signed in. Start again from the sign-in page."
)
UNREACHABLE = (
    "Your council's sign-in service did not answer, so you have not been signed in. Try "
    "again in a few minutes, or sign in with your username and password."
)


class SignOnRefused(PermissionDenied):
    """A sign-on that must not sign anyone in; `reason` is what the person is told."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CouncilProvider:
    slug: str
    issuer: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    userinfo: str
    jwks: str


def council_provider(slug: str) -> CouncilProvider | None:
    """The council's identity provider, or None when the council does not use single sign-on."""
    values = settings.SSO_COUNCILS.get(slug)
    return CouncilProvider(slug=slug, **values) if values else None


# Discovery documents, by issuer: they change rarely (Entra ID's never within a day).
DISCOVERY_SECONDS = 3600
_discovered: dict[str, tuple[float, Endpoints]] = {}


def endpoints(provider: CouncilProvider) -> Endpoints:
    """The provider's endpoints from its discovery document (OpenID Connect Discovery §4),
    which must name the configured issuer exactly (§4.3)."""
    cached = _discovered.get(provider.issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    url = f"{provider.issuer}/.well-known/openid-configuration"
    response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
    response.raise_for_status()
    document = response.json()
    if document.get("issuer") != provider.issuer:
        raise SuspiciousOperation(f"discovery document of {url} names another issuer")
    found = Endpoints(
        authorization=document["authorization_endpoint"],
        token=document["token_endpoint"],
        userinfo=document["userinfo_endpoint"],
        jwks=document["jwks_uri"],
    )
    _discovered[provider.issuer] = (time.monotonic() + DISCOVERY_SECONDS, found)
    return found


class CouncilSignOnBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """Signs on an existing staff account of the council whose provider vouched for it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not the library's __init__: it reads one provider from settings. The provider is
        # the council's, set in authenticate.
        self.UserModel = get_user_model()
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None  # always the provider's JWKS

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        council = getattr(request, "sso_council", None)
        if request is None or council is None:
            return None  # a password sign-in, or anything but our callback view
        provider = council_provider(council.slug)
        if provider is None:
            return None
        self.council = council
        self.provider = provider
        try:
            return self._sign_on(request, provider, **kwargs)
        except SignOnRefused as refusal:
            # Django's authenticate swallows PermissionDenied (and tells django-axes, which
            # counts it as a failure from this address): the callback view shows the reason.
            request.sso_refusal = refusal.reason  # type: ignore[attr-defined]
            raise

    def _sign_on(self, request: HttpRequest, provider: CouncilProvider, **kwargs: Any) -> Any:
        try:
            found = endpoints(provider)
            self.OIDC_OP_TOKEN_ENDPOINT = found.token
            self.OIDC_OP_USER_ENDPOINT = found.userinfo
            self.OIDC_OP_JWKS_ENDPOINT = found.jwks
            self.OIDC_RP_CLIENT_ID = provider.client_id
            self.OIDC_RP_CLIENT_SECRET = provider.client_secret
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, jwt.InvalidTokenError, jwt.PyJWKError) as error:
            # A bad signature, algorithm, nonce, issuer, audience or expiry: logged for
            # whoever investigates, one plain sentence for the person.
            logger.warning("Single sign-on for %s refused: %s", provider.slug, error)
            raise SignOnRefused(UNCHECKED) from error
        except (requests.RequestException, ValueError, KeyError) as error:
            logger.warning("Single sign-on for %s failed: %r", provider.slug, error)
            raise SignOnRefused(UNREACHABLE) from error

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        # The library checks the signature (with the JWKS key), the algorithm and expiry;
        # an ID token for another client or from another issuer is refused here.
        claims: dict[str, Any] = super()._verify_jws(payload, key)
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if claims.get("iss") != self.provider.issuer:
            raise SuspiciousOperation("ID token from another issuer")
        if self.provider.client_id not in audiences:
            raise SuspiciousOperation("ID token for another client")
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            logger.warning("Single sign-on: userinfo is about another subject than the ID token")
            raise SignOnRefused(UNCHECKED)
        return self.staff_account(claims)

    def staff_account(self, claims: dict[str, Any]) -> Any:
        """The one active staff account of this council with the claimed email; anything
        else is refused in words, and nothing is created or changed."""
        email = str(claims.get("email") or "").strip()
        council_name = self.council.name
        if not email or claims.get("email_verified") is False:
            raise SignOnRefused(
                f"{council_name}'s sign-in service did not give carebroker a confirmed email "
                "address, so you have not been signed in. Sign in with your username and "
                "password, or ask your council's IT team to add your email to your account."
            )
        accounts = list(
            self.UserModel.objects.filter(email__iexact=email, council_id=self.council.pk)
        )
        staff = [user for user in accounts if user.role in SIGN_ON_ROLES]
        if accounts and not staff:
            raise SignOnRefused(
                f"The carebroker account for {email} is not a {council_name} staff account, "
                "so it cannot sign in with a council account. Sign in with your username and "
                "password."
            )
        if not staff:
            raise SignOnRefused(
                f"There is no carebroker account for {email} at {council_name}, so you have "
                "not been signed in. Ask your council's carebroker administrator to add you: "
                "signing in with a council account does not make a new account."
            )
        if len(staff) > 1:
            raise SignOnRefused(
                f"More than one carebroker account at {council_name} has the email {email}, "
                "so carebroker cannot tell which is yours. Ask your council's carebroker "
                "administrator to give each account its own email."
            )
        user = staff[0]
        if not user.is_active:
            raise SignOnRefused(
                "This account has been switched off: ask your council's carebroker admin"
            )
        return user
