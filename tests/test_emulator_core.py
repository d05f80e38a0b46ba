"""The emulator's server core: signatures, versions, repeated keys, rate limits, faults, control."""

from __future__ import annotations

import html
import re

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


@pytest.mark.parametrize("version", ["99", "10", "5", "1"])
def test_unknown_or_end_of_life_version_is_route_not_found(
    ads_api_emulator: AdsApiEmulator, version: str
) -> None:
    """ "Versions" page: only 11 and 12 are live, 10 and older are end of life."""
    response = _session(ads_api_emulator).get(_account_url(ads_api_emulator, version=version))
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "ROUTE_NOT_FOUND"


@pytest.mark.parametrize("version", ["11", "12"])
def test_live_versions_send_the_current_api_version_header(
    ads_api_emulator: AdsApiEmulator, version: str
) -> None:
    """ "Versions" page: every response carries ``x-current-api-version``, the current version."""
    response = _session(ads_api_emulator).get(_account_url(ads_api_emulator, version=version))
    assert response.status_code == 200
    assert response.headers["x-current-api-version"] == "12.0"
    # Errors too: it is a header of every Ads API response.
    missing = _session(ads_api_emulator).get(_account_url(ads_api_emulator) + "/nothing_here")
    assert missing.headers["x-current-api-version"] == "12.0"


def test_a_served_deprecated_version_sends_x_api_warn(ads_api_emulator: AdsApiEmulator) -> None:
    """ "Versions" page: calls to a deprecated version also carry ``x-api-warn``. Every version
    before 11 has a deprecation date; 11 and 12 have none, so they carry no warning."""
    ads_api_emulator.update_config(supported_versions=(10, 11, 12))
    session = _session(ads_api_emulator)
    old = session.get(_account_url(ads_api_emulator, version="10"))
    assert old.status_code == 200
    assert old.headers["x-api-warn"] == "Ads API version 10 is deprecated; the current version is 12.0"
    assert old.headers["x-current-api-version"] == "12.0"
    for version in ("11", "12"):
        assert "x-api-warn" not in session.get(_account_url(ads_api_emulator, version=version)).headers
    # An end-of-life version that is not served is a 404 route, not a warning.
    ads_api_emulator.update_config(supported_versions=(11, 12))
    gone = session.get(_account_url(ads_api_emulator, version="10"))
    assert (gone.status_code, "x-api-warn" in gone.headers) == (404, False)


def test_unknown_route_is_route_not_found(ads_api_emulator: AdsApiEmulator) -> None:
    """ "Error codes and responses": a path (or method) the API does not serve is ROUTE_NOT_FOUND."""
    session = _session(ads_api_emulator)
    for response in (
        session.get(_account_url(ads_api_emulator) + "/nothing_here"),
        session.delete(_account_url(ads_api_emulator)),
    ):
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "ROUTE_NOT_FOUND"


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


@pytest.mark.parametrize("body_format", ["json", "html"])
def test_echo_auth_fault_quotes_the_authorization_header(
    ads_api_emulator: AdsApiEmulator, body_format: str
) -> None:
    options = {"status": 403, "format": body_format}
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "echo_auth", "options": options, "path": "accounts"}]}
    )
    session = _session(ads_api_emulator)
    response = session.get(_account_url(ads_api_emulator))
    assert response.status_code == 403
    sent = response.request.headers["Authorization"]
    sent = sent.decode() if isinstance(sent, bytes) else sent
    signature = re.search(r'oauth_signature="([^"]+)"', sent)
    assert signature is not None
    text = html.unescape(response.text) if body_format == "html" else response.json()["errors"][0]["message"]
    assert f"Authorization: {sent}" in text
    assert f'oauth_token="{ads_api_emulator.config.access_token}"' in text
    assert session.get(_account_url(ads_api_emulator)).status_code == 200
    assert ads_api_emulator.faults.injected["echo_auth"] == 1


def test_echo_auth_fault_refuses_an_unknown_format(ads_api_emulator: AdsApiEmulator) -> None:
    with pytest.raises(ValueError, match="echo_auth format must be json or html, got 'xml'"):
        ads_api_emulator.faults.configure({"scripted": [{"kind": "echo_auth", "options": {"format": "xml"}}]})


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
    flipped = requests.post(base + "/config", json={"image_account_media_media_key": True}).json()
    assert flipped["image_account_media_media_key"] is True
    assert ads_api_emulator.config.image_account_media_media_key is True
    not_bool = requests.post(base + "/config", json={"image_account_media_media_key": "yes"})
    assert not_bool.status_code == 400
    generic = requests.post(base + "/config", json={"line_item_not_found_code": "NOT_FOUND"}).json()
    assert generic["line_item_not_found_code"] == "NOT_FOUND"
    not_a_choice = requests.post(base + "/config", json={"line_item_not_found_code": "GONE"})
    assert not_a_choice.status_code == 400
    assert "line_item_not_found_code must be one of" in not_a_choice.json()["errors"][0]["message"]
    assert ads_api_emulator.config.line_item_not_found_code == "NOT_FOUND"


