"""Login through the municipality's identity provider: OpenID Connect, authorization code
flow with PKCE (S256), with Authlib's Starlette client. The provider is found by its
discovery document; the ID token is checked by Authlib (signature against the provider's
keys, issuer, audience, expiry, nonce). ADR 0005."""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from authlib.integrations.starlette_client import OAuth

from proactief.accounts.oidc import OidcRoles, load_oidc_roles

__all__ = ["OidcLogin"]


@dataclass
class OidcLogin:
    """One identity provider, as the settings name it."""

    issuer: str
    client_id: str
    client_secret: str | None = None
    """None: a public client (PKCE only)."""
    scope: str = "openid profile email"
    roles: OidcRoles = field(default_factory=load_oidc_roles)
    client: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        oauth = OAuth()
        self.client = oauth.register(
            "gemeente",
            client_id=self.client_id,
            client_secret=self.client_secret,
            server_metadata_url=f"{self.issuer.rstrip('/')}/.well-known/openid-configuration",
            client_kwargs={
                "scope": self.scope,
                "code_challenge_method": "S256",
                **({} if self.client_secret else {"token_endpoint_auth_method": "none"}),
            },
        )

    @property
    def origin(self) -> str:
        """The provider's origin (for the pages' form-action: logout goes there)."""
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"

    async def logout_url(self, after: str) -> str | None:
        """The provider's end-session address that returns to ``after``, or None when the
        provider has none (then only our own session ends)."""
        metadata = await self.client.load_server_metadata()
        endpoint = metadata.get("end_session_endpoint")
        if not endpoint:
            return None
        query = urlencode({"client_id": self.client_id, "post_logout_redirect_uri": after})
        return f"{endpoint}?{query}"
