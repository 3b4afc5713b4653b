"""Generate the rule catalogue (docs/rules.md) from the rule classes and the payer profiles."""
from __future__ import annotations

from .profiles import ProfileSet
from .rules import RULES


def rule_page(rule_id: str, profiles: ProfileSet | None = None) -> str:
    cls = RULES[rule_id]
    profiles = profiles or ProfileSet()
    sec = cls.doc_sections()
    lines = [f"## `{rule_id}`", "", f"**{sec['Summary']}**", "",
             f"- Category: `{cls.category}`", f"- Default severity: `{cls.severity}`",
             f"- Needs claim lines: {'yes' if cls.needs_claim else 'no'}", ""]
    for title in ("What it checks", "Why payers deny", "Insufficient note", "Sufficient note"):
        lines += [f"**{title}.** {sec.get(title, '')}", ""]
    lines.append("**Per profile.**")
    lines.append("")
    for name, p in sorted(profiles.profiles.items()):
        state = "on" if p.enabled(rule_id) else "off"
        params = ", ".join(f"{k}={p.params[k]!r}" for k in cls.parameters) or "no parameters"
        lines.append(f"- `{name}`: {state}, severity `{p.severity_of(rule_id, cls.severity)}`; {params}")
        for k in cls.parameters:
            lines.append(f"  - {k}: {p.sources[k]}")
    lines += ["", f"**References.** {sec.get('References', '')}", ""]
    return "\n".join(lines)


def catalogue_markdown() -> str:
    profiles = ProfileSet()
    head = ["# docgap rule catalogue", "",
            "Generated from the rule classes and policies/ by `python -m docgap.docs > docs/rules.md`; "
            "a test fails when this file is stale.", "",
            "| rule | category | severity |", "|---|---|---|"]
    head += [f"| [`{r}`](#{r}) | {c.category} | {c.severity} |" for r, c in RULES.items()]
    return "\n".join(head + [""] + [rule_page(r, profiles) for r in RULES])


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
