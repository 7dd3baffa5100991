"""The January mix measured in alternating bare/mix segments (bench.ukur_januari): the pooled
figures are the sums of the segments, not an average of their ratios, and the percentiles are
Locust's own over the summed histograms."""

from __future__ import annotations

import pytest

from bench.ukur_januari import _persentil, gabung_locust, porsi_berat


def _run(durasi: float, skp: dict[int, int], tulis: dict[int, int], fail: int = 0) -> dict:
    def entry(rt: dict[int, int], f: int = 0) -> dict:
        n = sum(rt.values())
        return {"n": n, "fail": f, "rps": n / durasi, "p50": 0, "p95": 0, "p99": 0, "rt": rt}

    out = {"skp": entry(skp), "rhk PATCH (tulis)": entry(tulis, fail)}
    n = sum(skp.values()) + sum(tulis.values())
    out["Aggregated"] = {"n": n, "fail": fail, "rps": n / durasi, "p50": 0, "p95": 0, "p99": 0}
    out["cache"] = {"hit": sum(skp.values()) - 1, "miss": 1}
    out.update(_durasi=durasi, _cpu=durasi / 2, _wall=durasi + 1)
    return out


def test_the_percentile_is_locusts():
    # Expected values printed by locust.stats.calculate_response_time_percentile for the same
    # histogram (Locust 2.47): at the boundary it answers the next larger time.
    rt = {10: 50, 20: 30, 30: 15, 200: 5}
    assert _persentil(rt, 100, 0.50) == 20
    assert _persentil(rt, 100, 0.80) == 30
    assert _persentil(rt, 100, 0.95) == 200
    assert _persentil(rt, 100, 0.99) == 200
    assert _persentil({}, 0, 0.5) == 0


def test_segments_pool_as_sums():
    a = _run(10.0, {10: 90, 40: 10}, {50: 20}, fail=1)
    b = _run(5.0, {10: 10, 100: 10}, {60: 10})
    got = gabung_locust([a, b])
    assert got["skp"]["n"] == 120
    assert got["skp"]["rps"] == pytest.approx(120 / 15.0)
    assert got["Aggregated"]["n"] == 150
    assert got["Aggregated"]["fail"] == 1
    assert got["Aggregated"]["rps"] == pytest.approx(150 / 15.0)
    # The pooled histogram: 100 at 10 ms, 10 at 40, 10 at 100 (skp); p95 of 120 = 100 ms.
    assert got["skp"]["p95"] == 100
    assert got["skp"]["p50"] == 10
    # Aggregated's histogram is every name's: 150 requests, 30 of them at 50-60 ms.
    assert got["Aggregated"]["p95"] == 100
    assert got["cache"] == {"hit": 99 + 19, "miss": 2}
    assert got["locust_inti"] == pytest.approx((5.0 + 2.5) / (11.0 + 6.0))


def test_one_segment_is_the_run_itself():
    a = _run(10.0, {10: 5}, {20: 5})
    assert gabung_locust([a]) is a


def test_a_run_without_histograms_is_refused():
    a = _run(10.0, {10: 5}, {20: 5})
    b = dict(a)
    del b["_durasi"]
    with pytest.raises(RuntimeError):
        gabung_locust([a, b])


def test_heavy_share_is_the_mix_heavy_rps_over_the_bare_rps():
    mix = {"skp": {"rps": 30.0}, "tim": {"rps": 20.0}, "rhk PATCH (tulis)": {"rps": 99.0}}
    assert porsi_berat(mix, {"Aggregated": {"rps": 200.0}}) == pytest.approx(0.25)
    assert porsi_berat(mix, {"Aggregated": {"rps": 0.0}}) == 0.0
