"""The twitter_ads connection: defaults, validation, JSON and URI forms, secret masking, the UI form."""

from __future__ import annotations

import json
import sys
import types
import uuid
from typing import Any
from urllib.parse import quote

import pytest

from airflow_provider_twitter_ads.compat import BaseHook
from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.get_provider_info import get_provider_info
from airflow_provider_twitter_ads.hooks import connection as connection_module
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.hooks.connection import AdsApiConnectionConfig

try:
    from airflow.sdk._shared.secrets_masker.secrets_masker import redact
except ImportError:  # Airflow 2
    from airflow.utils.log.secrets_masker import redact  # type: ignore[no-redef]

CONN_ENV = "AIRFLOW_CONN_TWITTER_ADS_TEST"


def _config(conn: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> AdsApiConnectionConfig:
    monkeypatch.setenv(CONN_ENV, json.dumps(conn))
    return AdsApiConnectionConfig.from_connection(BaseHook.get_connection("twitter_ads_test"))


def _conn(**extra: Any) -> dict[str, Any]:
    base_extra = {"access_token": "1-token", "access_token_secret": "token-secret-value"}
    base_extra.update(extra)
    return {
        "conn_type": "twitter_ads",
        "login": "consumer-key",
        "password": "consumer-secret-value",
        "extra": base_extra,
    }


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(_conn(), monkeypatch)
    assert config.consumer_key == "consumer-key"
    assert config.consumer_secret == "consumer-secret-value"
    assert config.access_token == "1-token"
    assert config.account_id is None
    assert config.api_version == "12"
    assert config.ads_api_url == "https://ads-api.x.com"
    assert config.upload_api_url == "https://api.x.com"
    assert config.timeout == 60.0
    assert config.upload_api == "v2"
    assert config.ads_base == "https://ads-api.x.com/12"


def test_all_extras(monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(
        _conn(
            account_id=" 18ce54d4x5t ",
            api_version=11,
            ads_api_url="http://127.0.0.1:8080/",
            upload_api_url="http://127.0.0.1:8081",
            timeout="2.5",
            upload_api="v1.1",
        ),
        monkeypatch,
    )
    assert config.account_id == "18ce54d4x5t"
    assert config.api_version == "11"
    assert config.ads_base == "http://127.0.0.1:8080/11"
    assert config.upload_api_url == "http://127.0.0.1:8081"
    assert config.timeout == 2.5
    assert config.upload_api == "v1.1"


def test_empty_extras_fall_back_to_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(_conn(api_version="", timeout=None, ads_api_url=""), monkeypatch)
    assert (config.api_version, config.timeout, config.ads_api_url) == ("12", 60.0, "https://ads-api.x.com")


def test_airflow2_prefixed_extras(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = _conn()
    conn["extra"] = {
        "extra__twitter_ads__access_token": "1-token",
        "extra__twitter_ads__access_token_secret": "token-secret-value",
        "extra__twitter_ads__account_id": "abc12",
    }
    config = _config(conn, monkeypatch)
    assert (config.access_token, config.account_id) == ("1-token", "abc12")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"login": None}, "login \\(consumer key\\) is missing"),
        ({"password": ""}, "password \\(consumer secret\\) is missing"),
        ({"extra": {"access_token_secret": "token-secret-value"}}, "extra access_token is missing"),
        ({"extra": {"access_token": "1-token"}}, "extra access_token_secret is missing"),
        (
            {"extra": {"access_token": "1-token", "access_token_secret": 123}},
            "extra access_token_secret must be a string, got int",
        ),
        (
            {"extra": {"access_token": 4567, "access_token_secret": "token-secret-value"}},
            "extra access_token must be a string, got int",
        ),
    ],
)
def test_missing_credentials(change: dict[str, Any], message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = _conn()
    conn.update(change)
    with pytest.raises(ValueError, match=f"Connection 'twitter_ads_test': {message}"):
        _config(conn, monkeypatch)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"api_version": "v12"}, "api_version must be a positive integer like '12', got 'v12'"),
        ({"api_version": "0"}, "api_version must be a positive integer"),
        ({"api_version": "12.0"}, "api_version must be a positive integer"),
        ({"api_version": True}, "api_version must be a positive integer"),
        (
            {"ads_api_url": "ftp://ads-api.x.com"},
            "ads_api_url must be an http\\(s\\) URL, got 'ftp://ads-api.x.com'",
        ),
        ({"ads_api_url": "ads-api.x.com"}, "ads_api_url must be an http\\(s\\) URL"),
        (
            {"ads_api_url": "https://ads-api.x.com/12"},
            "ads_api_url must not end in an API version \\(it ends in /12\\); set api_version instead, "
            "e.g. ads_api_url 'https://ads-api.x.com' and api_version '12'",
        ),
        ({"ads_api_url": "https://ads-api.x.com/12/"}, "ads_api_url must not end in an API version"),
        ({"upload_api_url": "https://"}, "upload_api_url must be an http\\(s\\) URL"),
        ({"upload_api_url": "https://api.x.com/?a=1"}, "upload_api_url must be a base URL without a query"),
        ({"timeout": 0}, "timeout must be a positive number of seconds, got 0"),
        ({"timeout": "-1"}, "timeout must be a positive number of seconds"),
        ({"timeout": "soon"}, "timeout must be a positive number of seconds, got 'soon'"),
        ({"timeout": "nan"}, "timeout must be a positive number of seconds"),
        ({"upload_api": "v3"}, "upload_api must be 'v2' or 'v1.1', got 'v3'"),
        ({"account_id": "a/b"}, "account_id 'a/b' is not an account id"),
        ({"acess_token": "typo"}, "unknown extra field\\(s\\) acess_token"),
    ],
)
def test_invalid_extras(extra: dict[str, Any], message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=f"Connection 'twitter_ads_test': {message}"):
        _config(_conn(**extra), monkeypatch)


