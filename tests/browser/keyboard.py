"""Moving through a page the way a keyboard user does: Tab and Shift+Tab to reach a control,
Enter or Space to use it, arrow keys inside a group of radios; and a check that the control
with the focus can be seen."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

# What makes the focus visible: GOV.UK Frontend draws a yellow outline or box shadow on the
# focused element; for radios and checkboxes (the input itself is transparent) on the ::before
# of the label that follows it. A transparent outline (GOV.UK's, for Windows high contrast mode)
# does not count.
FOCUS_STYLE = r"""element => {
    const clear = colour => colour === 'transparent' || /rgba\(.*,\s*0\)$/.test(colour)
    const shown = style => (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
            && !clear(style.outlineColor))
        || (style.boxShadow && style.boxShadow !== 'none')
    const box = element.matches('.govuk-radios__input, .govuk-checkboxes__input')
        ? getComputedStyle(element.nextElementSibling, '::before')
        : getComputedStyle(element)
    return {
        focused: element === document.activeElement,
        visible: shown(box),
        outline: `${box.outlineStyle} ${box.outlineWidth} ${box.outlineColor}`,
        shadow: box.boxShadow,
    }
}"""


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def focused_text(page: Page) -> str:
    """A short description of the element with the focus, for failure messages."""
    return page.evaluate(
        """() => { const e = document.activeElement
            return e ? `${e.tagName} ${e.id || ''} ${(e.textContent || '').trim().slice(0, 60)}`
                     : 'nothing' }"""
    )


def tab_to(page: Page, locator: Locator, limit: int = 60, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab when `backwards`) until the locator has the focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if is_focused(locator):
            return
    raise AssertionError(
        f"{limit} presses of {key} never reached {locator}; the focus is on {focused_text(page)}"
    )


def assert_focus_visible(locator: Locator) -> None:
    """The locator has the focus and a focus style someone can see."""
    state = locator.evaluate(FOCUS_STYLE)
    assert state["focused"], f"{locator} does not have the focus"
    assert state["visible"], f"no visible focus on {locator}: {state}"


def activate(page: Page, locator: Locator, key: str = "Enter", limit: int = 60) -> None:
    """Tab to a link or button, check its focus shows, then press Enter (or Space)."""
    tab_to(page, locator, limit)
    assert_focus_visible(locator)
    page.keyboard.press(key)


def arrow_to(page: Page, radio: Locator, key: str = "ArrowDown", limit: int = 20) -> None:
    """Inside a group of radios that has the focus: arrow keys until `radio` is chosen."""
    for _ in range(limit):
        if is_focused(radio) and radio.is_checked():
            return
        page.keyboard.press(key)
    raise AssertionError(f"{limit} presses of {key} never chose {radio}")


def type_into(page: Page, field: Locator, text: str, limit: int = 60) -> None:
    """Tab to a text box and type into it."""
    tab_to(page, field, limit)
    assert_focus_visible(field)
    page.keyboard.type(text)
