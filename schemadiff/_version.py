"""The version of schemadiff (one place, read by the package and its cache keys)."""

__version__ = "0.1.0"
