"""`cog.exceptions.CancelationException`: the second name Cog's documentation gives it (`cog.CancelationException`
is the first)."""

from cog.types import CancelationException

__all__ = ["CancelationException"]