def test_url_with_credentials_is_refused_without_echoing_them(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="ads_api_url must not contain credentials") as info:
        _config(_conn(ads_api_url="https://user:hunter22@ads-api.x.com"), monkeypatch)
    assert "hunter22" not in str(info.value)
    with pytest.raises(ValueError, match="must be an http") as info:
        _config(_conn(ads_api_url="ftp://user:hunter22@ads-api.x.com"), monkeypatch)
    assert "hunter22" not in str(info.value)


def test_upload_api_aliases() -> None:
    config = AdsApiConnectionConfig("k", "s", "t", "ts", upload_api="1.1")
    assert config.upload_api == "v1.1"


def test_repr_hides_secrets_and_token() -> None:
    config = AdsApiConnectionConfig("key", "consumer-secret-value", "1-token", "token-secret-value")
    text = repr(config)
    assert "consumer_key='key'" in text
    for hidden in ("consumer-secret-value", "1-token", "token-secret-value"):
        assert hidden not in text


def test_from_connection_registers_secrets_with_the_masker(monkeypatch: pytest.MonkeyPatch) -> None:
    secret, token_secret = f"consumer-{uuid.uuid4().hex}", f"token-{uuid.uuid4().hex}"
    conn = _conn(access_token_secret=token_secret)
    conn["password"] = secret
    _config(conn, monkeypatch)
    assert redact(f"sig {secret} and {token_secret}") == "sig *** and ***"


def test_secrets_are_masked_even_when_validation_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = f"consumer-{uuid.uuid4().hex}"
    conn = _conn(api_version="bad")
    conn["password"] = secret
    with pytest.raises(ValueError, match="api_version"):
        _config(conn, monkeypatch)
    assert redact(secret) == "***"


