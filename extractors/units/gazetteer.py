"""The gazetteer of units (data/units.yaml), validated on load, and the value a name resolves to."""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, model_validator

from extractors.rules import RuleTable, load_rules
from schemas.records import Level

FIELD = "unit"
TERRITORIAL_KEYS = ("人民政府", "镇街", "社区")


@dataclass(frozen=True, slots=True)
class UnitValue:
    name: str  # the compact surface (whitespace removed); for a list item, the item itself
    canonical: str  # canonical key (docs/EXTRACTION.md §units) (住房城乡建设, 人民政府 …) or the body's own short name
    level: Level | None
    generic: bool  # 有关部门, 主管部门 …: optional for consumers


def is_territorial(value: UnitValue | None) -> bool:
    """Governments, towns and communities: bodies that carry out (落实) rather than lead."""
    return value is not None and value.canonical in TERRITORIAL_KEYS


class Department(RuleTable):
    key: str
    stems: list[str] = Field(default_factory=list)
    suffix_stems: list[str] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)
    # a body outside the annotation's list keeps its name as written as key, unless this is set:
    # abbreviations named by their function (信息办 → 信息化, 标准委 → 标准化)
    keyed: bool = False

    @model_validator(mode="after")
    def _has_forms(self) -> Department:
        if not (self.stems or self.suffix_stems or self.names):
            raise ValueError(f"department {self.key!r} has no forms")
        return self


class Levels(RuleTable):
    national: list[str]
    province: list[str]
    city: list[str]
    district: list[str]
    town: list[str]
    # a party committee in front of its departments (市委组织部, 区委宣传部): their level, never a
    # government's (市委、市政府 names one government)
    party: dict[str, Level] = Field(default_factory=dict)
    # words that stand where a department's level does without naming one (同级财政, 地方财政)
    department_qualifiers: list[str] = Field(default_factory=list)


class PlaceRules(RuleTable):
    level_chars: list[str]
    stop_chars: str
    names_with_stop_chars: list[str]
    parent_prefixes: list[str]


class ListRules(RuleTable):
    connectors: list[str]
    item_stop_chars: str
    numeral_chars: str
    item_lead_ins: list[str]
    not_body_items: list[str]
    not_body_item_words: list[str]
    not_body_item_endings: list[str]
    tails: list[str]
    tail_heads: list[str]
    strict_tail_heads: list[str]
    role_verbs: list[str]
    modal_followers: list[str]
    modal_not_levels: list[str]
    modal_not_words: list[str]
    lead_ins: list[str]


class TerritorialRules(RuleTable):
    government_heads: list[str]
    bare_government_followers: list[str]
    national_governments: list[str]
    committee_heads: list[str]
    government_offices: list[str]
    plural_bodies: dict[str, list[str]]
    strong_bodies: dict[str, list[str]]
    weak_bodies: dict[str, list[str]]


class GenericRules(RuleTable):
    modifiers: list[str]
    cores: list[str]
    standalone_cores: list[str]
    domain_heads: list[str]
    max_domain: int
    not_generic: list[str]
    classes: dict[str, list[str]]  # canonical key of a generic mention -> the cores it covers

    @model_validator(mode="after")
    def _every_core_has_a_class(self) -> "GenericRules":
        covered = {c for cores in self.classes.values() for c in cores}
        missing = set(self.cores) | set(self.standalone_cores) | set(self.domain_heads)
        if missing - covered:
            raise ValueError(f"generic cores without a class: {sorted(missing - covered)}")
        return self

    def key_of(self, core: str) -> str:
        return next(k for k, cores in self.classes.items() if core in cores)


class LeadingGroupRules(RuleTable):
    heads: list[str]
    key: str
    max_name: int
    name_stops: list[str]


class SelfReferenceRules(RuleTable):
    prefixes: list[str]
    heads: dict[str, list[str]]  # the head of a reference (局) -> issuer name endings it fits
    not_after: list[str]
    reflexive: list[str]
    forwarding_verbs: list[str]


