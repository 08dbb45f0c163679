"""Settings for the browser-test server: the real settings, plus the project static directory.

Until alveole/settings.py lists alveole/static in STATICFILES_DIRS (see the web UI
report), the stylesheet and scripts under alveole/static/alveole/ are not found by
WhiteNoise. This shim adds the directory only when it is missing, so the tests
exercise the real settings once they are fixed; alveole/core/tests/test_views.py
has a plain test that fails while the setting is missing.
"""

from alveole.settings import *  # noqa: F403
from alveole.settings import BASE_DIR

_PROJECT_STATIC = BASE_DIR / "alveole" / "static"
STATICFILES_DIRS = list(globals().get("STATICFILES_DIRS", []))
if _PROJECT_STATIC not in [p if not isinstance(p, tuple) else p[1] for p in STATICFILES_DIRS]:
    STATICFILES_DIRS.append(_PROJECT_STATIC)
