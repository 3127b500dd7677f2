"""The domain model: who holds which position in which debate, on what evidence."""

from .actors import Actor, Membership
from .alerts import Reader, Subscription
from .coverage import CoverageItem, Feed, Outlet
from .debates import Debate, Proposal
from .flags import Flag
from .positions import Evidence, Position
from .releases import DataRelease
from .relevance import RelevanceModel
from .system import ChangeStamp, DebateFollow, DigestState, Heartbeat

__all__ = [
    "Actor",
    "ChangeStamp",
    "CoverageItem",
    "DataRelease",
    "Debate",
    "DebateFollow",
    "DigestState",
    "Evidence",
    "Feed",
    "Flag",
    "Heartbeat",
    "Membership",
    "Outlet",
    "Position",
    "Proposal",
    "Reader",
    "RelevanceModel",
    "Subscription",
]
