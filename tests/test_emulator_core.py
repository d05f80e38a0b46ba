"""The emulator's server core: signatures, versions, repeated keys, rate limits, faults, control."""

from __future__ import annotations

import pytest
import requests
from requests_oauthlib import OAuth1

from airflow_provider_twitter_ads.emulator import AdsApiEmulator


def _session(emulator: AdsApiEmulator, consumer_secret: str | None = None) -> requests.Session:
    config = emulator.config
    session = requests.Session()
    session.auth = OAuth1(
        config.consumer_key,
        consumer_secret or config.consumer_secret,
        config.access_token,
        config.access_token_secret,
    )
    return session


def _account_url(emulator: AdsApiEmulator, version: str = "12") -> str:
    return f"{emulator.url}/{version}/accounts/{emulator.config.account_id}"


def test_signed_request_is_served_with_rate_limit_headers(ads_api_emulator: AdsApiEmulator) -> None:
    response = _session(ads_api_emulator).get(_account_url(ads_api_emulator))
    assert response.status_code == 200
    assert response.json()["data"]["id"] == ads_api_emulator.config.account_id
    assert int(response.headers["x-rate-limit-remaining"]) == ads_api_emulator.config.rate_limit - 1
    assert "x-account-rate-limit-reset" in response.headers


def test_wrong_secret_is_401_with_documented_error_body(ads_api_emulator: AdsApiEmulator) -> None:
    response = _session(ads_api_emulator, consumer_secret="not-the-secret").get(
        _account_url(ads_api_emulator)
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "UNAUTHORIZED_ACCESS"


def test_tampered_parameter_breaks_the_signature(ads_api_emulator: AdsApiEmulator) -> None:
    prepared = _session(ads_api_emulator).prepare_request(
        requests.Request("GET", _account_url(ads_api_emulator), params={"with_deleted": "false"})
    )
    prepared.url = prepared.url.replace("with_deleted=false", "with_deleted=true")
    response = requests.Session().send(prepared)
    assert response.status_code == 401


def test_unsigned_request_is_401(ads_api_emulator: AdsApiEmulator) -> None:
    assert requests.get(_account_url(ads_api_emulator)).status_code == 401


def test_unknown_version_is_404(ads_api_emulator: AdsApiEmulator) -> None:
    response = _session(ads_api_emulator).get(_account_url(ads_api_emulator, version="99"))
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "NOT_FOUND"


def test_repeated_query_keys_are_rejected(ads_api_emulator: AdsApiEmulator) -> None:
    url = _account_url(ads_api_emulator) + "?line_item_ids=a&line_item_ids=b"
    response = _session(ads_api_emulator).get(url)
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameter"] == "line_item_ids"


def test_budget_runs_out_with_429_and_reset_headers(ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(account_rate_limit=2)
    session = _session(ads_api_emulator)
    statuses = [session.get(_account_url(ads_api_emulator)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    last = session.get(_account_url(ads_api_emulator))
    assert last.headers["x-account-rate-limit-remaining"] == "0"
    assert int(last.headers["x-account-rate-limit-reset"]) > 0


@pytest.mark.parametrize(
    ("kind", "options", "status"),
    [("error", {"status": 503}, 503), ("error", {"status": 500}, 500), ("html_error", {}, 502)],
)
def test_scripted_error_faults(
    ads_api_emulator: AdsApiEmulator, kind: str, options: dict, status: int
) -> None:
    ads_api_emulator.faults.configure({"scripted": [{"kind": kind, "options": options, "path": "accounts"}]})
    session = _session(ads_api_emulator)
    first = session.get(_account_url(ads_api_emulator))
    assert first.status_code == status
    assert session.get(_account_url(ads_api_emulator)).status_code == 200
    assert ads_api_emulator.faults.injected[kind] == 1


def test_rate_limit_fault_without_reset_sends_no_rate_headers(ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "rate_limit", "options": {"with_reset": False}, "path": "accounts"}]}
    )
    response = _session(ads_api_emulator).get(_account_url(ads_api_emulator))
    assert response.status_code == 429
    assert not any(name.startswith("x-rate-limit") for name in response.headers)


def test_dropped_connection_is_a_connection_error(ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.faults.configure({"scripted": [{"kind": "drop_after", "path": "accounts"}]})
    with pytest.raises(requests.ConnectionError):
        _session(ads_api_emulator).get(_account_url(ads_api_emulator))
    assert ads_api_emulator.api_requests()[-1]["fault"] == "drop_after"


def test_random_faults_are_reproducible_by_seed(ads_api_emulator: AdsApiEmulator) -> None:
    def run() -> list[int]:
        ads_api_emulator.faults.configure({"random": {"rates": {"error": 0.5}, "seed": 7}})
        session = _session(ads_api_emulator)
        return [session.get(_account_url(ads_api_emulator)).status_code for _ in range(20)]

    first, second = run(), run()
    assert first == second
    assert 200 in first and 503 in first


def test_control_endpoints_configure_and_report(ads_api_emulator: AdsApiEmulator) -> None:
    base = ads_api_emulator.url + "/_emulator"
    assert requests.get(base + "/health").json() == {"ok": True}
    config = requests.post(base + "/config", json={"latency": 0.01}).json()
    assert config["latency"] == 0.01
    assert config["consumer_secret"] == "***"
    bad = requests.post(base + "/faults", json={"scripted": [{"kind": "explode"}]})
    assert bad.status_code == 400
    assert "explode" in bad.json()["errors"][0]["message"]
    state = requests.get(base + "/state").json()
    assert ads_api_emulator.config.account_id in {a["id"] for a in state["tables"]["accounts"]}


def test_multipart_without_boundary_is_a_400(ads_api_emulator: AdsApiEmulator) -> None:
    response = _session(ads_api_emulator).post(
        f"{ads_api_emulator.url}/2/media/upload/1/append",
        data=b"--x\r\n\r\n",
        headers={"content-type": "multipart/form-data"},
    )
    assert response.status_code == 400
    assert "boundary" in response.json()["errors"][0]["message"]


def test_snapshot_reports_processing_states_up_to_the_clock(ads_api_emulator: AdsApiEmulator) -> None:
    import time

    from airflow_provider_twitter_ads.emulator.state import MediaRecord

    record = MediaRecord(
        media_id="1029825579531800001",
        media_key="13_1029825579531800001",
        media_category="amplify_video",
        media_type="video/mp4",
        total_bytes=10,
        finalized=True,
        needs_processing=True,
        processing_started_at=time.time() - 60,
        processing_seconds=1.0,
        state="pending",
    )
    ads_api_emulator.state.media[record.media_key] = record
    states = {m["media_key"]: m["state"] for m in ads_api_emulator.snapshot()["media"]}
    assert states[record.media_key] == "succeeded"
