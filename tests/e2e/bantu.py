"""Helpers the browser tests share."""

from __future__ import annotations


def klik_menu(page, label: str) -> None:
    """Follow a main-menu entry as a person would: open its group first when it is in one."""
    link = page.locator("nav.mainnav").get_by_role(
        "link", name=label, exact=True, include_hidden=True
    )
    link.wait_for(state="attached")
    if link.evaluate("a => !!a.closest('details') && !a.closest('details').open"):
        link.locator("xpath=ancestor::details[1]/summary").click()
    link.click()
