"""The rule catalogue. Importing this package registers every rule in RULES (id -> class)."""
from . import coding, documentation, frequency, necessity  # noqa: F401  (registration)
from .base import RULES, ClaimLine, Finding, Rule, RuleContext, Session, run_rules

__all__ = ["RULES", "ClaimLine", "Finding", "Rule", "RuleContext", "Session", "run_rules"]
