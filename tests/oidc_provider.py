"""A real OpenID Provider for the single sign-on tests: pyop behind a small WSGI app.

It serves what Microsoft Entra ID serves a relying party: the discovery document, an
authorization endpoint, a token endpoint, the JWKS and userinfo, with RS256-signed ID tokens.
The authorization endpoint signs in `provider.signs_in` at once, without a page (the test
chooses who the person at the provider is). `claims_changed` makes the provider itself sign
ID tokens with other claims (another audience, another issuer). `forge_with` makes the token
endpoint hand out
the ID token re-signed by another RSA key under the same key id, as an attacker in the
middle would: only checking the signature against the provider's JWKS catches it.

Runs in a thread on a loopback port (`running_provider`), over HTTPS with a certificate
made for the run (pyop, like the OpenID Connect specification, wants an https issuer), so
the code under test talks to it over real HTTPS, as it talks to Entra ID; requests trusts
that certificate through REQUESTS_CA_BUNDLE while the provider runs.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import ssl
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt
from Cryptodome.PublicKey import RSA
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwkest.jwk import RSAKey
from pyop.authz_state import AuthorizationState
from pyop.exceptions import OAuthError
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo

KEY_ID = "test-signing-key"


@dataclass
class LocalProvider:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    users: dict[str, dict[str, str]]  # user id -> claims (email, name)
    signs_in: str = ""  # the user id the authorization endpoint signs in next
    forge_with: bytes | None = None  # an RSA key (PEM) that re-signs every ID token
    claims_changed: dict[str, str] = field(default_factory=dict)  # signed by the real key
    wrong_nonce: bool = False  # the ID token carries a nonce the client did not send
    token_requests: list[dict[str, str]] = field(default_factory=list)
    op: Provider | None = None
    key_pem: bytes = b""

    def build(self) -> None:
        configuration = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "claims_parameter_supported": True,
        }
        clients = {
            self.client_id: {
                "client_secret": self.client_secret,
                "redirect_uris": self.redirect_uris,
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_post",
            }
        }
        self.key_pem = new_rsa_key_pem()
        signing_key = RSAKey(key=RSA.import_key(self.key_pem), alg="RS256", kid=KEY_ID)
        state = AuthorizationState(HashBasedSubjectIdentifierFactory("test-salt"))
        self.op = Provider(signing_key, configuration, state, clients, Userinfo(self.users))

    # The WSGI app: one branch per endpoint.
    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        assert self.op is not None
        path = environ["PATH_INFO"]
        headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
        try:
            if path == "/.well-known/openid-configuration":
                return _json(start_response, self.op.provider_configuration.to_dict())
            if path == "/jwks":
                return _json(start_response, self.op.jwks)
            if path == "/authorize":
                return self._authorize(environ, start_response)
            if path == "/token":
                body = _body(environ)
                self.token_requests.append(dict(parse_qsl(body)))
                response = self.op.handle_token_request(body, headers).to_dict()
                if self.claims_changed or self.forge_with is not None:
                    response["id_token"] = self._resigned(response["id_token"])
                return _json(start_response, response)
            if path == "/userinfo":
                query = environ.get("QUERY_STRING", "")
                claims = self.op.handle_userinfo_request(query, headers)
                return _json(start_response, claims.to_dict())
        except OAuthError as error:
            return _json(start_response, {"error": error.oauth_error}, "400 Bad Request")
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def _authorize(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        assert self.op is not None
        request = self.op.parse_authentication_request(environ.get("QUERY_STRING", ""))
        if self.wrong_nonce:
            request["nonce"] = "a-nonce-the-client-never-sent"
        response = self.op.authorize(request, self.signs_in)
        location = response.request(request["redirect_uri"], False)
        start_response("302 Found", [("Location", location)])
        return [b""]

    def _resigned(self, id_token: str) -> str:
        claims = jwt.decode(id_token, options={"verify_signature": False}) | self.claims_changed
        key = self.forge_with or self.key_pem
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})


def new_rsa_key_pem() -> bytes:
    """A new 2048-bit RSA private key (cryptography's: far quicker than pycryptodome's)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _body(environ: dict[str, Any]) -> str:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length).decode() if length else ""


def _json(start_response: Any, data: object, status: str = "200 OK") -> list[bytes]:
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps(data).encode()]


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made for this run: (certificate, key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "provider.pem", directory / "provider.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@contextmanager
def running_provider(
    redirect_uris: list[str], users: dict[str, dict[str, str]]
) -> Iterator[LocalProvider]:
    """A provider serving https://127.0.0.1:<a free port> until the block ends."""
    server: WSGIServer = make_server("127.0.0.1", 0, lambda e, s: [], handler_class=_Quiet)
    with tempfile.TemporaryDirectory() as directory:
        cert_path, key_path = _certificate(Path(directory))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_path, key_path)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        provider = LocalProvider(
            issuer=f"https://127.0.0.1:{server.server_port}",
            client_id="carebroker-test-client",
            client_secret="a-client-secret-only-the-tests-know",
            redirect_uris=redirect_uris,
            users=users,
        )
        provider.build()
        server.set_app(provider)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        bundle = os.environ.get("REQUESTS_CA_BUNDLE")
        os.environ["REQUESTS_CA_BUNDLE"] = str(cert_path)
        try:
            yield provider
        finally:
            if bundle is None:
                os.environ.pop("REQUESTS_CA_BUNDLE", None)
            else:
                os.environ["REQUESTS_CA_BUNDLE"] = bundle
            server.shutdown()
            server.server_close()
            thread.join()
