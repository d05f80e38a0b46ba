"""Pure helpers in utils/media.py: media keys, creative types, validation, create_once, poll, rollback."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_provider_twitter_ads.ids import (
    entity_ids,
    media_id_from_key,
    media_key_for,
    media_kind_from_key,
    parse_media_key,
    validate_media_id,
)
from airflow_provider_twitter_ads.utils.creatives import (
    MediaRef,
    account_media_added_since,
    account_media_result,
    creative_type_for_dimensions,
    display_types_of_aspect_ratio,
    find_account_media,
    find_media_creative,
    library_entry_misfit,
    media_creative_result,
    media_ref,
    parse_aspect_ratio,
    resolve_creative_type,
    scan_account_media,
    validate_call_to_action,
)
from airflow_provider_twitter_ads.utils.exactly_once import (
    create_once,
    delete_each,
    poll,
    settle_seconds_for,
)
from airflow_provider_twitter_ads.utils.params import (
    check_http_url,
)
from airflow_provider_twitter_ads.vocabulary import (
    AMPLIFY_VIDEO,
    CALL_TO_ACTIONS,
    CREATIVE_TYPES,
    DISPLAY_CREATIVE_TYPE_DIMENSIONS,
    GIF,
    IMAGE,
    MEDIA_KEY_PREFIXES,
    VIDEO,
    check_creative_type,
)

MEDIA_ID = "1029825579531807971"


# -- media keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind_or_category", "expected"),
    [
        ("tweet_image", f"3_{MEDIA_ID}"),
        ("dm_image", f"3_{MEDIA_ID}"),
        ("tweet_video", f"7_{MEDIA_ID}"),
        ("dm_video", f"7_{MEDIA_ID}"),
        ("amplify_video", f"13_{MEDIA_ID}"),
        ("tweet_gif", f"16_{MEDIA_ID}"),
        ("dm_gif", f"16_{MEDIA_ID}"),
        (IMAGE, f"3_{MEDIA_ID}"),
        (GIF, f"16_{MEDIA_ID}"),
    ],
)
def test_media_key_for_uses_the_kind_prefix(kind_or_category: str, expected: str) -> None:
    assert media_key_for(MEDIA_ID, kind_or_category) == expected


def test_media_key_parts() -> None:
    assert parse_media_key(f"13_{MEDIA_ID}") == (AMPLIFY_VIDEO, MEDIA_ID)
    assert media_kind_from_key(f"7_{MEDIA_ID}") == VIDEO
    assert media_kind_from_key(f"16_{MEDIA_ID}") == GIF
    assert media_id_from_key(f"3_{MEDIA_ID}") == MEDIA_ID
    assert media_key_for(int(MEDIA_ID), "amplify_video") == f"13_{MEDIA_ID}"


@given(st.integers(min_value=10**18, max_value=10**19 - 1), st.sampled_from(sorted(MEDIA_KEY_PREFIXES)))
def test_media_key_round_trips(number: int, kind: str) -> None:
    key = media_key_for(str(number), kind)
    assert parse_media_key(key) == (kind, str(number))


@pytest.mark.parametrize(
    ("bad", "error", "fragment"),
    [
        ("13-1029825579531807971", ValueError, "must look like"),
        ("1029825579531807971", ValueError, "must look like"),
        ("5_1029825579531807971", ValueError, "unknown prefix '5'"),
        ("13_", ValueError, "must look like"),
        ("13_abc", ValueError, "must look like"),
        (13, TypeError, "must be a string"),
        (None, TypeError, "must be a string"),
    ],
)
def test_bad_media_keys_name_the_value(bad: object, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error, match="media_key") as caught:
        parse_media_key(bad)
    assert fragment in str(caught.value)


@pytest.mark.parametrize("bad", ["", "12a", "-1", "1.5", "1" * 21])
def test_bad_media_ids(bad: str) -> None:
    with pytest.raises(ValueError, match="media_id"):
        validate_media_id(bad)
    with pytest.raises(TypeError, match="media_id"):
        validate_media_id(True)


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="Unknown media kind or category 'photo'"):
        media_key_for(MEDIA_ID, "photo")


# -- creative types -----------------------------------------------------------------------------


def test_the_display_table_is_the_documented_one() -> None:
    assert dict(DISPLAY_CREATIVE_TYPE_DIMENSIONS) == {
        "BANNER": (320, 50),
        "BANNER_TABLET": (728, 90),
        "INTERSTITIAL": (320, 480),
        "INTERSTITIAL_LANDSCAPE": (480, 320),
        "INTERSTITIAL_TABLET": (768, 1024),
        "INTERSTITIAL_LANDSCAPE_TABLET": (1024, 768),
        "MEDIUM_RECTANGLE": (300, 250),
    }
    assert set(CREATIVE_TYPES.ALL) == {"PREROLL", *DISPLAY_CREATIVE_TYPE_DIMENSIONS}
    with pytest.raises(TypeError):
        DISPLAY_CREATIVE_TYPE_DIMENSIONS["BANNER"] = (1, 1)  # type: ignore[index]


@pytest.mark.parametrize(("name", "size"), sorted(DISPLAY_CREATIVE_TYPE_DIMENSIONS.items()))
def test_creative_type_for_dimensions(name: str, size: tuple[int, int]) -> None:
    assert creative_type_for_dimensions(*size) == name


def test_creative_type_for_other_dimensions_is_none() -> None:
    assert creative_type_for_dimensions(50, 320) is None
    assert creative_type_for_dimensions(640, 480) is None
    assert creative_type_for_dimensions(None, 50) is None


def test_check_creative_type() -> None:
    assert check_creative_type(" banner ") == "BANNER"
    with pytest.raises(ValueError, match=r"creative_type must be one of .*got 'SKYSCRAPER'"):
        check_creative_type("SKYSCRAPER")
    with pytest.raises(TypeError, match="creative_type"):
        check_creative_type(3)


# -- media_ref and resolve_creative_type -------------------------------------------------------


def _upload(**overrides: object) -> dict[str, object]:
    result: dict[str, object] = {
        "media_id": MEDIA_ID,
        "media_key": f"3_{MEDIA_ID}",
        "media_category": "tweet_image",
        "media_type": "image/png",
        "total_bytes": 1234,
        "width": 300,
        "height": 250,
        "processing_info": None,
        "s3_uri": "s3://assets/a.png",
    }
    result.update(overrides)
    return result


def test_media_ref_from_the_upload_dict() -> None:
    ref = media_ref(_upload())
    assert ref == MediaRef(f"3_{MEDIA_ID}", MEDIA_ID, IMAGE, 300, 250)
    assert media_ref(media_id=_upload()) == ref
    assert resolve_creative_type(ref) == "MEDIUM_RECTANGLE"


def test_media_ref_from_a_key_or_an_id() -> None:
    assert media_ref(f"13_{MEDIA_ID}") == MediaRef(f"13_{MEDIA_ID}", MEDIA_ID, AMPLIFY_VIDEO)
    assert media_ref(media_id=MEDIA_ID, creative_type="PREROLL").media_key == f"13_{MEDIA_ID}"
    assert media_ref(media_id=MEDIA_ID, creative_type="BANNER").media_key == f"3_{MEDIA_ID}"
    upload_without_key = _upload(media_key=None, media_category="amplify_video", width=None, height=None)
    assert media_ref(upload_without_key).media_key == f"13_{MEDIA_ID}"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({}, "One of media_key or media_id is required"),
        ({"media_id": MEDIA_ID}, "alone does not say what kind"),
        ({"media_key": f"3_{MEDIA_ID}", "media_id": "1029825579531807972"}, "does not match media_key"),
        (
            {"media_key": _upload(media_category="amplify_video")},
            "names media of kind 'image' but media_category 'amplify_video'",
        ),
        ({"media_key": _upload(media_category="photo")}, "media_category must be one of"),
        ({"media_key": {"width": 1}}, "neither 'media_key' nor 'media_id'"),
        ({"media_key": _upload(), "media_id": _upload()}, "not both"),
        ({"media_key": _upload(width=0)}, "width must be a positive integer"),
    ],
)
def test_media_ref_errors(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises((ValueError, TypeError)) as caught:
        media_ref(**kwargs)
    assert fragment in str(caught.value)


def test_media_ref_rejects_non_numeric_sizes() -> None:
    with pytest.raises(TypeError, match="height must be a positive integer or None, got 'tall'"):
        media_ref(_upload(height="tall"))


def test_resolve_creative_type_infers_and_checks() -> None:
    video = media_ref(f"13_{MEDIA_ID}")
    assert resolve_creative_type(video) == "PREROLL"
    assert resolve_creative_type(video, "preroll") == "PREROLL"
    image = media_ref(_upload(width=320, height=50))
    assert resolve_creative_type(image) == "BANNER"
    assert resolve_creative_type(image, "BANNER") == "BANNER"
    # A key alone has no size: a given display type is taken on trust, none given is an error.
    assert resolve_creative_type(media_ref(f"3_{MEDIA_ID}"), "INTERSTITIAL") == "INTERSTITIAL"


@pytest.mark.parametrize(
    ("media", "creative_type", "fragment"),
    [
        (f"3_{MEDIA_ID}", "PREROLL", "PREROLL needs an amplify_video"),
        (f"7_{MEDIA_ID}", "PREROLL", "PREROLL needs an amplify_video"),
        (f"13_{MEDIA_ID}", "BANNER", "BANNER needs an image"),
        (f"16_{MEDIA_ID}", "BANNER", "BANNER needs an image"),
        (_upload(width=320, height=50), "MEDIUM_RECTANGLE", "needs a 300x250 image, but media"),
        (_upload(width=640, height=480), None, "is 640x480, which matches no display creative type"),
        (f"3_{MEDIA_ID}", None, "creative_type is required for image"),
        (f"7_{MEDIA_ID}", None, "cannot become account media"),
        (f"16_{MEDIA_ID}", None, "cannot become account media"),
        (f"13_{MEDIA_ID}", "CAROUSEL", "creative_type must be one of"),
    ],
)
def test_resolve_creative_type_errors(media: object, creative_type: str | None, fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        resolve_creative_type(media_ref(media), creative_type)
    assert fragment in str(caught.value)


# -- URLs, call-to-actions, ids -----------------------------------------------------------------


@pytest.mark.parametrize("url", ["https://example.com", "http://example.com/a?b=c", " https://x.co/p "])
def test_good_landing_urls(url: str) -> None:
    assert check_http_url("landing_url", url) == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        "",
        "example.com",
        "ftp://example.com",
        "https://",
        "https:///path",
        "javascript:alert(1)",
        "https://exa mple.com",
        "http://[::1",
    ],
)
def test_bad_landing_urls(url: str) -> None:
    with pytest.raises(ValueError, match="landing_url"):
        check_http_url("landing_url", url)


def test_landing_url_must_be_a_string() -> None:
    with pytest.raises(TypeError, match=r"landing_url must be an http\(s\) URL string"):
        check_http_url("landing_url", ["https://example.com"])


def test_call_to_action_validation() -> None:
    assert validate_call_to_action(None, None) is None
    assert validate_call_to_action("watch_now", "https://example.com") == ("WATCH_NOW", "https://example.com")
    assert set(CALL_TO_ACTIONS.ALL) == {"GO_TO", "SEE_MORE", "SHOP", "VISIT_SITE", "WATCH_NOW"}
    with pytest.raises(ValueError, match=r"call_to_action must be one of .*got 'BUY'"):
        validate_call_to_action("BUY", "https://example.com")
    with pytest.raises(ValueError, match="without call_to_action_url"):
        validate_call_to_action("SHOP", None)
    with pytest.raises(ValueError, match="without call_to_action"):
        validate_call_to_action(None, "https://example.com")
    with pytest.raises(ValueError, match="call_to_action_url must be an absolute http"):
        validate_call_to_action("SHOP", "example.com")


def test_entity_ids() -> None:
    assert entity_ids("8v7jo", "line_item_id") == ["8v7jo"]
    assert entity_ids(["8v7jo", "8v7jp", "8v7jo"], "line_item_id") == ["8v7jo", "8v7jp"]
    assert entity_ids({"id": "abc", "creative_type": "BANNER"}, "account_media_id") == ["abc"]
    for bad in ([], "", None, ["ok", " "], "a/b", {"creative_type": "BANNER"}):
        with pytest.raises(ValueError, match="line_item_id"):
            entity_ids(bad, "line_item_id")


def test_finders_skip_deleted_and_other_entities() -> None:
    media = [
        {"id": "a", "media_key": "3_1", "creative_type": "BANNER", "deleted": True},
        {"id": "b", "media_key": "3_1", "creative_type": "INTERSTITIAL", "deleted": False},
        {"id": "c", "media_key": "3_1", "creative_type": "BANNER", "deleted": False},
    ]
    assert find_account_media(media, "3_1", "BANNER") == media[2]
    assert find_account_media(media, "3_1") == media[1]
    assert find_account_media(media, "3_2") is None
    assert scan_account_media(media, "3_1", "BANNER") == (media[2], media[1])
    assert scan_account_media(media, "3_1", "MEDIUM_RECTANGLE") == (None, media[1])
    assert scan_account_media(iter(media), "3_1", "INTERSTITIAL") == (media[1], None)
    creatives = [
        {"id": "x", "account_media_id": "a", "line_item_id": "l1", "entity_status": "DELETED"},
        {"id": "y", "account_media_id": "a", "line_item_id": "l2"},
        {"id": "z", "account_media_id": "a", "line_item_id": "l1"},
    ]
    assert find_media_creative(creatives, "a", "l1") == creatives[2]
    assert find_media_creative(creatives, "b", "l1") is None


# -- create_once and poll -----------------------------------------------------------------------


class Lost(Exception):
    pass


class FakeApi:
    """A store on a fake clock whose creates can lose their response, before or after committing,
    or commit only ``late_by`` seconds after the client gave up."""

    def __init__(self, lose: int = 0, fail_before_commit: int = 0, late_by: float | None = None) -> None:
        self.items: list[str] = []
        self.lose = lose
        self.fail_before_commit = fail_before_commit
        self.late_by = late_by
        self.pending: list[float] = []  # when each late create commits
        self.creates = 0
        self.finds = 0
        self.now = 0.0
        self.slept = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds

    def _commit_due(self) -> None:
        while self.pending and self.pending[0] <= self.now:
            self.pending.pop(0)
            self.items.append(f"item{len(self.items)}")

    def find(self) -> str | None:
        self.finds += 1
        self._commit_due()
        return self.items[0] if self.items else None

    def create(self) -> str:
        self.creates += 1
        if self.fail_before_commit:
            self.fail_before_commit -= 1
            raise Lost("dropped before commit")
        if self.late_by is not None:
            self.pending.append(self.now + self.late_by)
            self.late_by = None
            raise Lost("read timeout; the server is still working on it")
        self.items.append(f"item{len(self.items)}")
        if self.lose:
            self.lose -= 1
            raise Lost("dropped after commit")
        return self.items[-1]

    def create_once(self, **kwargs: object) -> tuple[str, bool]:
        return create_once(
            self.find, self.create, lost_errors=(Lost,), sleep=self.sleep, clock=self.clock, **kwargs
        )  # type: ignore[arg-type]


def test_create_once_creates_then_reuses() -> None:
    api = FakeApi()
    assert api.create_once() == ("item0", True)
    assert api.create_once() == ("item0", False)
    assert api.items == ["item0"]
    assert api.creates == 1


def test_create_once_looks_after_a_lost_response() -> None:
    api = FakeApi(lose=1)
    assert api.create_once(settle_seconds=10) == ("item0", True)
    assert api.items == ["item0"]
    assert (api.creates, api.finds, api.slept) == (1, 2, 0.0)


def test_create_once_waits_for_a_create_the_server_commits_late() -> None:
    api = FakeApi(late_by=2.5)
    assert api.create_once(settle_seconds=3) == ("item0", True)
    assert api.creates == 1
    assert api.items == ["item0"]
    assert 2.5 <= api.slept <= 3


def test_create_once_settle_period_bounds_the_wait() -> None:
    # The documented residual risk: a create committed after the settle period is made twice.
    api = FakeApi(late_by=5)
    assert api.create_once(settle_seconds=2) == ("item0", True)
    assert api.creates == 2
    assert api.slept == pytest.approx(2)
    api.sleep(5)
    api.find()
    assert api.items == ["item0", "item1"]


def test_create_once_without_settle_looks_once() -> None:
    api = FakeApi(late_by=0.5)
    assert api.create_once(settle_seconds=0) == ("item0", True)
    assert (api.creates, api.finds, api.slept) == (2, 2, 0.0)


def test_create_once_retries_a_create_that_never_landed() -> None:
    api = FakeApi(fail_before_commit=2)
    assert api.create_once(attempts=3, settle_seconds=1) == ("item0", True)
    assert api.creates == 3
    assert api.slept == pytest.approx(2)  # one settle period after each lost create


def test_create_once_gives_up_after_attempts() -> None:
    api = FakeApi(fail_before_commit=5)
    with pytest.raises(Lost):
        api.create_once(attempts=2, settle_seconds=1)
    assert api.creates == 2
    assert api.items == []


def test_create_once_does_not_swallow_other_errors() -> None:
    def create() -> str:
        raise KeyError("bad request")

    with pytest.raises(KeyError):
        create_once(lambda: None, create, lost_errors=(Lost,))
    with pytest.raises(ValueError, match="attempts"):
        create_once(lambda: None, create, lost_errors=(Lost,), attempts=0)
    for bad in (-1, True, "5"):
        with pytest.raises(ValueError, match="settle_seconds must be a non-negative number"):
            create_once(lambda: None, create, lost_errors=(Lost,), settle_seconds=bad)  # type: ignore[arg-type]


def test_settle_seconds_for_a_connection_timeout() -> None:
    assert settle_seconds_for(1) == 2.0
    assert settle_seconds_for(60.0) == 120.0
    assert settle_seconds_for(0) == 0.0
    for bad in (-1, float("nan"), None):
        with pytest.raises(ValueError, match="timeout must be a non-negative number"):
            settle_seconds_for(bad)  # type: ignore[arg-type]


def test_poll_backs_off_until_found() -> None:
    now = [0.0]
    sleeps: list[float] = []
    answers = iter([None, None, None, "found"])

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    result = poll(lambda: next(answers), 10, first_delay=0.5, sleep=sleep, clock=lambda: now[0])
    assert result == "found"
    assert sleeps == [0.5, 1.0, 2.0]


def test_poll_gives_none_at_the_deadline() -> None:
    now = [0.0]
    calls = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    def probe() -> None:
        calls.append(now[0])

    assert poll(probe, 3, first_delay=1, sleep=sleep, clock=lambda: now[0]) is None
    assert calls == [0.0, 1.0, 3.0]


def test_delete_each_treats_missing_as_done() -> None:
    deleted: list[str] = []

    def delete(entity_id: str) -> None:
        if entity_id == "gone":
            raise Lost("404")
        deleted.append(entity_id)

    assert delete_each(["a", "gone", "b"], delete, missing_errors=(Lost,)) == ["a", "gone", "b"]
    assert deleted == ["a", "b"]
    with pytest.raises(KeyError):
        delete_each(["a"], lambda _: {}["x"], missing_errors=(Lost,))


def test_results_are_json_safe_summaries() -> None:
    import json

    image = {
        "id": "a1",
        "creative_type": "BANNER",
        "media_key": "3_1",
        "media_url": "https://x/y.png",
        "created_at": "2024-01-01T00:00:00Z",
        "deleted": False,
    }
    assert account_media_result(image, "acc") == {
        "id": "a1",
        "creative_type": "BANNER",
        "media_key": "3_1",
        "media_url": "https://x/y.png",
        "account_id": "acc",
    }
    video = {"id": "a2", "creative_type": "PREROLL", "media_key": "13_1", "video_id": 13}
    assert account_media_result(video, "acc")["video_id"] == "13"
    assert "media_url" not in account_media_result(video, "acc")
    creative = {
        "id": "c1",
        "line_item_id": "l1",
        "account_media_id": "a1",
        "entity_status": "ACTIVE",
        "approval_status": "ACCEPTED",
        "serving_status": "ACTIVE",
        "landing_url": None,
        "deleted": False,
    }
    result = media_creative_result(creative, "acc", "BANNER")
    assert result["id"] == "c1" and result["creative_type"] == "BANNER" and "deleted" not in result
    assert json.loads(json.dumps(result)) == result


# -- rollback helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ratio"),
    [("6:5", 1.2), ("16:9", 16 / 9), ("1.91:1", 1.91), (" 32:5 ", 6.4)],
)
def test_parse_aspect_ratio(text: str, ratio: float) -> None:
    assert parse_aspect_ratio(text) == pytest.approx(ratio)


@pytest.mark.parametrize("bad", [None, 1.2, "", "6", "6:5:1", "a:b", "0:5", "6:0", "-6:5", "inf:1", "nan:1"])
def test_unreadable_aspect_ratios_are_none(bad: object) -> None:
    assert parse_aspect_ratio(bad) is None


def test_display_types_of_aspect_ratio() -> None:
    assert display_types_of_aspect_ratio(1.2) == ["MEDIUM_RECTANGLE"]
    assert display_types_of_aspect_ratio(4 / 3) == ["INTERSTITIAL_LANDSCAPE_TABLET"]
    assert display_types_of_aspect_ratio(16 / 9) == []
    for name, (width, height) in DISPLAY_CREATIVE_TYPE_DIMENSIONS.items():
        assert display_types_of_aspect_ratio(width / height) == [name]


def test_library_entry_misfit() -> None:
    misfit = library_entry_misfit({"aspect_ratio": "6:5"}, "BANNER")
    assert misfit == (
        "the media library entry gives its aspect ratio as 6:5 (the shape of MEDIUM_RECTANGLE 300x250), "
        "but BANNER needs exactly 320x50"
    )
    other = library_entry_misfit({"aspect_ratio": "16:9"}, "MEDIUM_RECTANGLE")
    assert other is not None and "16:9 (the shape of no display creative type)" in other
    # The same shape does not prove the size, and an entry without a readable ratio tells nothing.
    assert library_entry_misfit({"aspect_ratio": "32:5"}, "BANNER") is None
    assert library_entry_misfit({"aspect_ratio": "6.02:5"}, "MEDIUM_RECTANGLE") is None
    assert library_entry_misfit({}, "BANNER") is None
    assert library_entry_misfit({"aspect_ratio": "wide"}, "BANNER") is None
    # PREROLL is no display type: its fit is the media kind, checked before any write.
    assert library_entry_misfit({"aspect_ratio": "16:9"}, "PREROLL") is None


def test_account_media_added_since_stops_at_what_existed_before() -> None:
    newest_first = [
        {"id": "n3", "media_key": "3_1", "creative_type": "MEDIUM_RECTANGLE", "deleted": False},
        {"id": "n2", "media_key": "3_2", "creative_type": "BANNER", "deleted": False},
        {"id": "n1", "media_key": "3_1", "creative_type": "BANNER", "deleted": True},
        {"id": "old2", "media_key": "3_1", "creative_type": "MEDIUM_RECTANGLE", "deleted": False},
        {"id": "old1", "media_key": "3_1", "creative_type": "MEDIUM_RECTANGLE", "deleted": False},
    ]
    read: list[str] = []

    def pager() -> object:
        for entity in newest_first:
            read.append(entity["id"])
            yield entity

    assert account_media_added_since(pager(), "3_1", {"old2", "old1", "zz"}) == [newest_first[0]]
    assert read == ["n3", "n2", "n1", "old2"]  # stops at the first one seen before the write
    # Even a pre-existing one listed out of order (after a deleted marker) stops the scan.
    assert account_media_added_since(newest_first, "3_1", {"n1"}) == [newest_first[0]]
    # Nothing existed before: everything with the key is new.
    assert [e["id"] for e in account_media_added_since(newest_first, "3_1", set())] == ["n3", "old2", "old1"]
