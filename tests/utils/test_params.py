"""utils/params.py: request parameter checks and formatting, and the http(s) URL check."""

from __future__ import annotations

import pytest

from airflow_provider_twitter_ads.utils.params import (
    build_list_params,
    check_choice,
    check_count,
    check_http_url,
    check_sort_by,
    format_bool,
    format_list,
    format_params,
    format_scalar,
)


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


def test_booleans_are_lowercase_words() -> None:
    assert format_bool("with_deleted", True) == "true"
    assert format_bool("with_deleted", False) == "false"
    assert format_bool("with_deleted", "false") == "false"
    with pytest.raises(TypeError, match="with_deleted must be a bool, got 1"):
        format_bool("with_deleted", 1)
    with pytest.raises(TypeError, match="with_deleted must be a bool, got 'True'"):
        format_bool("with_deleted", "True")


def test_scalars() -> None:
    assert format_scalar("count", 5) == "5"
    assert format_scalar("total_bytes", 10.0) == "10"
    assert format_scalar("q", "cat video") == "cat video"
    with pytest.raises(ValueError, match="x must be a finite number"):
        format_scalar("x", float("nan"))
    with pytest.raises(TypeError, match="x must be a string, number, bool or list of those, got dict"):
        format_scalar("x", {"a": 1})


def test_lists_are_comma_separated() -> None:
    assert format_list("line_item_ids", ["8v7jo", "8v7jp"]) == "8v7jo,8v7jp"
    assert format_list("line_item_ids", ("a",)) == "a"
    assert format_list("line_item_ids", "a, b") == "a,b"
    assert format_list("ids", [1, 2]) == "1,2"


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ([], "line_item_ids must not be empty"),
        (["a", ""], "line_item_ids contains an empty value"),
        ("a,,b", "line_item_ids contains an empty value"),
        (["a,b"], "line_item_ids values must not contain commas"),
    ],
)
def test_bad_lists(values: object, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        format_list("line_item_ids", values)  # type: ignore[arg-type]


def test_at_most_200_ids_per_filter() -> None:
    assert format_list("ids", [str(i) for i in range(200)]).count(",") == 199
    with pytest.raises(ValueError, match="ids accepts at most 200 values per request, got 201"):
        format_list("ids", [str(i) for i in range(201)])
    with pytest.raises(ValueError, match="at most 200"):
        format_list("ids", ",".join(str(i) for i in range(201)))


def test_list_of_wrong_type() -> None:
    with pytest.raises(TypeError, match="ids must be a list of ids or a comma-separated string, got int"):
        format_list("ids", 5)  # type: ignore[arg-type]


def test_format_params_drops_none_and_formats_everything() -> None:
    assert format_params({"a": None, "b": True, "c": ["x", "y"], "d": 3, "e": "s"}) == {
        "b": "true",
        "c": "x,y",
        "d": "3",
        "e": "s",
    }
    assert format_params(None) == {}


@pytest.mark.parametrize("count", [1, 500, 1000])
def test_count_in_range(count: int) -> None:
    assert check_count(count) == count


@pytest.mark.parametrize("count", [0, -1, 1001])
def test_count_out_of_range(count: int) -> None:
    with pytest.raises(ValueError, match=f"count must be between 1 and 1000, got {count}"):
        check_count(count)


def test_media_library_count_is_at_most_50() -> None:
    assert check_count(50, maximum=50) == 50
    with pytest.raises(ValueError, match="count must be between 1 and 50, got 51"):
        check_count(51, maximum=50)


@pytest.mark.parametrize("count", [True, 1.5, None, "ten"])
def test_count_wrong_type(count: object) -> None:
    with pytest.raises(TypeError, match="count must be an int"):
        check_count(count)


def test_count_from_template_string() -> None:
    assert check_count("20") == 20


def test_sort_by() -> None:
    assert check_sort_by("created_at-asc") == "created_at-asc"
    for bad in ("created_at", "created_at-up", "-asc", 3):
        with pytest.raises(ValueError, match="sort_by must look like 'created_at-asc'"):
            check_sort_by(bad)


def test_build_list_params() -> None:
    params = build_list_params(
        {"line_item_ids": ["a", "b"], "with_deleted": True, "sort_by": "updated_at-desc", "q": None},
        count=1000,
    )
    assert params == {
        "line_item_ids": "a,b",
        "with_deleted": "true",
        "sort_by": "updated_at-desc",
        "count": "1000",
    }


def test_build_list_params_count_in_filters_wins() -> None:
    assert build_list_params({"count": 7}, count=1000)["count"] == "7"


def test_with_total_count_and_cursor_are_refused_together() -> None:
    with pytest.raises(ValueError, match="with_total_count cannot be combined with cursor"):
        build_list_params({"with_total_count": True, "cursor": "abc"})
    assert build_list_params({"with_total_count": False, "cursor": "abc"})["cursor"] == "abc"


def test_build_list_params_checks() -> None:
    with pytest.raises(ValueError, match="count must be between 1 and 50, got 100"):
        build_list_params({}, count=100, max_count=50)
    with pytest.raises(TypeError, match="with_deleted must be a bool"):
        build_list_params({"with_deleted": "yes"})
    with pytest.raises(ValueError, match="cursor must be a non-empty string"):
        build_list_params({"cursor": ""})
    with pytest.raises(ValueError, match="sort_by must look like"):
        build_list_params({"sort_by": "newest"})


def test_http_url() -> None:
    assert check_http_url("landing_url", " https://example.com/a ") == "https://example.com/a"
    for bad in ("ftp://example.com", "example.com", "https://", "javascript:alert(1)"):
        with pytest.raises(ValueError, match="landing_url must be an absolute http"):
            check_http_url("landing_url", bad)
    with pytest.raises(TypeError, match="landing_url must be an http"):
        check_http_url("landing_url", 5)


def test_choice() -> None:
    assert check_choice("call_to_action", "SHOP", ("SHOP", "GO_TO")) == "SHOP"
    with pytest.raises(ValueError, match="call_to_action must be one of GO_TO, SHOP, got 'shop'"):
        check_choice("call_to_action", "shop", ("SHOP", "GO_TO"))
