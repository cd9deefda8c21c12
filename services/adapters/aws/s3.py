"""BlobStore on a private S3 bucket (aws mode).

Objects are written with server-side encryption (AES256) and their media type; downloads go
through short-lived presigned GET URLs that make the browser save the file under its original
name. The S3 client must sign with SigV4 (``aws_common.make_client`` does).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import quote

from services.adapters.aws.common import AWS_ERRORS, aws_errors, error_code
from services.adapters.aws.common import translate_client_error as translate
from services.errors import NotFound

if TYPE_CHECKING:
    from types_boto3_s3.client import S3Client

# head_object has no body, so a missing key comes back as a bare HTTP status code.
_MISSING = {"NoSuchKey", "NotFound", "404"}


class S3BlobStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def put(self, key: str, data: bytes, media_type: str) -> None:
        with aws_errors():
            self._client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=data,
                ContentType=media_type,
                ServerSideEncryption="AES256",
            )

    def get(self, key: str) -> bytes:
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key)
            return bytes(response["Body"].read())
        except AWS_ERRORS as exc:
            if error_code(exc) in _MISSING:
                raise NotFound("errors.not_found", key=key) from exc
            raise translate(exc) from exc

    def delete(self, key: str) -> None:
        # S3 answers 204 for a missing key too, which is exactly the port's idempotence.
        with aws_errors():
            self._client.delete_object(Bucket=self._bucket, Key=key)

    def exists(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self._bucket, Key=key)
        except AWS_ERRORS as exc:
            if error_code(exc) in _MISSING:
                return False
            raise translate(exc) from exc
        return True

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Current objects under ``prefix`` (1,000 per page; older versions of a versioned
        bucket are not listed)."""
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=prefix
        )
        with aws_errors():
            for page in pages:
                for entry in page.get("Contents", []):
                    yield str(entry["Key"])

    def url(self, key: str, filename: str, expires_in: int) -> str | None:
        """A presigned GET valid for ``expires_in`` seconds that downloads as ``filename``.

        Signing is local (no request is made), so a missing key shows only when the URL is used.
        """
        with aws_errors():
            return str(
                self._client.generate_presigned_url(
                    "get_object",
                    Params={
                        "Bucket": self._bucket,
                        "Key": key,
                        "ResponseContentDisposition": content_disposition(filename),
                    },
                    ExpiresIn=expires_in,
                )
            )


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old clients and, for any other name, an
    RFC 5987 ``filename*`` (UTF-8, percent-encoded) that current browsers prefer."""
    name = "".join(char for char in filename if char.isprintable()) or "download"
    fallback = _ascii_fallback(name)
    header = f'attachment; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def _ascii_fallback(filename: str) -> str:
    """The name with accents stripped ("é" -> "e") and any other character that cannot sit
    in a quoted header value (non-ASCII, quotes, backslashes, controls) replaced by "_"."""
    kept = []
    for char in filename:
        if _header_safe(char):
            kept.append(char)
            continue
        # Per character, so that a Hangul syllable becomes one "_", not one per jamo.
        decomposed = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        kept.append(base if base and all(_header_safe(c) for c in base) else "_")
    return "".join(kept)


def _header_safe(char: str) -> bool:
    return char.isascii() and char.isprintable() and char not in '"\\'
