"""Airflow 3 (``airflow.sdk``) imports first, with Airflow 2.10 fallbacks."""

from __future__ import annotations

try:
    from airflow.sdk import BaseHook, BaseOperator, BaseSensorOperator, Context, PokeReturnValue
except ImportError:  # Airflow 2.10
    from airflow.hooks.base import BaseHook  # type: ignore[no-redef]
    from airflow.models import BaseOperator  # type: ignore[no-redef]
    from airflow.sensors.base import BaseSensorOperator, PokeReturnValue  # type: ignore[no-redef]
    from airflow.utils.context import Context  # type: ignore[no-redef]

try:
    from airflow.sdk import Asset, AssetAlias
except ImportError:  # Airflow 2.10
    from airflow.datasets import Dataset as Asset  # type: ignore[no-redef]
    from airflow.datasets import DatasetAlias as AssetAlias  # type: ignore[no-redef]

try:
    from airflow.sdk.exceptions import AirflowException
except ImportError:  # Airflow 2.10
    from airflow.exceptions import AirflowException  # type: ignore[no-redef]

try:
    from airflow.sdk.log import mask_secret
except ImportError:  # Airflow 2.10
    from airflow.utils.log.secrets_masker import mask_secret  # type: ignore[no-redef]

try:
    from airflow.triggers.base import BaseTrigger, TriggerEvent
except ImportError:  # pragma: no cover - moved in a future Airflow
    from airflow.sdk.bases.trigger import BaseTrigger, TriggerEvent  # type: ignore[no-redef]

from airflow.configuration import conf

__all__ = [
    "AirflowException",
    "Asset",
    "AssetAlias",
    "BaseHook",
    "BaseOperator",
    "BaseSensorOperator",
    "BaseTrigger",
    "Context",
    "PokeReturnValue",
    "TriggerEvent",
    "conf",
    "mask_secret",
]
