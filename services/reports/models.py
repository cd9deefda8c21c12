"""Which models the report page offers: ``"offline"`` (the offline narrator) always, and, when
the composition root hands in a Bedrock model, the configured ``bedrock_model_id`` and every
model with a configured price, as ``"bedrock:<id>"``; and the model id each choice sends.
"""

from __future__ import annotations

from services.domain.reports import OFFLINE_MODEL_ID
from services.i18n import translate
from services.ports import LLM
from services.reports.narrator.offline import OfflineNarrator
from services.settings import Settings

OFFLINE = "offline"
BEDROCK_PREFIX = "bedrock:"


def model_id_of(model: str) -> str:
    """The id sent to the model for a model choice."""
    if model == OFFLINE:
        return OFFLINE_MODEL_ID
    return model.removeprefix(BEDROCK_PREFIX)


def model_words(model: str, lang: str) -> str:
    """A model choice or a report's model id as the report page and its PDF name it."""
    if model in (OFFLINE, OFFLINE_MODEL_ID):
        return translate(lang, "reports.model_offline")
    return translate(lang, "reports.model_bedrock", model=model.removeprefix(BEDROCK_PREFIX))


def bedrock_model_ids(settings: Settings) -> list[str]:
    ids = [settings.bedrock_model_id, *sorted(settings.model_prices)]
    return list(dict.fromkeys(i for i in ids if i.strip()))


def model_offer(settings: Settings, bedrock: LLM | None) -> dict[str, LLM]:
    models: dict[str, LLM] = {OFFLINE: OfflineNarrator()}
    if bedrock is not None:
        for model_id in bedrock_model_ids(settings):
            models[BEDROCK_PREFIX + model_id] = bedrock
    return models
