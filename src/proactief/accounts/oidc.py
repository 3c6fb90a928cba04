"""Which role a login from the municipality's identity provider gets (config/oidc.yaml):
the groups in one claim of its ID token, mapped to the roles of rollen.yaml."""

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from proactief.accounts.users import Rol
from proactief.config import load_policy, policy_path

__all__ = ["OidcRoles", "load_oidc_roles"]


class OidcRoles(BaseModel):
    """config/oidc.yaml."""

    model_config = ConfigDict(extra="forbid")

    claim: str = Field(min_length=1)
    """The claim with the groups (a list of names, or one name)."""
    rollen: dict[str, Rol] = Field(min_length=1)
    """Group -> role; the first group in this order that the user has counts."""

    def role_for(self, claims: Mapping[str, object]) -> Rol | None:
        """The role these claims give, or None (refused)."""
        value = claims.get(self.claim)
        groups = {value} if isinstance(value, str) else set(value or ())  # type: ignore[call-overload]
        for group, rol in self.rollen.items():
            if group in groups:
                return rol
        return None


@cache
def load_oidc_roles(path: Path | None = None) -> OidcRoles:
    """Read and check config/oidc.yaml (or the municipality's own).

    Raises:
        PolicyError: the message names the file, the key and what it accepts.
    """
    return load_policy(path or policy_path("oidc.yaml"), OidcRoles)
