"""Browser journeys: the real Chromium from Debian driven by Playwright against live_server.

Their fixtures (e2e_org, login, shot) are in tests/conftest.py, shared with the browser tests
of the other folders.
"""
