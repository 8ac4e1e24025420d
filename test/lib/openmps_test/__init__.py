"""Fixtures for OpenMPS tests that run real components on loopback."""
