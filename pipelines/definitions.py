"""The Dagster code location: only merges the layers' defs with the root resources and executor."""

from __future__ import annotations

import dagster as dg

from pipelines.defs import audit, core, marts, ocr, raw, review
from pipelines.executors import executor_from_env
from pipelines.resources import LakeResource, lake_resource_from_env

LAYERS = (raw, ocr, core, marts, audit, review)
"""Each layer package exports `defs`; a new layer (or concern) is one more entry here."""


def build_defs(lake: LakeResource) -> dg.Definitions:
    return dg.Definitions.merge(
        *(layer.defs for layer in LAYERS),
        dg.Definitions(resources={"lake": lake}, executor=executor_from_env()),
    )


defs = build_defs(lake_resource_from_env())
