"""Envelope encryption: master key (key provider) -> workspace keys -> one data key per contact."""
