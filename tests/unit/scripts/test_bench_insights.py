"""The insights benchmark runs end to end on a little data and prints every figure."""

from __future__ import annotations

import pytest

from scripts import bench_insights


def test_bench_insights_times_each_step_and_scores_the_planted_effects(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = bench_insights.bench(1, sample_size=4_000, target=40_000, per_day=400)
    fast, good = result["speed"], result["quality"]
    assert fast["events"] == 40_000
    for days in ("30", "90", "sourced_30", "sourced_90"):
        assert set(fast[days]) == {"cube_ms", "cube_all_ms", "drivers_ms", "anomalies_ms",
                                   "forecast_ms", "naive_ms", "total_ms", "fold_ms"}
        assert all(value >= 0 for value in fast[days].values())
    assert fast["sourced_rollup_rows"] > fast["rollup_rows"]
    assert set(fast["scoped"]) == {"item_ms", "author_ms", "naive_item_ms", "naive_author_ms"}
    assert good["planted"] == 4 and 0 <= good["named_count"] <= 4
    assert set(good["narrator"]) == set(good["named"]) and 0 <= good["narrator_count"] <= 4
    assert set(good["mape"]) == {f"{k}_{h}d" for k in ("page_views", "content_views",
                                                         "visitors") for h in (7, 14)}
    bench_insights.print_insights(result)
    shown = capsys.readouterr().out
    assert "planted effects named" in shown and "back-test MAPE" in shown
    assert f"narrator: {good['narrator_count']}/4" in shown
    assert "a report subject's insights" in shown


def test_the_offline_narrator_names_each_planted_effect() -> None:
    # The narrative of the planted data, not the benchmark's counting, is what is checked.
    found = bench_insights.insights_of(bench_insights.planted(bench_insights.quiet_events(600)))
    for lang in ("ko", "en"):
        text, _ = bench_insights.narrative_of(found, lang)
        assert bench_insights.title_of(bench_insights.RISING) in text
        assert bench_insights.OUTAGE.isoformat() in text
        assert bench_insights.SPIKE.isoformat() in text
