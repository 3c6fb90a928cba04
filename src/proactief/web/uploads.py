"""A file uploaded to the web app, as a private temporary copy with its own name (so
messages and the quarantine name the file the user chose), removed afterwards."""

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import HTTPException, UploadFile

__all__ = ["MAX_UPLOAD", "private_copy"]

MAX_UPLOAD = 250 * 1024 * 1024
"""The largest file the web app takes in (bytes); larger ones go through the CLI."""


@contextlib.asynccontextmanager
async def private_copy(
    upload: UploadFile, *, suffixes: tuple[str, ...], wrong_type: str, too_large: str
) -> AsyncIterator[Path]:
    """The upload as a file only this process's user can read (0600 in a 0700 folder);
    a 400 with ``wrong_type`` or ``too_large`` (both in Dutch, '{naam}' for the name)."""
    name = Path(upload.filename or "").name
    if Path(name).suffix.lower() not in suffixes:
        raise HTTPException(400, wrong_type.format(naam=name or "het bestand"))
    folder = Path(tempfile.mkdtemp(prefix="upload-"))
    os.chmod(folder, 0o700)
    path = folder / name
    size = 0
    try:
        with path.open("wb") as out:
            os.chmod(path, 0o600)
            while chunk := await upload.read(1024 * 1024):
                size += len(chunk)
                if size > MAX_UPLOAD:
                    raise HTTPException(
                        400, too_large.format(naam=name, mb=MAX_UPLOAD // (1024 * 1024))
                    )
                out.write(chunk)
        yield path
    finally:
        path.unlink(missing_ok=True)
        folder.rmdir()