def test_hook_does_not_read_the_connection_in_init(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_NOT_DEFINED_ANYWHERE", raising=False)
    hook = AdsApiHook(twitter_ads_conn_id="not_defined_anywhere")
    assert repr(hook) == "AdsApiHook(twitter_ads_conn_id='not_defined_anywhere')"
    with pytest.raises(Exception, match="not_defined_anywhere"):
        _ = hook.config


def test_json_form_reaches_the_emulator(
    twitter_ads_connection: str, ads_api_emulator: AdsApiEmulator
) -> None:
    hook = AdsApiHook(twitter_ads_connection)
    account = hook.request("GET", "accounts/{account_id}")["data"]
    assert account["id"] == ads_api_emulator.config.account_id
    assert hook.account_id == ads_api_emulator.config.account_id
    assert hook.api_version == 12


def test_uri_form_reaches_the_emulator(
    ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = ads_api_emulator.config
    query = "&".join(
        f"{name}={quote(str(value), safe='')}"
        for name, value in {
            "access_token": config.access_token,
            "access_token_secret": config.access_token_secret,
            "account_id": config.account_id,
            "api_version": "11",
            "ads_api_url": ads_api_emulator.url,
            "upload_api_url": ads_api_emulator.url,
            "timeout": "5",
        }.items()
    )
    uri = f"twitter-ads://{quote(config.consumer_key, safe='')}:{quote(config.consumer_secret, safe='')}@/?{query}"
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_DEFAULT", uri)
    hook = AdsApiHook()
    assert hook.config.timeout == 5.0
    assert hook.request("GET", "accounts/{account_id}")["data"]["id"] == config.account_id
    assert [r["path"] for r in ads_api_emulator.api_requests()] == [f"/11/accounts/{config.account_id}"]


# -- the connection form --------------------------------------------------------------------------


def _connection_type() -> dict[str, Any]:
    (entry,) = [c for c in get_provider_info()["connection-types"] if c["connection-type"] == "twitter_ads"]
    return entry


def test_hook_attributes_match_provider_info() -> None:
    entry = _connection_type()
    assert entry["hook-class-name"] == f"{AdsApiHook.__module__}.{AdsApiHook.__name__}"
    assert entry["hook-name"] == AdsApiHook.hook_name
    assert AdsApiHook.conn_type == "twitter_ads"
    assert AdsApiHook.conn_name_attr == "twitter_ads_conn_id"
    assert AdsApiHook.default_conn_name == "twitter_ads_default"


def test_ui_field_behaviour_matches_provider_info() -> None:
    behaviour = AdsApiHook.get_ui_field_behaviour()
    assert behaviour == _connection_type()["ui-field-behaviour"]
    assert behaviour["relabeling"] == {"login": "Consumer (API) key", "password": "Consumer (API) secret"}
    behaviour["hidden-fields"].append("changed")
    assert "changed" not in AdsApiHook.get_ui_field_behaviour()["hidden-fields"]


def test_every_declared_field_is_a_connection_extra() -> None:
    # Every form field must be an extra the config reads, or saving the form would break it.
    conn_fields = set(_connection_type()["conn-fields"])
    assert conn_fields <= {
        "access_token",
        "access_token_secret",
        "account_id",
        "api_version",
        "ads_api_url",
        "upload_api_url",
        "timeout",
        "upload_api",
    }


def _fake_module(name: str, **attrs: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


class _Field:
    def __init__(self, label: str, widget: object = None) -> None:
        self.label, self.widget = label, widget


class _PasswordField(_Field):
    pass


class _StringField(_Field):
    pass


def test_airflow2_form_widgets_follow_conn_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    # Airflow 2's web server supplies these modules; here they are stand-ins recording the calls.
    monkeypatch.setitem(
        sys.modules,
        "wtforms",
        _fake_module("wtforms", PasswordField=_PasswordField, StringField=_StringField),
    )
    monkeypatch.setitem(
        sys.modules, "flask_babel", _fake_module("flask_babel", lazy_gettext=lambda text: f"t:{text}")
    )
    monkeypatch.setitem(sys.modules, "flask_appbuilder", _fake_module("flask_appbuilder"))
    monkeypatch.setitem(
        sys.modules,
        "flask_appbuilder.fieldwidgets",
        _fake_module(
            "flask_appbuilder.fieldwidgets", BS3PasswordFieldWidget=object, BS3TextFieldWidget=object
        ),
    )
    widgets = AdsApiHook.get_connection_form_widgets()
    conn_fields = _connection_type()["conn-fields"]
    assert set(widgets) == set(conn_fields)
    assert isinstance(widgets["access_token_secret"], _PasswordField)
    assert isinstance(widgets["access_token"], _StringField)
    assert widgets["account_id"].label == "t:Default ads account id"


def test_form_widgets_without_the_fab_ui_are_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "wtforms", None)
    assert AdsApiHook.get_connection_form_widgets() == {}


@pytest.mark.parametrize("extra", ['["access_token"]', "not json", '"text"'])
def test_extra_that_is_not_a_json_object_is_a_clear_error(
    extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = f"consumer-{uuid.uuid4().hex}"
    conn = types.SimpleNamespace(conn_id="twitter_ads_test", login="key", password=secret, extra=extra)
    with pytest.raises(ValueError, match="'twitter_ads_test': extra must be a JSON object"):
        AdsApiConnectionConfig.from_connection(conn)
    assert redact(secret) == "***"


def test_the_access_token_and_other_extras_are_not_handed_to_the_masker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handed: list[Any] = []
    monkeypatch.setattr(connection_module, "mask_secret", handed.append)
    extra = {"access_token": "1-token", "access_token_secret": "token-secret-value", "api_version": "12"}
    conn = types.SimpleNamespace(
        conn_id="c", login="key", password="consumer-secret-value", extra=json.dumps(extra)
    )
    config = AdsApiConnectionConfig.from_connection(conn)
    assert handed == ["consumer-secret-value", "token-secret-value"]
    assert (config.access_token, config.api_version) == ("1-token", "12")


def test_the_connection_form_stores_no_short_strings() -> None:
    fields = _connection_type()["conn-fields"]
    assert fields["api_version"]["schema"] == {"type": ["integer", "null"], "default": 12}
    assert "default" not in fields["upload_api"]["schema"]
