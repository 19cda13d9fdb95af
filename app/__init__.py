"""HallDesk: the desktop software of a customer-service hall."""

__version__ = "0.1.0"
