"""Plain-text tables that stay aligned with Chinese characters (two columns wide each)."""

from __future__ import annotations

import textwrap

from wcwidth import wcswidth


def width(text: str) -> int:
    w = wcswidth(text)
    return w if w >= 0 else len(text)


def pad(text: str, target: int) -> str:
    return text + " " * max(0, target - width(text))


def wrap(text: str, columns: int) -> list[str]:
    """Wraps by display width; Chinese has no spaces, so wrap character by character."""
    lines, line = [], ""
    for char in text:
        if width(line + char) > columns:
            lines.append(line)
            line = ""
        line += char
    return lines + [line] if line or not lines else lines


def render(headers: list[str], rows: list[list[str]], max_widths: list[int] | None = None) -> str:
    """A table with a header rule; cells wrap to ``max_widths`` display columns."""
    max_widths = max_widths or [40] * len(headers)
    wrapped = [[wrap(str(c), m) for c, m in zip(row, max_widths)] for row in rows]
    widths = [width(h) for h in headers]
    for row in wrapped:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], *(width(line) for line in cell))
    out = [
        "  ".join(pad(h, widths[i]) for i, h in enumerate(headers)).rstrip(),
        "  ".join("─" * w for w in widths),
    ]
    for row in wrapped:
        for n in range(max(len(cell) for cell in row)):
            out.append(
                "  ".join(
                    pad(cell[n] if n < len(cell) else "", widths[i]) for i, cell in enumerate(row)
                ).rstrip()
            )
    return "\n".join(out)


def indent(text: str, prefix: str = "  ") -> str:
    return textwrap.indent(text, prefix)
