"""Slack mrkdwn as HTML, for the sandbox Slack page: what the approver would see in Slack, safely.

Covers what our messages use and a little more: `<url|text>` links (and `<@user>`, `<#channel|name>`,
`<!here>`), `*bold*`, `_italic_`, `~strike~`, `` `code` `` and newlines. Slack's own escapes (`&amp;`,
`&lt;`, `&gt;`) are read back first; everything else is HTML-escaped before any tag is added, so a callee's
words or a rationale can never inject markup.
"""

from __future__ import annotations

import html
import re

_ANGLE = re.compile(r"<([^<>|\s]+)(?:\|([^<>]*))?>")
_CODE = re.compile(r"`([^`\n]+)`")
# Slack formats only when the marker hugs the words and stands apart from the text around it.
_STYLES = ((re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), "strong"),
           (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), "em"),
           (re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"), "del"))
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def mrkdwn_to_html(text: str) -> str:
    parts, position = [], 0
    for found in _ANGLE.finditer(text):
        parts.append(_formatted(text[position:found.start()]))
        parts.append(_angle(found.group(1), found.group(2)))
        position = found.end()
    parts.append(_formatted(text[position:]))
    return "".join(parts)


def _angle(target: str, label: str | None) -> str:
    if target.startswith(_SAFE_SCHEMES):
        shown = _unslack(label) if label else target
        return f'<a href="{html.escape(target, quote=True)}" rel="noopener noreferrer">{html.escape(shown)}</a>'
    if target.startswith("@"):
        return f"<b>@{html.escape(_unslack(label) if label else target[1:])}</b>"
    if target.startswith("#"):
        return f"<b>#{html.escape(_unslack(label) if label else target[1:])}</b>"
    if target.startswith("!"):
        return f"<b>@{html.escape(target[1:])}</b>"
    return html.escape(f"<{target}{'|' + label if label is not None else ''}>")


def _formatted(text: str) -> str:
    """Escape, then style; code spans are left unstyled, as Slack does."""
    pieces, position = [], 0
    for found in _CODE.finditer(text):
        pieces.append(_styled(html.escape(_unslack(text[position:found.start()]))))
        pieces.append(f"<code>{html.escape(_unslack(found.group(1)))}</code>")
        position = found.end()
    pieces.append(_styled(html.escape(_unslack(text[position:]))))
    return "".join(pieces)


def _styled(escaped: str) -> str:
    for pattern, tag in _STYLES:
        escaped = pattern.sub(rf"<{tag}>\1</{tag}>", escaped)
    return escaped.replace("\n", "<br>")


def _unslack(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
