"""The upgrade's risks other than container restarts (:func:`preflight`)."""

from kubehash.upgrade.preflight.checks import preflight
from kubehash.upgrade.preflight.report import CHECKS, SEVERITIES, Behaviour, Finding, PreflightReport, behaviour_for

__all__ = ["CHECKS", "SEVERITIES", "Behaviour", "Finding", "PreflightReport", "behaviour_for", "preflight"]
