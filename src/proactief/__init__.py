"""Proactief: proactive public service from the citizen's perspective.

The package is layered (see docs/architecture.md): ``domain`` holds pure types,
``sources`` read creditor files, ``pipeline`` holds one module per step, ``storage``
holds all database access, and ``cli`` is the way in.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
