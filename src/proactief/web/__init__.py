"""The web app: server-rendered pages (FastAPI, Jinja2, htmx) for the early-detection team
and for residents, on the same database as the command line."""

from proactief.web.app import create_app

__all__ = ["create_app"]
