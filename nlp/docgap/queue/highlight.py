"""The note as HTML with evidence spans highlighted. Every piece of note text is escaped on its own,
segment by segment between span offsets; only the <mark>/<a> tags around them are ours."""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from .models import SEVERITY_RANK


@dataclass
class Span:
    start: int
    end: int
    finding_id: int
    severity: str
    rule: str


def highlight(text: str, spans: list[Span]) -> Markup:
    n = len(text)
    good = [sp for sp in spans if isinstance(sp.start, int) and isinstance(sp.end, int) and 0 <= sp.start < sp.end <= n]
    cuts = sorted({0, n, *(sp.start for sp in good), *(sp.end for sp in good)})
    out: list[str] = []
    first_mark: set[int] = set()
    for a, b in zip(cuts, cuts[1:]):
        seg = escape(text[a:b])
        covering = [sp for sp in good if sp.start <= a and b <= sp.end]
        if not covering:
            out.append(seg)
            continue
        worst = min(covering, key=lambda sp: SEVERITY_RANK.get(sp.severity, 9))
        ids = sorted({sp.finding_id for sp in covering})
        anchor = ""
        if worst.finding_id not in first_mark:  # the finding's "show in note" link jumps here
            first_mark.add(worst.finding_id)
            anchor = f' id="ev-{worst.finding_id}"'
        title = escape(", ".join(sorted({sp.rule for sp in covering})))
        out.append(Markup(f'<mark class="ev sev-{escape(worst.severity)}"{anchor} data-findings="{" ".join(map(str, ids))}"'
                          f' title="{title}"><a href="#finding-{worst.finding_id}">') + seg + Markup("</a></mark>"))
    return Markup("").join(out)
