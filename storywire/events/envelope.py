"""The CloudEvents 1.0 envelope, in its structured JSON form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import xxhash

from storywire.models import iso, parse_iso

SPEC_VERSION = "1.0"
EVENT_SOURCE = "urn:storywire"
SCHEMA_BASE = "urn:storywire:schemas:"


def event_id(event_type: str, *parts: str) -> str:
    """Deterministic: one decision, one id, however often it is sent; consumers drop repeats."""
    return "ev_" + xxhash.xxh3_128_hexdigest("\x1f".join((event_type, *parts)).encode())


@dataclass(frozen=True, slots=True)
class CloudEvent:
    id: str
    type: str
    subject: str
    time: datetime
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": EVENT_SOURCE,
            "type": self.type,
            "subject": self.subject,
            "time": iso(self.time),
            "datacontenttype": "application/json",
            "dataschema": SCHEMA_BASE + self.type,
            "data": self.data,
        }

    def to_json(self) -> bytes:
        return orjson.dumps(self.to_dict())

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        doc = orjson.loads(raw)
        return cls(
            id=doc["id"],
            type=doc["type"],
            subject=doc["subject"],
            time=parse_iso(doc["time"]),
            data=doc["data"],
        )
