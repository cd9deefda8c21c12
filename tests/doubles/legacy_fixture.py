"""The previous platform's data as it really is, quirks included, for the import tests: its two
DynamoDB tables and its bucket on moto, or the same records exported to a folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from services.content.samples import banner_png, guide_pdf, load_catalog
from services.domain.models import Category

BUCKET = "old-demo-factory"
CONTENTS = "DemoFactoryContents"
ANALYTICS = "DemoFactoryAnalytics"
NOW = datetime.now(UTC).replace(microsecond=0)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True)
class Legacy:
    contents: list[dict[str, Any]]
    analytics: list[dict[str, Any]]
    files: dict[str, bytes]  # s3Key -> bytes; keys named by items but absent here are "missing"


def legacy_data() -> Legacy:
    png = banner_png("diagram", Category.GENERATIVE_AI, 320, 140)
    pdf = guide_pdf(load_catalog()[0])
    t1 = NOW - timedelta(days=20)
    image_key = f"contents/images/{t1:%Y/%m/%d}/{_ms(t1)}-diagram.png"
    video_key = f"contents/videos/{t1:%Y/%m/%d}/{_ms(t1)}-demo.mp4"
    pdf_key = f"contents/documents/{t1:%Y/%m/%d}/{_ms(t1)}-guide.pdf"
    fake_key = f"contents/documents/{t1:%Y/%m/%d}/{_ms(t1)}-notes.pdf"
    contents = [
        {   # linked author (email), likes from a sub and the same email twice, two files
            "id": f"content-{_ms(t1)}", "title": "생성형 AI 데모", "description": "요약입니다",
            "content": ("# 소개\n\n[image:diagram.png]\n\n중간 [image:DIAGRAM] 끝\n\n"
                        "[video:demo.mp4]"),
            "category": "Generative AI", "tags": ["bedrock", "#genai", "bedrock"],
            "author": "Alice@Example.com", "createdAt": t1.isoformat().replace("+00:00", "Z"),
            "updatedAt": (t1 + timedelta(days=1)).isoformat().replace("+00:00", "Z"),
            "views": 42, "likes": 3,
            "likedBy": ["alice@example.com", "ALICE@example.com",
                        "7d1c3f0e-1111-4a2b-9c3d-aaaaaaaaaaaa"],
            "files": [
                {"name": "diagram.png", "type": "image/png", "size": len(png), "s3Key": image_key,
                 "url": f"https://{BUCKET}.s3.amazonaws.com/{image_key}",
                 "uploadedAt": t1.isoformat()},
                {"name": "demo.mp4", "type": "video/mp4", "size": 1000, "s3Key": video_key},
            ],
        },
        {   # old category name, display-name author, counters stored as text-ish numbers
            "id": f"content-{_ms(t1) + 1000}", "title": "Q Developer 코드 리뷰",
            "description": "", "content": "본문", "category": "Amazon Q Dev", "tags": [],
            "author": "Bob Kim", "createdAt": (t1 + timedelta(seconds=1)).isoformat(),
            "views": 7, "likes": 0, "likedBy": [],
        },
        {   # alias category, unlinked email, a real PDF and one that only claims to be one
            "id": f"content-{_ms(t1) + 2000}", "title": "Gen AI guide", "description": "PDF",
            "content": "See [file:guide.pdf] and [document:notes.pdf]", "category": "genai",
            "tags": ["guide"], "author": "carol@old.example", "createdAt": None,
            "views": 0, "likes": 1, "likedBy": ["carol@old.example"],
            "files": [
                {"name": "guide.pdf", "type": "application/pdf", "s3Key": pdf_key},
                {"name": "notes.pdf", "type": "application/pdf", "s3Key": fake_key},
            ],
        },
        {   # free-text category
            "id": f"content-{_ms(t1) + 3000}", "title": "Ledger", "description": "x",
            "content": "x", "category": "Blockchain", "tags": ["chain"],
            "author": "alice@example.com", "createdAt": (t1 + timedelta(seconds=3)).isoformat(),
            "views": 1, "likes": 0, "likedBy": [],
        },
    ]
    first, deleted = contents[0]["id"], f"content-{_ms(t1) - 5000}"
    day = NOW - timedelta(days=2)
    analytics = [
        _event("a1", "visitor_purpose", day, {"purpose": "customer-demo", "sessionId": "s1",
                                              "userAgent": "UA", "url": "/", "referrer": ""}),
        _event("a2", "visitor_purpose", day, {"purpose": "고객 데모", "sessionId": "s2"}),
        _event("a3", "visitor_purpose", day, {"purpose": "curiosity", "sessionId": "s3"}),
        _event("a4", "page_view", day, {"pageName": "home", "url": "/", "sessionId": "s1"}),
        _event("a5", "page_view", day, {"pageName": "content-detail", "sessionId": "s2"},
               iso=True),
        _event("a6", "content_view", day, {"contentId": first, "contentTitle": "x",
                                           "category": "genai", "author": "x",
                                           "sessionId": "s1"}),
        _event("a7", "content_view", day, {"contentId": deleted, "category": "Finance",
                                           "author": "dave@old.example", "sessionId": "s2"}),
        _event("a8", "click", day, {"sessionId": "s1"}),
    ]
    files = {image_key: png, pdf_key: pdf, fake_key: b"<html><script>alert(1)</script></html>"}
    return Legacy(contents, analytics, files)


def _event(legacy_id: str, kind: str, at: datetime, data: dict[str, Any],
           iso: bool = False) -> dict[str, Any]:
    return {"id": legacy_id, "eventType": kind, "data": data,
            "timestamp": at.isoformat() if iso else _ms(at), "date": f"{at:%Y-%m-%d}",
            "createdAt": at.isoformat()}


def _dynamo_ready(record: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB keeps no None attributes and no floats."""
    return {k: v for k, v in record.items() if v is not None}


def put_in_aws(legacy: Legacy, dynamodb: Any, s3: Any) -> None:
    for table in (CONTENTS, ANALYTICS):
        dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    serializer = TypeSerializer()
    for table, records in ((CONTENTS, legacy.contents), (ANALYTICS, legacy.analytics)):
        for record in records:
            item = {k: serializer.serialize(v) for k, v in _dynamo_ready(record).items()}
            dynamodb.put_item(TableName=table, Item=item)
    region = s3.meta.region_name
    s3.create_bucket(Bucket=BUCKET, **({} if region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": region}}))
    for key, data in legacy.files.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=data)


def export_to_folder(legacy: Legacy, folder: Path) -> Path:
    """Contents as DynamoDB JSON lines (a table export), analytics as a plain JSON array,
    files under files/<s3Key>, and one record the export mangled (no id)."""
    folder.mkdir(parents=True, exist_ok=True)
    serializer = TypeSerializer()
    with (folder / f"{CONTENTS}.jsonl").open("w", encoding="utf-8") as out:
        for record in legacy.contents:
            typed = {k: serializer.serialize(v) for k, v in _dynamo_ready(record).items()}
            out.write(json.dumps({"Item": typed}, ensure_ascii=False) + "\n")
        out.write(json.dumps({"Item": {"title": {"S": "no id"}}}) + "\n")
    (folder / f"{ANALYTICS}.json").write_text(json.dumps(legacy.analytics, ensure_ascii=False),
                                              encoding="utf-8")
    for key, data in legacy.files.items():
        path = folder / "files" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder
