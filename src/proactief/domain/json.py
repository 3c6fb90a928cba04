"""The one type for JSON documents: what ``json.loads`` returns and ``json.dumps`` writes.

A JSON document's shape is checked where it crosses the boundary (the DDAS JSON schema for
reports and deliveries, ``early_detection.validation`` for each signal, the parameter
schema for regulation files), not by the type checker: the standard library itself types
``json.loads`` as ``Any``, so the one ``Any`` for documents lives here, named.
"""

from typing import Any

__all__ = ["JsonObject"]

#: a decoded JSON object (or one about to be encoded); see the module docstring
JsonObject = dict[str, Any]
