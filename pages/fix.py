"""Correct a place: one mention's candidates, a gazetteer search, a point, "not a place"."""
from __future__ import annotations

import dashboard_fix
import dashboard_ui as ui

ui.require_router()
dashboard_fix.fix_page()
