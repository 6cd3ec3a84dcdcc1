"""Corrections: every correction of places and actors, newest first, with undo."""
from __future__ import annotations

import dashboard_fix
import dashboard_ui as ui

ui.require_router()
dashboard_fix.corrections_page()
