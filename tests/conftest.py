"""Shared pytest setup: hypothesis profiles.

CI (CI=true) runs the property tests with at least 5,000 examples each;
local runs default to fewer. PYRER_HYPOTHESIS_PROFILE overrides the choice.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=False,
)
settings.register_profile("dev", max_examples=500, deadline=None)
settings.load_profile(
    os.environ.get("PYRER_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") == "true" else "dev")
)
