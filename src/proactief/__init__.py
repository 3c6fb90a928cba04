"""Proactief: proactive public service from the citizen's perspective.

The package is layered (see docs/architecture.md): ``domain`` holds pure types,
one package per capability (``early_detection``, ``entitlements``, ``segmentation``,
``offers``, ``trust``, ``accounts``, ``evaluation``) owns its services, ``sources`` and
``channels`` are plug-ins, ``storage`` holds the engine and the queries, and ``cli`` and
``web`` are the ways in.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