class NamedBodyRules(RuleTable):
    suffixes: list[str]
    level_suffixes: list[str]
    level_starts: list[str]
    level_max_name: int
    level_name_stops: list[str]
    max_name: int
    name_stops: list[str]
    standalone_suffixes: list[str]
    adhoc_key_levels: list[str]
    adverb_followers: list[str]
    duties_titles: list[str]


class LocalAuthorityRules(RuleTable):
    words: list[str]
    key: str
    clause_starts: str
    not_before: list[str]


class BranchRules(RuleTable):
    suffixes: list[str]
    min_place: int
    max_place: int


class CellBodyRules(RuleTable):
    suffixes: list[str]
    not_body_words: list[str]
    min_chars: int
    max_chars: int
    town_prefixes: list[str]
    own_prefixes: list[str]
    town_suffixes: list[str]


class SetUpOfficeRules(RuleTable):
    verb: str = Field(min_length=1)
    office: str = Field(min_length=1)
    keyed_as_owner: list[str]


class ShortNameRules(RuleTable):
    office_words: list[str]
    set_up_office: SetUpOfficeRules


class AddressedInstitutionRules(RuleTable):
    names: list[str]
    modals: list[str]


class ModalSubjectRules(RuleTable):
    suffixes: list[str]
    modals: list[str]
    not_after_modal: list[str]
    min_name: int
    max_name: int
    name_stops: list[str]
    not_starts: list[str]


class UnitRules(RuleTable):
    annotation_keys: list[str]
    departments: list[Department]
    office_suffixes: list[str]
    suffix_blocked_next: dict[str, list[str]]
    national_suffixes: list[str]
    not_departments: list[str]
    not_body_words: list[str]
    not_level_words: list[str]
    official_words: list[str]
    responsibility_nouns: list[str]
    levels: Levels
    government_qualifiers: list[str]
    place: PlaceRules
    particles_before_unit: list[str]
    list: ListRules
    territorial: TerritorialRules
    body_followers: list[str]
    non_body_followers: list[str]
    generic: GenericRules
    other_bodies: list[str]
    other_body_overseers: list[str]
    addressed_institutions: AddressedInstitutionRules
    modal_subjects: ModalSubjectRules
    short_names: ShortNameRules
    leading_group: LeadingGroupRules
    joint_meeting: LeadingGroupRules
    named_bodies: NamedBodyRules
    local_authority: LocalAuthorityRules
    cell_bodies: CellBodyRules
    branches: BranchRules
    self_reference: SelfReferenceRules

    @model_validator(mode="after")
    def _consistent(self) -> UnitRules:
        keys = [d.key for d in self.departments]
        if len(keys) != len(set(keys)):
            raise ValueError("a department key is listed twice")
        owner: dict[str, str] = {}
        for d in self.departments:
            for form in d.stems + d.suffix_stems + d.names:
                if not form.strip():
                    raise ValueError(f"empty form under {d.key!r}")
                if owner.setdefault(form, d.key) != d.key:
                    raise ValueError(f"form {form!r} belongs to both {owner[form]!r} and {d.key!r}")
        unknown = set(self.annotation_keys) - set(keys) - set(TERRITORIAL_KEYS) - {self.leading_group.key}
        if unknown:
            raise ValueError(f"annotation_keys not given by any department: {sorted(unknown)}")
        for suffix in self.suffix_blocked_next:
            if suffix not in self.office_suffixes:
                raise ValueError(f"suffix_blocked_next names an unknown suffix {suffix!r}")
        for group in ("plural_bodies", "strong_bodies", "weak_bodies"):
            for key in getattr(self.territorial, group):
                if key not in TERRITORIAL_KEYS:
                    raise ValueError(f"territorial.{group} key {key!r} is not one of {TERRITORIAL_KEYS}")
        return self


RULES = load_rules(UnitRules, "units.yaml")
