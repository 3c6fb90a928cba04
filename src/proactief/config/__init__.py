"""The municipality's policy files: where they are, and one way to read them.

Every policy file (``aanpak.yaml``, ``doelen.yaml``, ``rollen.yaml``, ``work_queue.yaml``, ...)
is found in the folder named by ``PROACTIEF_CONFIG_DIR`` when it is there, else in the
shipped folder beside this module, and is read through a pydantic model so a mistake is
reported with the file, the key and what is accepted (:func:`load_policy`).
"""

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from proactief.settings import Settings

__all__ = ["SHIPPED_DIR", "PolicyError", "load_policy", "policy_path"]

SHIPPED_DIR = Path(__file__).resolve().parent
"""The defaults shipped with Proactief."""

M = TypeVar("M", bound=BaseModel)


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file, the key and the fix."""

    def __init__(self, path: Path, key: str, problem: str) -> None:
        self.path = path
        self.key = key
        self.problem = problem
        super().__init__(f"{path}: {key}: {problem}")


def policy_path(name: str, settings: Settings | None = None) -> Path:
    """The file ``name`` (relative, e.g. ``"aanpak.yaml"`` or ``"campagnes/x.yaml"``): in the
    municipality's folder (``PROACTIEF_CONFIG_DIR``) if it is there, else the shipped one."""
    chosen = (settings or Settings()).config_dir
    if chosen is not None:
        own = chosen / name
        if own.is_file():
            return own
    return SHIPPED_DIR / name


def _key(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "(top)"


def load_policy(path: Path, model: type[M]) -> M:
    """Read the YAML file at ``path`` into ``model``.

    Raises:
        PolicyError: the file is missing, is not YAML, or does not fit the model; the message
            names the file, the first wrong key and what that key accepts.
    """
    try:
        data: object = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(path, "(file)", f"cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise PolicyError(path, where, f"is not valid YAML ({exc})") from exc
    try:
        return model.model_validate({} if data is None else data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise PolicyError(path, _key(first["loc"]), first["msg"]) from exc
