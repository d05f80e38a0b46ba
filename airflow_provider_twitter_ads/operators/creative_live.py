"""One task that sends the creative-live Asset events of many mapped attach or promote tasks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_provider_twitter_ads.compat import AssetAlias, BaseOperator, Context
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.lineage import creative_live_events, x_ads_namespace
from airflow_provider_twitter_ads.operators.base import report_creatives_live


class ReportCreativesLiveOperator(BaseOperator):
    """Send, from one task, the creative-live events that mapped attach or promote tasks would each send.

    Airflow creates the Asset behind an alias event when its first event arrives. Mapped tasks
    that send the first event for the same new Asset at the same moment race to create it, and
    the api-server fails the loser without a retry. So when many mapped tasks attach to (or
    promote on) the same line items, give the Asset alias to this task, downstream of them,
    instead. It sends the same events (``lineage.creative_live_events``) and calls no Ads API.

    :param results: what the attach or promote tasks returned: their ``.output``, a result dict,
        or lists of them.
    :param twitter_ads_conn_id: the ``twitter_ads`` connection; its ``ads_api_url`` names the
        host in the Asset URIs. It is read, never called.
    :return: each event's extra, in the order sent.
    """

    template_fields: Sequence[str] = ("results",)
    ui_color = "#cde4f7"

    def __init__(
        self, *, results: Any, twitter_ads_conn_id: str = AdsApiHook.default_conn_name, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if not self.outlets or not all(isinstance(outlet, AssetAlias) for outlet in self.outlets):
            raise ValueError(
                "ReportCreativesLiveOperator sends events through Asset aliases only: give "
                f"outlets=[creative_live_alias()], got {self.outlets!r}"
            )
        self.results = results
        self.twitter_ads_conn_id = twitter_ads_conn_id

    def execute(self, context: Context) -> list[dict[str, Any]]:
        events = creative_live_events(self.results)
        hook = AdsApiHook(twitter_ads_conn_id=self.twitter_ads_conn_id)
        report_creatives_live(context, self.outlets, x_ads_namespace(hook.config.ads_api_url), events)
        for event in events:
            self.log.info("Creatives live on line item %s: %s", event.line_item_id, dict(event.extra))
        return [dict(event.extra) for event in events]
