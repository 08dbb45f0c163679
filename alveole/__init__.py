"""Alvéole: a self-hosted social collaboration platform."""

__version__ = "0.1.0"
