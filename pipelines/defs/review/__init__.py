"""Review layer: the review queue and pages, and corrections re-curating their agency-years."""

import dagster as dg

from .assets import REVIEW_ASSETS, REVIEW_JOBS
from .sensors import REVIEW_SENSORS

defs = dg.Definitions(assets=REVIEW_ASSETS, jobs=REVIEW_JOBS, sensors=REVIEW_SENSORS)
