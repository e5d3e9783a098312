"""Fake google namespace (tests/fakes): see fakeclients.py."""
