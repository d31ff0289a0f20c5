"""Settings read from the environment by small helpers that fail loudly on a bad value."""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected true or false, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_sign_on(name: str, *, require_https: bool) -> dict[str, dict[str, str]]:
    """Councils that sign their staff on with OpenID Connect (docs/security.md, single
    sign-on): `name` lists council slugs; each slug's issuer, client id and client secret
    come from SSO_<SLUG>_ISSUER, _CLIENT_ID and _CLIENT_SECRET (slug in capitals, hyphens
    as underscores). Only the environment holds them: no secret is kept in the database."""
    councils: dict[str, dict[str, str]] = {}
    for slug in env_list(name, []):
        prefix = "SSO_" + slug.upper().replace("-", "_")
        values = {}
        for part in ("issuer", "client_id", "client_secret"):
            variable = f"{prefix}_{part.upper()}"
            value = (os.environ.get(variable) or "").strip()
            if not value:
                raise ImproperlyConfigured(f"{variable}: required because {name} names {slug!r}")
            values[part] = value
        issuer = values["issuer"]
        if require_https and not issuer.startswith("https://"):
            raise ImproperlyConfigured(f"{prefix}_ISSUER: must be an https:// address")
        values["issuer"] = issuer.rstrip("/")
        councils[slug] = values
    return councils
