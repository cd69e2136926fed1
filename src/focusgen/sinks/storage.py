"""Where output goes: a local folder or an S3(-compatible) prefix, behind pyarrow filesystems."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow.fs as pafs


class StorageError(OSError):
    """The destination could not be reached or written; the message names it."""


@dataclass(frozen=True)
class StorageOptions:
    """Connection settings for object storage; unset fields fall back to AWS variables.

    Credentials are never stored here: they come from ``AWS_ACCESS_KEY_ID`` /
    ``AWS_SECRET_ACCESS_KEY`` (or the SDK's usual chain), so they never reach summary.json.
    """

    endpoint_url: str | None = None
    region: str | None = None
    request_timeout: float | None = None
    connect_timeout: float | None = None


def is_remote(uri: str) -> bool:
    """True for object-storage URIs (``s3://bucket/prefix``)."""
    return uri.startswith("s3://")


def check_uri(uri: str) -> str | None:
    """Why an output URI cannot be used, or None when it can."""
    if "://" in uri and not is_remote(uri):
        return "only local folders and s3://bucket/prefix are allowed"
    if is_remote(uri) and not uri[len("s3://") :].split("/")[0]:
        return "an S3 URI needs a bucket: s3://bucket/prefix"
    return None


@dataclass(frozen=True)
class Storage:
    """A root folder on a filesystem; picklable so worker processes open it themselves."""

    uri: str
    options: StorageOptions = StorageOptions()

    @property
    def remote(self) -> bool:
        """True when the root is on object storage."""
        return is_remote(self.uri)

    @cached_property
    def root(self) -> str:
        """The root as a path of ``fs`` (no trailing slash)."""
        if self.remote:
            return self.uri[len("s3://") :].rstrip("/")
        return str(Path(self.uri).absolute())

    @cached_property
    def fs(self) -> pafs.FileSystem:
        """The pyarrow filesystem that holds the root."""
        import pyarrow.fs as pafs  # here: the CLI checks output paths without loading Arrow

        if not self.remote:
            return pafs.LocalFileSystem()
        o = self.options
        endpoint = (
            o.endpoint_url
            or os.environ.get("AWS_ENDPOINT_URL_S3")
            or os.environ.get("AWS_ENDPOINT_URL")
        )
        region = o.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        kwargs: dict = {"region": region, "allow_bucket_creation": False}
        if endpoint:
            scheme, _, host = endpoint.partition("://")
            kwargs.update(endpoint_override=host.rstrip("/") or endpoint, scheme=scheme or "https")
        if o.request_timeout is not None:
            kwargs["request_timeout"] = o.request_timeout
        if o.connect_timeout is not None:
            kwargs["connect_timeout"] = o.connect_timeout
        return pafs.S3FileSystem(**kwargs)

    def child(self, rel: str) -> Storage:
        """The same filesystem rooted at a sub-folder."""
        return Storage(f"{self.uri.rstrip('/')}/{rel}", self.options)

    def path(self, rel: str) -> str:
        """Full filesystem path of a relative path."""
        return f"{self.root}/{rel}" if rel else self.root

    def display(self, rel: str = "") -> str:
        """The location as the user wrote it, for messages."""
        return f"{self.uri.rstrip('/')}/{rel}" if rel else self.uri

    # Object stores create an object only when its upload completes, so a plain write is
    # already all-or-nothing there; local files need a temporary name and a rename.
    @property
    def needs_rename(self) -> bool:
        """True when a file must be written under a temporary name, then renamed."""
        return not self.remote

    def makedirs(self, rel: str) -> None:
        """Create a folder (a no-op on object storage)."""
        if not self.remote:
            self.fs.create_dir(self.path(rel), recursive=True)

    def open_write(self, rel: str):
        """An output stream that creates ``rel``."""
        if not self.remote:
            parent = rel.rpartition("/")[0]
            self.makedirs(parent)
        return self.fs.open_output_stream(self.path(rel), metadata={} if self.remote else None)

    def move(self, src: str, dst: str) -> None:
        """Rename a file (copy then delete on object storage)."""
        if not self.remote:
            self.makedirs(dst.rpartition("/")[0])
            os.replace(self.path(src), self.path(dst))
            return
        self.fs.copy_file(self.path(src), self.path(dst))
        self.fs.delete_file(self.path(src))

    def read_text(self, rel: str) -> str | None:
        """A small file's text, or None when it does not exist."""
        try:
            with self.fs.open_input_stream(self.path(rel)) as stream:
                return stream.read().decode()
        except FileNotFoundError:
            return None

    def write_text(self, rel: str, text: str) -> None:
        """Write a small file so that it appears whole or not at all."""
        tmp = f"{rel}.tmp-{os.getpid()}" if self.needs_rename else rel
        with self.open_write(tmp) as stream:
            stream.write(text.encode())
        if tmp != rel:
            self.move(tmp, rel)

    def delete(self, rel: str) -> None:
        """Delete a file if it exists."""
        with contextlib.suppress(FileNotFoundError):
            self.fs.delete_file(self.path(rel))

    def delete_tree(self, rel: str) -> None:
        """Delete a folder and everything under it, if it exists."""
        with contextlib.suppress(FileNotFoundError):
            self.fs.delete_dir(self.path(rel))

    def files_under(self, rel: str) -> list[str]:
        """Relative paths (from the root) of every file under a folder."""
        import pyarrow.fs as pafs

        selector = pafs.FileSelector(self.path(rel), recursive=True, allow_not_found=True)
        prefix = len(self.root) + 1
        return sorted(
            info.path[prefix:] for info in self.fs.get_file_info(selector) if info.is_file
        )
