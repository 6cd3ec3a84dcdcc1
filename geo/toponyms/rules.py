"""Why a mention got its place: a typed rule, stored as readable text, told in words.

A :class:`Rule` is a :class:`RuleCode` plus a parameter: the deciding piece of
evidence (``EVIDENCE`` + ``"population"``), the town a street is in (``STREET_IN`` +
``"Miami Beach"``), the known place a name is part of or near (``PART_OF`` + ``"Dallas"``,
with the rule that chose that place as ``because``). ``same_name`` says the reading came
from the same name's best-evidenced mention elsewhere in the article.

The store keeps ``str(rule)``: exactly the text the resolver always wrote ("X, Y",
"street in Miami Beach", "part of Dallas (population)", "nearby (same name in
document)"), so stores written before read the same and need no migration;
:meth:`Rule.parse` reads it back. :func:`describe` is the one place that puts a rule
into words (popups, place page, Fix page, exports, ``geo eval --errors``).
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class RuleCode(enum.Enum):
    EVIDENCE = "evidence"  # param: a geo.toponyms.features.FeatureCode value
    ONLY_CANDIDATE = "only candidate"
    NO_CANDIDATE = "no candidate"
    DEMONYM = "demonym"
    STREET_IN = "street in"  # param: the town
    NO_TOWN = "no town named before it"
    PART_OF = "part of"  # param: the known place; because: the rule that chose it
    NEAR = "near"  # param: the known place; because: the rule that chose it
    CORRECTED = "corrected"  # a user's correction (geo.corrections_places)


_SAME_NAME = " (same name in document)"
# the codes whose text is the code alone
_BARE = {c.value: c for c in (RuleCode.ONLY_CANDIDATE, RuleCode.NO_CANDIDATE,
                              RuleCode.DEMONYM, RuleCode.NO_TOWN, RuleCode.CORRECTED)}
_RELATION = re.compile(r"^(part of|near) (.+?)(?: \((.*)\))?$")


@dataclass(frozen=True)
class Rule:
    code: RuleCode
    param: str = ""
    because: Rule | None = None
    same_name: bool = False

    @classmethod
    def evidence(cls, feature: enum.Enum | str) -> Rule:
        return cls(RuleCode.EVIDENCE, getattr(feature, "value", feature))

    def __str__(self) -> str:
        if self.code is RuleCode.EVIDENCE:
            text = self.param
        elif self.code is RuleCode.STREET_IN:
            text = f"street in {self.param}"
        elif self.code in (RuleCode.PART_OF, RuleCode.NEAR):
            text = f"{self.code.value} {self.param}"
            if self.because is not None:
                text += f" ({self.because})"
        else:
            text = self.code.value
        return text + _SAME_NAME if self.same_name else text

    @classmethod
    def parse(cls, text: str) -> Rule:
        """The rule a stored text names (any text: an unknown one is evidence by name)."""
        text = text.strip()
        if text.endswith(_SAME_NAME):
            inner = cls.parse(text[: -len(_SAME_NAME)])
            return Rule(inner.code, inner.param, inner.because, same_name=True)
        if text in _BARE:
            return cls(_BARE[text])
        if text.startswith("street in "):
            return cls(RuleCode.STREET_IN, text[len("street in "):])
        hit = _RELATION.match(text)
        if hit:
            because = cls.parse(hit.group(3)) if hit.group(3) else None
            return cls(RuleCode(hit.group(1)), hit.group(2), because)
        return cls(RuleCode.EVIDENCE, text)


# The end of "chosen because ...", per code or per deciding evidence; {country} is the
# place's country as a sentence names it.
_CODE_WORDS: dict[RuleCode, str] = {
    RuleCode.ONLY_CANDIDATE: "it is the only place of that name in the gazetteer",
    RuleCode.NO_CANDIDATE: "no place of that name is in the gazetteer",
    RuleCode.DEMONYM: "the article uses a demonym for it (such as “North Korean”)",
    RuleCode.NO_TOWN: "it is a street, and the article names no town before it",
    RuleCode.CORRECTED: "a user corrected it (see the Corrections page)",
}
EVIDENCE_WORDS: dict[str, str] = {
    "population": "it is the most populous place of that name",
    "feature type": "it is the kind of place the name usually means (a country or city"
                    " before a village of the same name)",
    "name": "its own name matches, not just an alternative name",
    "curated": "it is in the project's curated list of places",
    "prominence": "it is the best known place of that name",
    "major city": "it is a major city",
    "capital": "it is a capital",
    "document country": "the article also names other places in {country}",
    "document region": "the article also names the state or province it is in",
    "X, Y": "the article names it together with the place that holds it (“Tacoma,"
            " Washington”)",
    "state named": "the article calls it a state or province (“Washington state”)",
    "dateline": "it is the article's dateline (“NEW YORK (AP)”)",
    "same passage": "a region named in the same passage contains it",
    "nearby": "it is near the other places the article names",
    "list": "it is listed with places of the same kind",
    "the": "the article writes “the” before it, as for a sea or a region",
    "home": "the article's source is at home there (its own or learned from its articles)",
    "defined in": "the article says what kind of place it is and names the places that"
                  " hold it (“Aurora is a city in Hamilton County, Nebraska”)",
}
# the evidence that names the state or province the article names, when it is known
REGION_WORDS = {
    "document region": "the article also names {region}, the state or province it is in",
    "same passage": "{region}, named in the same passage, contains it",
}


def describe(rule: Rule | str, *, country: str = "", region: str = "") -> str:
    """The rule as the end of "chosen because ..." (plain text; escape it for HTML).
    ``country`` is the place's country as a sentence names it ("the United States"),
    ``region`` the state or province the article names, when known."""
    if isinstance(rule, str):
        rule = Rule.parse(rule)
    if rule.same_name:
        return describe(Rule(rule.code, rule.param, rule.because), country=country,
                        region=region) + ", as for the same name elsewhere in the article"
    if rule.code in (RuleCode.PART_OF, RuleCode.NEAR):
        return f"the name is {rule.code.value} {rule.param}, which the gazetteer knows"
    if rule.code is RuleCode.STREET_IN:
        return f"it is a street, in {rule.param}, the town named nearest to it"
    if rule.code in _CODE_WORDS:
        return _CODE_WORDS[rule.code]
    if region and rule.param in REGION_WORDS:
        return REGION_WORDS[rule.param].format(region=region)
    if rule.param in EVIDENCE_WORDS:
        return EVIDENCE_WORDS[rule.param].format(country=country or "the same country")
    return f"of the resolver's rule “{rule.param}”"
