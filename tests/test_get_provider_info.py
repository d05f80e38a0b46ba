"""The provider registers itself with Airflow through the entry point."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from airflow_provider_twitter_ads import __version__
from airflow_provider_twitter_ads.get_provider_info import get_provider_info


def test_entry_point_resolves_to_get_provider_info() -> None:
    (entry,) = [
        e
        for e in entry_points(group="apache_airflow_provider")
        if e.value.startswith("airflow_provider_twitter_ads")
    ]
    assert entry.load() is get_provider_info


def test_provider_info_names_modules_that_import() -> None:
    info = get_provider_info()
    assert info["versions"] == [__version__]
    modules = [
        m
        for kind in ("hooks", "operators", "sensors", "triggers")
        for group in info[kind]
        for m in group["python-modules"]
    ]
    for module in modules:
        importlib.import_module(module)
    (conn_type,) = info["connection-types"]
    module_name, class_name = conn_type["hook-class-name"].rsplit(".", 1)
    hook_class = getattr(importlib.import_module(module_name), class_name)
    assert hook_class.conn_type == conn_type["connection-type"] == "twitter_ads"


def test_connection_form_marks_the_token_secret_sensitive() -> None:
    (conn_type,) = get_provider_info()["connection-types"]
    fields = conn_type["conn-fields"]
    assert fields["access_token_secret"]["schema"]["format"] == "password"
    assert set(fields) >= {
        "access_token",
        "account_id",
        "api_version",
        "ads_api_url",
        "upload_api_url",
        "timeout",
    }


def test_providers_manager_sees_the_connection_type() -> None:
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    assert "airflow-provider-twitter-ads" in manager.providers
    hook_info = manager.hooks["twitter_ads"]
    assert hook_info is not None
    assert hook_info.hook_class_name.endswith("AdsApiHook")
    assert "extra__twitter_ads__access_token_secret" in manager.connection_form_widgets
    assert manager.connection_form_widgets["extra__twitter_ads__access_token_secret"].is_sensitive
