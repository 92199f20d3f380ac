"""A shipped form's ``version`` is raised with every change to its content.

The version decides which definition a laptop uses (a coordinator's publication is in force only
while its version is higher than the shipped one's) and is stored with every visit: a form
changed under the same version (a label fixed, say) would read one way on an updated laptop and
another way on the rest, and a visit's version would no longer say which wording it was
recorded with. So each shipped form's content has a fingerprint per version, recorded in
``shipped_form_fingerprints.json``: a change under a recorded version fails here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from desktop_app.paths import resource

RECORDED = Path(__file__).with_name("shipped_form_fingerprints.json")


def fingerprint(data: Any) -> str:
    """The SHA-256 of a definition's canonical JSON: keys sorted, no whitespace, comments and
    YAML layout left out (they change nothing a laptop reads)."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def problems(name: str, data: dict[str, Any], recorded: dict[str, dict[str, str]]) -> list[str]:
    """What is wrong with the shipped form ``data`` (from ``name``) against the fingerprints
    ``recorded`` (form id -> version -> fingerprint); empty when nothing is."""
    form_id, version, found = str(data["id"]), int(data["version"]), fingerprint(data)
    versions = recorded.get(form_id, {})
    record = f'record it in {RECORDED.name}: "{form_id}": {{"{version}": "{found}"}}'
    if str(version) not in versions:
        newest = max(map(int, versions), default=0)
        if version < newest:
            return [f"{name}: version {version} is lower than the recorded {newest}"]
        return [f"{name}: version {version} has no fingerprint yet; {record}"]
    if versions[str(version)] != found:
        return [
            f"{name} changed but its version is still {version}: raise `version` to "
            f"{max(map(int, versions)) + 1} (the consent form's `text_version` too if a "
            f"consent text changed, see resources/forms/README.md) and record the new "
            f'fingerprint in {RECORDED.name}: "{form_id}": {{"{version + 1}": "<printed by '
            f'this test then>"}}; keep the fingerprints of earlier versions'
        ]
    return []


def _shipped() -> dict[str, dict[str, Any]]:
    return {
        path.name: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(resource("forms").glob("*.yaml"))
    }


def test_every_shipped_form_changed_only_with_a_new_version() -> None:
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    found = [p for name, data in _shipped().items() for p in problems(name, data, recorded)]
    assert found == [], "\n".join(found)
    assert set(recorded) == {data["id"] for data in _shipped().values()}, "a form not shipped"


def test_a_label_fixed_under_the_same_version_is_caught() -> None:
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    data = _shipped()["consent.yaml"]
    data["title"] = {**data["title"], "de": data["title"]["de"] + " (korrigiert)"}
    [problem] = problems("consent.yaml", data, recorded)
    assert "consent.yaml changed but its version is still 3: raise `version` to 4" in problem
    data["version"] = 4
    [problem] = problems("consent.yaml", data, recorded)
    assert problem.startswith("consent.yaml: version 4 has no fingerprint yet; record it in")
    assert f'"consent": {{"4": "{fingerprint(data)}"}}' in problem
    # Layout and comments are not content.
    text = (resource("forms") / "consent.yaml").read_text(encoding="utf-8")
    reformatted = yaml.safe_dump(yaml.safe_load(text), allow_unicode=True, width=60)
    assert problems("consent.yaml", yaml.safe_load(reformatted), recorded) == []