def test_control_errors(ads_api_emulator: AdsApiEmulator) -> None:
    base = ads_api_emulator.url + "/_emulator"
    unknown = requests.get(base + "/nothing")
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0] == {"code": "NOT_FOUND", "message": "No control action 'nothing'"}
    assert requests.post(base + "/health").status_code == 404
    not_json = requests.post(base + "/config", data=b"{not json")
    assert not_json.status_code == 400 and not_json.json()["errors"][0]["code"] == "INVALID_PARAMETER"
    bad_seed = requests.post(base + "/seed", json={"kind": "planets"})
    assert bad_seed.status_code == 400 and "planets" in bad_seed.json()["errors"][0]["message"]
    # Control calls stay out of the API request log.
    assert ads_api_emulator.api_requests(path_contains="_emulator") == []


def test_multipart_without_boundary_is_a_400_problem(ads_api_emulator: AdsApiEmulator) -> None:
    response = _session(ads_api_emulator).post(
        f"{ads_api_emulator.url}/2/media/upload/1/append",
        data=b"--x\r\n\r\n",
        headers={"content-type": "multipart/form-data"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "https://api.x.com/2/problems/invalid-request" and body["status"] == 400
    assert "boundary" in body["detail"]


# -- v2 upload errors are RFC 7807 problems, whatever raised them --------------------------------------
# The media upload OpenAPI spec answers every error with a Problem (title, detail, type, status).


def _assert_http_problem(response: requests.Response, status: int, title: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["status"], body["title"], body["type"]) == (status, title, "about:blank")
    assert isinstance(body["detail"], str) and body["detail"]
    assert "request" not in body


def test_v2_upload_401_is_a_problem(ads_api_emulator: AdsApiEmulator) -> None:
    response = requests.get(f"{ads_api_emulator.url}/2/media/upload", params={"media_id": "1"})
    _assert_http_problem(response, 401, "Unauthorized")


def test_v2_upload_429_is_a_problem(ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(rate_limit=1)
    session = _session(ads_api_emulator)
    url = f"{ads_api_emulator.url}/2/media/upload"
    assert session.get(url, params={"media_id": "1"}).status_code == 404
    response = session.get(url, params={"media_id": "1"})
    _assert_http_problem(response, 429, "Too Many Requests")
    assert response.headers["x-rate-limit-remaining"] == "0"


@pytest.mark.parametrize(
    ("fault", "status", "title"),
    [
        ({"kind": "error", "options": {"status": 500}}, 500, "Internal Server Error"),
        ({"kind": "error", "options": {"status": 503}}, 503, "Service Unavailable"),
        ({"kind": "rate_limit"}, 429, "Too Many Requests"),
    ],
)
def test_v2_upload_faults_are_problems(
    ads_api_emulator: AdsApiEmulator, fault: dict, status: int, title: str
) -> None:
    ads_api_emulator.faults.configure({"scripted": [{**fault, "path": "/2/media/upload/initialize"}]})
    response = _session(ads_api_emulator).post(
        f"{ads_api_emulator.url}/2/media/upload/initialize",
        json={"total_bytes": 10, "media_type": "image/png"},
    )
    _assert_http_problem(response, status, title)
    assert ads_api_emulator.state.media == {}


def test_v2_upload_unknown_route_is_a_problem(ads_api_emulator: AdsApiEmulator) -> None:
    response = _session(ads_api_emulator).get(f"{ads_api_emulator.url}/2/media/upload/1/nothing")
    assert response.status_code == 404
    assert response.json()["type"] == "https://api.x.com/2/problems/resource-not-found"


def test_v11_upload_errors_keep_the_v11_format(ads_api_emulator: AdsApiEmulator) -> None:
    """v1.1 ("POST media/upload" reference) keeps ``{"errors": [{"code", "message"}]}`` bodies."""
    url = f"{ads_api_emulator.url}/1.1/media/upload.json"
    unsigned = requests.get(url, params={"command": "STATUS", "media_id": "1"})
    assert unsigned.status_code == 401 and unsigned.json()["errors"][0]["code"] == 32
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "error", "options": {"status": 500}, "path": "upload.json"}]}
    )
    failed = _session(ads_api_emulator).get(url, params={"command": "STATUS", "media_id": "1"})
    assert failed.status_code == 500 and failed.json()["errors"][0]["code"] == 131


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
