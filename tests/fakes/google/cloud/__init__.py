"""Fake google.cloud namespace (tests/fakes): see fakeclients.py."""
