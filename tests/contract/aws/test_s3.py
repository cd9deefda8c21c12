"""S3BlobStore specifics: encryption, media type, and presigned downloads over real HTTP.

Presigned URLs are fetched with ``requests`` from a ThreadedMotoServer on 127.0.0.1 (one per
module). moto does not enforce expiry, so the test checks that ``expires_in`` reaches the
signed URL (``X-Amz-Expires``) rather than waiting for it to lapse.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from services.adapters.aws.common import make_client
from services.adapters.aws.s3 import S3BlobStore, content_disposition
from services.errors import ServiceUnavailable
from tests.contract.aws_backends import (
    MockedAws,
    aws_environment,
    aws_settings,
    mocked_aws,
    moto_server,
)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def served_store(endpoint: str) -> Iterator[S3BlobStore]:
    """A store on the HTTP server, in a bucket of its own (the server outlives each test)."""
    bucket = f"df-{uuid.uuid4().hex}"
    with aws_environment(AWS_ENDPOINT_URL=endpoint):
        client = make_client("s3", aws_settings())
        client.create_bucket(Bucket=bucket)
        yield S3BlobStore(client, bucket)


@pytest.fixture
def aws() -> Iterator[MockedAws]:
    with mocked_aws() as mocked:
        yield mocked


def test_objects_are_encrypted_and_typed(aws: MockedAws) -> None:
    store = S3BlobStore(aws.s3, str(aws.settings.bucket))

    store.put("content/a/x.pdf", b"%PDF", "application/pdf")

    head = aws.s3.head_object(Bucket=aws.settings.bucket, Key="content/a/x.pdf")
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "application/pdf"


def test_a_missing_bucket_is_a_deployment_problem(aws: MockedAws) -> None:
    store = S3BlobStore(aws.s3, "no-such-bucket")

    with pytest.raises(ServiceUnavailable) as raised:
        store.get("k")

    assert raised.value.key == "aws.resource_missing"


def test_presigned_url_downloads_under_the_original_name(served_store: S3BlobStore) -> None:
    served_store.put("content/a/b/report.pdf", b"%PDF-1.7 data", "application/pdf")

    url = served_store.url("content/a/b/report.pdf", "보고서 2025.pdf", 120)
    assert url is not None
    response = requests.get(url, timeout=10)

    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 data"
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="___ 2025.pdf"; '
        "filename*=UTF-8''%EB%B3%B4%EA%B3%A0%EC%84%9C%202025.pdf"
    )


@pytest.mark.parametrize("seconds", [10, 300, 3600])
def test_expires_in_reaches_the_signed_url(served_store: S3BlobStore, seconds: int) -> None:
    url = served_store.url("content/x.png", "x.png", seconds)
    assert url is not None

    query = parse_qs(urlsplit(url).query)

    assert query["X-Amz-Expires"] == [str(seconds)]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]


@pytest.mark.parametrize(
    ("filename", "header"),
    [
        ("report.pdf", 'attachment; filename="report.pdf"'),
        ("my file (1).png", 'attachment; filename="my file (1).png"'),
        (
            'say "hi".txt',
            "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt",
        ),
        ("café.png", "attachment; filename=\"cafe.png\"; filename*=UTF-8''caf%C3%A9.png"),
        ("a\r\nSet-Cookie: x.txt", 'attachment; filename="aSet-Cookie: x.txt"'),
        ("", 'attachment; filename="download"'),
    ],
)
def test_content_disposition(filename: str, header: str) -> None:
    assert content_disposition(filename) == header
