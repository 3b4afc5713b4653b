"""Payer profiles: layered, validated data in policies/ (one JSON file per profile).

A profile may extend another, select or ignore rules, change severities and set parameters; each
parameter cites its source. Loading validates everything: unknown keys, wrong types, missing sources
and unknown rule ids are PolicyErrors naming the file and the key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import PolicyError
from .resources import data_dir, load_json

PARAMETERS: dict[str, tuple[type | tuple, bool]] = {
    # name: (accepted types, nullable)
    "min_duration_days": (int, True),
    "conservative_failure_required": (bool, False),
    "palpation_kinds_required": (int, False),
    "min_interval_days": (int, False),
    "extended_interval": (dict, True),
    "max_sessions_365": (int, True),
    "repeat_min_relief_percent": (int, True),
    "repeat_min_relief_days": (int, True),
    "pain_scores_required": (bool, False),
    "imaging_covered": (bool, False),
    "injectates_not_covered": (list, False),
    "covered_diagnoses": (list, True),
}
INJECTATE_CLASSES = {"botulinum_toxin", "saline_only", "dextrose", "botanical", "biologic", "corticosteroid", "nsaid",
                     "local_anesthetic"}
TOP_KEYS = {"name", "description", "aliases", "parameters", "rules", "extends"}
SEVERITIES = {"hold", "review", "info"}


@dataclass
class Profile:
    name: str
    description: str
    aliases: list[str]
    params: dict[str, Any]
    sources: dict[str, str]
    selected: set[str]
    severity: dict[str, str] = field(default_factory=dict)
    path: str = ""

    def __getattr__(self, item):  # profile.min_interval_days etc.
        params = self.__dict__.get("params", {})
        if item in params:
            return params[item]
        raise AttributeError(item)

    def enabled(self, rule_id: str) -> bool:
        return rule_id in self.selected

    def severity_of(self, rule_id: str, default: str) -> str:
        return self.severity.get(rule_id, default)


def _validate(raw: dict, path: Path, rule_ids: set[str]) -> None:
    where = path.name
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: a profile is a JSON object")
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {sorted(unknown)}")
    for k in ("name", "parameters"):
        if k not in raw:
            raise PolicyError(f"{where}: missing key '{k}'")
    if raw["name"] != path.stem:
        raise PolicyError(f"{where}: 'name' must match the file name ({path.stem!r})")
    if not isinstance(raw.get("aliases", []), list):
        raise PolicyError(f"{where}: 'aliases' must be a list of strings")
    params = raw["parameters"]
    if not isinstance(params, dict):
        raise PolicyError(f"{where}: 'parameters' must be an object")
    for name, spec in params.items():
        key = f"{where}: parameters.{name}"
        if name not in PARAMETERS:
            raise PolicyError(f"{key}: unknown parameter (known: {', '.join(sorted(PARAMETERS))})")
        if not isinstance(spec, dict) or set(spec) - {"value", "source"}:
            raise PolicyError(f"{key}: expected {{\"value\": ..., \"source\": ...}}")
        if not isinstance(spec.get("source"), str) or not spec["source"].strip():
            raise PolicyError(f"{key}: every parameter needs a 'source' citation")
        if "value" not in spec:
            raise PolicyError(f"{key}: missing 'value'")
        types, nullable = PARAMETERS[name]
        v = spec["value"]
        if v is None:
            if not nullable:
                raise PolicyError(f"{key}: may not be null")
        elif not isinstance(v, types) or (types is int and isinstance(v, bool)):
            raise PolicyError(f"{key}: expected {getattr(types, '__name__', types)}, got {type(v).__name__}")
        if name == "injectates_not_covered" and v:
            bad = set(v) - INJECTATE_CLASSES
            if bad:
                raise PolicyError(f"{key}: unknown injectate class(es) {sorted(bad)}")
        if name == "extended_interval" and v is not None:
            if set(v) != {"after_sessions", "days"} or not all(isinstance(x, int) for x in v.values()):
                raise PolicyError(f"{key}: expected {{\"after_sessions\": int, \"days\": int}}")
    rules = raw.get("rules", {})
    if not isinstance(rules, dict) or set(rules) - {"select", "ignore", "severity"}:
        raise PolicyError(f"{where}: 'rules' takes only select, ignore and severity")
    for k in ("select", "ignore"):
        for r in rules.get(k, []):
            if r != "ALL" and not any(rid == r or rid.startswith(r) for rid in rule_ids):
                raise PolicyError(f"{where}: rules.{k} names unknown rule {r!r}")
    for r, sev in rules.get("severity", {}).items():
        if r not in rule_ids:
            raise PolicyError(f"{where}: rules.severity names unknown rule {r!r}")
        if sev not in SEVERITIES:
            raise PolicyError(f"{where}: rules.severity.{r} must be one of {sorted(SEVERITIES)}")


class ProfileSet:
    """All profiles of a policies directory, resolved (extends applied) and indexed by alias."""

    def __init__(self, directory: str | Path | None = None, extra_dir: str | Path | None = None):
        from .rules import RULES

        rule_ids = set(RULES)
        dirs = [Path(directory) if directory else data_dir("policies")]
        if extra_dir:
            dirs.append(Path(extra_dir))
        raw: dict[str, tuple[dict, Path]] = {}
        for d in dirs:
            if not d.is_dir():
                raise PolicyError(f"{d}: policies directory not found")
            for path in sorted(d.glob("*.json")):
                if path.name in ("queries.json", "fees.json"):  # data files beside the profiles
                    continue
                try:
                    data = load_json(path)
                except ValueError as e:
                    raise PolicyError(str(e)) from None
                _validate(data, path, rule_ids)
                raw[data["name"]] = (data, path)
        if "default" not in raw:
            raise PolicyError("no 'default' profile found")
        self.profiles: dict[str, Profile] = {}
        for name in raw:
            self.profiles[name] = self._resolve(name, raw, rule_ids, [])
        self.aliases: dict[str, str] = {}
        for p in self.profiles.values():
            self.aliases[p.name.lower()] = p.name
            for a in p.aliases:
                self.aliases[a.lower().strip()] = p.name

    def _resolve(self, name: str, raw: dict, rule_ids: set[str], chain: list[str]) -> Profile:
        if name in chain:
            raise PolicyError(f"{name}.json: 'extends' forms a cycle ({' -> '.join(chain + [name])})")
        data, path = raw[name]
        parent = None
        if data.get("extends"):
            if data["extends"] not in raw:
                raise PolicyError(f"{path.name}: extends unknown profile {data['extends']!r}")
            parent = self._resolve(data["extends"], raw, rule_ids, chain + [name])
        params = dict(parent.params) if parent else {}
        sources = dict(parent.sources) if parent else {}
        for k, spec in data["parameters"].items():
            params[k] = spec["value"]
            sources[k] = spec["source"]
        missing = set(PARAMETERS) - set(params)
        if missing:
            raise PolicyError(f"{path.name}: parameters {sorted(missing)} are not set (here or in an extended profile)")
        rules = data.get("rules", {})
        select = rules.get("select", ["ALL"] if parent is None else None)
        selected = set(parent.selected) if parent and select is None else set()
        for s in select or []:
            selected |= rule_ids if s == "ALL" else {r for r in rule_ids if r == s or r.startswith(s)}
        for s in rules.get("ignore", []):
            selected -= {r for r in rule_ids if r == s or r.startswith(s)}
        severity = dict(parent.severity) if parent else {}
        severity.update(rules.get("severity", {}))
        return Profile(name, data.get("description", ""), data.get("aliases", []), params, sources, selected,
                       severity, str(path))

    def for_payer(self, payer: str | None) -> Profile:
        if payer:
            key = str(payer).lower().strip()
            if key in self.aliases:
                return self.profiles[self.aliases[key]]
            # "Noridian Healthcare Solutions JF" -> noridian; first word or a known alias prefix
            for alias, name in sorted(self.aliases.items(), key=lambda kv: -len(kv[0])):
                if key.startswith(alias + " ") or key.startswith(alias + ","):
                    return self.profiles[name]
        return self.profiles["default"]

    def get(self, name: str) -> Profile:
        if name not in self.profiles:
            raise PolicyError(f"unknown payer profile {name!r} (known: {', '.join(sorted(self.profiles))})")
        return self.profiles[name]
