

def test_stable_ids_repeat_for_the_same_record_and_sort_by_time() -> None:
    from datetime import UTC, datetime, timedelta

    from ulid import ULID

    from services.domain.models import stable_id

    at = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
    assert stable_id(at, "legacy:a") == stable_id(at, "legacy:a")
    assert stable_id(at, "legacy:a") != stable_id(at, "legacy:b")
    assert stable_id(at, "z") < stable_id(at + timedelta(milliseconds=1), "a")
    assert ULID.from_str(stable_id(at, "x")).datetime == at
