"""FaultMaven domain core: shared by every function and shipped as the core Lambda layer."""

__version__ = "0.1.0"
