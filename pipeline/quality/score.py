"""Score a database against gold files: per field precision, recall and F1, per document, and every
miss and false hit with its text and offsets (docs/EXTRACTION.md, "Scoring").

Fields are compared as the gold of docs/EXTRACTION.md asks: deadlines as a set of (date, kind) per document,
units as a set of canonical keys, quotas as a set of (value_min, value_max, unit) with their
comparator and basis checked on the matches, citations by code (else by title), obligations by
anchor (the shortest unmatched stored obligation containing it), then the units, roles, deadline
and modality linked to each found obligation. The overall figure is the mean of the six field F1s,
the linked-deadline accuracy and the metadata accuracy.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.quality.match import as_date, as_number, compact, doc_code, locate, similar, unit_key
from schemas.gold import GoldFile

SET_FIELDS = ("deadlines", "units", "citations", "quotas", "obligations", "link.units")
RATIO_FIELDS = ("quota.attrs", "link.roles", "link.deadline", "link.modality")
META_FIELDS = ("title", "doc_number", "jurisdiction", "issued_date", "doc_type", "issuers")


@dataclass(frozen=True)
class Miss:
    """A gold item not found ("missed"), a stored value not in the gold ("false"), or a found
    obligation whose linked value is wrong ("wrong"); `start`/`end` point into documents.text."""

    field: str
    file: str
    what: str
    value: str
    text: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Ratio:
    right: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass
class Scores:
    """Counts for one document or a whole gold set."""

    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in SET_FIELDS})
    ratios: dict[str, Ratio] = field(default_factory=lambda: {k: Ratio() for k in RATIO_FIELDS})
    meta: dict[str, Ratio] = field(default_factory=lambda: {k: Ratio() for k in META_FIELDS})
    exhaustive: bool = False

    def add(self, other: "Scores") -> None:
        for k, t in other.tallies.items():
            mine = self.tallies[k]
            mine.tp, mine.fp, mine.fn = mine.tp + t.tp, mine.fp + t.fp, mine.fn + t.fn
        for group, theirs in ((self.ratios, other.ratios), (self.meta, other.meta)):
            for k, r in theirs.items():
                group[k].right += r.right
                group[k].total += r.total
        self.exhaustive |= other.exhaustive

    def f1(self, name: str) -> float:
        """A field's F1; obligations are scored on recall alone unless some gold lists them all."""
        t = self.tallies[name]
        return t.recall if name == "obligations" and not self.exhaustive else t.f1

    def applies(self, name: str) -> bool:
        """Whether a field has anything to score (a document with no quotas in gold or database has
        no quota F1: it is left out of that document's overall figure, not counted as 0)."""
        if name in self.tallies:
            t = self.tallies[name]
            return bool(t.tp + t.fp + t.fn)
        return bool(self.ratios[name].total)

    def overall(self, skip_empty: bool = False) -> float:
        """The mean of the six field F1s, the linked-deadline accuracy and the metadata accuracy.
        The set total counts every field (as the reference scorer does); per document,
        `skip_empty` leaves out fields with nothing to score."""
        keys = [k for k in (*SET_FIELDS, "link.deadline") if not skip_empty or self.applies(k)]
        parts = [round(self.f1(k) if k in self.tallies else self.ratios[k].value, 3) for k in keys]
        meta = [r.value for r in self.meta.values() if r.total]
        if meta or not skip_empty:
            parts.append(sum(meta) / len(meta) if meta else 0.0)
        return round(sum(parts) / len(parts), 3) if parts else 0.0

    def as_dict(self) -> dict:
        out: dict = {}
        for k, t in self.tallies.items():
            out[k] = {"precision": round(t.precision, 3), "recall": round(t.recall, 3),
                      "f1": round(self.f1(k), 3), "tp": t.tp, "fp": t.fp, "fn": t.fn}
        for k, r in self.ratios.items():
            out[k] = {"accuracy": round(r.value, 3), "right": r.right, "total": r.total}
        for k, r in self.meta.items():
            out["meta." + k] = {"accuracy": round(r.value, 3), "right": r.right, "total": r.total}
        out["overall_f1"] = self.overall()
        return out


@dataclass
class Stored:
    """What the database holds for one document, in the shapes the comparison needs."""

    doc: dict
    obligations: list[dict]
    deadlines: list[dict]
    units: list[dict]
    quotas: list[dict]
    citations: list[dict]


@dataclass
class Result:
    total: Scores
    per_document: dict[str, Scores]
    misses: list[Miss]
    missing_documents: list[str]


def _rows(con, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def find_document(con, file: str) -> dict | None:
    """The stored document whose source path ends with the gold's file name."""
    for doc in _rows(con, "SELECT * FROM documents ORDER BY source_path", []):
        path = str(doc.get("source_path") or "").replace("\\", "/")
        if path.endswith("/" + file) or path == file:
            return doc
    return None


def stored(con, doc: dict) -> Stored:
    doc_id = doc["doc_id"]
    return Stored(
        doc=doc,
        obligations=_rows(con, "SELECT obligation_id, text, start, \"end\", modality FROM obligations "
                               "WHERE doc_id = ? ORDER BY seq", [doc_id]),
        deadlines=_rows(con, "SELECT obligation_id, surface, start, \"end\", date, kind FROM deadlines "
                             "WHERE doc_id = ? ORDER BY start", [doc_id]),
        units=_rows(con, "SELECT obligation_id, name, canonical, role, start, \"end\" FROM obligation_units "
                         "WHERE doc_id = ? ORDER BY start", [doc_id]),
        quotas=_rows(con, "SELECT * FROM quotas WHERE doc_id = ? ORDER BY start", [doc_id]),
        citations=_rows(con, "SELECT * FROM citations WHERE doc_id = ? ORDER BY start", [doc_id]),
    )


class _DocumentScorer:
    """Compares one gold file with what was stored for its document."""

    def __init__(self, gold: GoldFile, got: Stored | None) -> None:
        self.gold, self.got = gold, got
        self.text = (got.doc.get("text") or "") if got else ""
        self.scores = Scores(exhaustive=gold.obligations_exhaustive)
        self.misses: list[Miss] = []
        self.key = unit_key()

    # -- helpers
    def _gold_miss(self, name: str, value, surface: str | None) -> None:
        at = locate(self.text, surface) if surface else None
        self.misses.append(Miss(name, self.gold.file, "missed", str(value), surface,
                                at[0] if at else None, at[1] if at else None))

    def _false_hit(self, name: str, value, row: dict | None) -> None:
        row = row or {}
        self.misses.append(Miss(name, self.gold.file, "false", str(value), row.get("surface") or row.get("text"),
                                row.get("start"), row.get("end")))

    def _sets(self, name: str, gold: dict, pred: dict, optional: set) -> None:
        """Set comparison; `gold` and `pred` map each key to an example (a surface, a row)."""
        kept = {k: v for k, v in pred.items() if not (k in optional and k not in gold)}
        t = self.scores.tallies[name]
        t.tp += len(gold.keys() & kept.keys())
        t.fp += len(kept.keys() - gold.keys())
        t.fn += len(gold.keys() - kept.keys())
        for k in sorted(gold.keys() - kept.keys(), key=str):
            self._gold_miss(name, k, gold[k])
        for k in sorted(kept.keys() - gold.keys(), key=str):
            self._false_hit(name, k, kept[k])

    def _unit(self, row: dict) -> str:
        return self.key(row.get("canonical") or row.get("name"))

    # -- fields
    def metadata(self) -> None:
        g, doc = self.gold.metadata, (self.got.doc if self.got else {})
        checks = {
            "title": similar(g.title, doc.get("title"), 0.9) if g.title else not doc.get("title"),
            "doc_number": doc_code(g.doc_number) == doc_code(doc.get("doc_number")),
            "jurisdiction": compact(g.jurisdiction) == compact(doc.get("jurisdiction")),
            "issued_date": as_date(g.issued_date) == as_date(doc.get("issued_date")),
            "doc_type": (g.doc_type or None) == (doc.get("doc_type") or None),
            "issuers": {compact(i) for i in g.issuers} == {compact(i) for i in doc.get("issuers") or []},
        }
        for key, ok in checks.items():
            r = self.scores.meta[key]
            r.total += 1
            r.right += bool(ok)
            if not ok:
                want = getattr(g, key)
                self.misses.append(Miss("meta." + key, self.gold.file, "wrong",
                                        f"gold {want!s} / stored {doc.get(key)!s}"))

    def deadlines(self) -> None:
        required = {(as_date(d.date), d.kind): d.surface for d in self.gold.deadlines if not d.optional}
        optional = {(as_date(d.date), d.kind) for d in self.gold.deadlines if d.optional}
        pred: dict = {}
        for row in self.got.deadlines if self.got else []:
            pred.setdefault((as_date(row["date"]), row["kind"]), row)
        self._sets("deadlines", required, pred, optional)

    def units(self) -> None:
        required = {self.key(u.key): u.key for u in self.gold.units if not u.optional}
        required.pop("", None)
        optional = {self.key(u.key) for u in self.gold.units if u.optional}
        pred: dict = {}
        for row in self.got.units if self.got else []:
            k = self._unit(row)
            if k:
                pred.setdefault(k, {**row, "surface": row.get("name")})
        # a missed key names no one passage: it is reported by its gold spelling, without offsets
        self._sets("units", {k: None for k in required}, pred, optional)

    def citations(self) -> None:
        def same(g, p: dict) -> bool:
            if g.code:
                return doc_code(g.code) == doc_code(p.get("code")) or doc_code(g.code) in doc_code(p.get("surface"))
            return similar(g.title, p.get("title") or p.get("surface"), 0.85)

        t = self.scores.tallies["citations"]
        free = list(self.got.citations if self.got else [])
        for g in (c for c in self.gold.citations if not c.optional):
            hit = next((p for p in free if same(g, p)), None)
            if hit is None:
                t.fn += 1
                self._gold_miss("citations", g.code or g.title, g.code or g.title)
            else:
                t.tp += 1
                free.remove(hit)
        for p in free:
            if any(same(g, p) for g in self.gold.citations if g.optional):
                continue
            t.fp += 1
            self._false_hit("citations", p.get("surface"), p)

    def quotas(self) -> None:
        def key(q) -> tuple:
            get = q.get if isinstance(q, dict) else lambda a: getattr(q, a)
            return (as_number(get("value_min")), as_number(get("value_max")), get("unit"))

        def attrs(q) -> tuple:
            get = q.get if isinstance(q, dict) else lambda a: getattr(q, a)
            return (get("comparator"), as_number(get("per_value")), get("per_unit") or None)

        gold_by_key: dict[tuple, list] = {}
        for q in (q for q in self.gold.quotas if not q.optional):
            gold_by_key.setdefault(key(q), []).append(q)
        pred_by_key: dict[tuple, list] = {}
        for row in self.got.quotas if self.got else []:
            pred_by_key.setdefault(key(row), []).append(row)
        optional = {key(q) for q in self.gold.quotas if q.optional}
        self._sets("quotas", {k: v[0].surface for k, v in gold_by_key.items()},
                   {k: v[0] for k, v in pred_by_key.items()}, optional)
        ratio = self.scores.ratios["quota.attrs"]
        for k in gold_by_key.keys() & pred_by_key.keys():
            found = {attrs(p) for p in pred_by_key[k]}
            for g in gold_by_key[k]:
                ratio.total += 1
                ok = attrs(g) in found
                ratio.right += ok
                if not ok:
                    self.misses.append(Miss("quota.attrs", self.gold.file, "wrong",
                                            f"gold {attrs(g)} / stored {sorted(found, key=str)}", g.surface))

    def obligations(self) -> None:
        got = self.got
        units_by_ob: dict[str, dict[str, str]] = {}
        deadlines_by_ob: dict[str, set] = {}
        for row in got.units if got else []:
            units_by_ob.setdefault(row["obligation_id"], {}).setdefault(self._unit(row), row["role"])
        for row in got.deadlines if got else []:
            deadlines_by_ob.setdefault(row["obligation_id"], set()).add((as_date(row["date"]), row["kind"]))
        free = sorted(got.obligations if got else [], key=lambda o: len(o.get("text") or ""))
        loose = {(as_date(d.date), d.kind) for d in self.gold.deadlines if d.optional}
        found = self.scores.tallies["obligations"]
        link_units = self.scores.tallies["link.units"]
        roles, link_deadline, modality = (self.scores.ratios[k] for k in ("link.roles", "link.deadline",
                                                                           "link.modality"))
        for g in (o for o in self.gold.obligations if not o.optional):
            hit = _take(free, g.anchor)
            if hit is None:
                found.fn += 1
                self._gold_miss("obligations", g.anchor, g.anchor)
                continue
            found.tp += 1
            oid = hit["obligation_id"]
            g_units = {self.key(u.key): u.role for u in g.units if not u.optional}
            g_units.pop("", None)
            opt_units = {self.key(u.key) for u in g.units if u.optional}
            p_units = {k: r for k, r in units_by_ob.get(oid, {}).items() if k and k not in opt_units}
            link_units.tp += len(g_units.keys() & p_units.keys())
            link_units.fp += len(p_units.keys() - g_units.keys())
            link_units.fn += len(g_units.keys() - p_units.keys())
            for k in sorted(g_units.keys() - p_units.keys()):
                self._wrong("link.units", f"{g.anchor}: missed {k}", hit)
            for k in sorted(p_units.keys() - g_units.keys()):
                self._wrong("link.units", f"{g.anchor}: false {k}", hit)
            for k in g_units.keys() & p_units.keys():
                roles.total += 1
                roles.right += g_units[k] == p_units[k]
                if g_units[k] != p_units[k]:
                    self._wrong("link.roles", f"{g.anchor}: {k} gold {g_units[k]} / stored {p_units[k]}", hit)
            want = (as_date(g.deadline.date), g.deadline.kind) if g.deadline else None
            have = deadlines_by_ob.get(oid, set())
            kept = {d for d in have if d == want or d not in loose}
            ok = want in kept if want else not kept
            link_deadline.total += 1
            link_deadline.right += ok
            if not ok:
                self._wrong("link.deadline", f"{g.anchor}: gold {want} / stored {sorted(have, key=str)}", hit)
            if g.modality:
                modality.total += 1
                modality.right += g.modality == hit.get("modality")
                if g.modality != hit.get("modality"):
                    self._wrong("link.modality", f"{g.anchor}: gold {g.modality} / stored {hit.get('modality')}", hit)
        for g in (o for o in self.gold.obligations if o.optional):
            _take(free, g.anchor)  # a hit on an optional obligation is neither rewarded nor punished
        if self.gold.obligations_exhaustive:
            found.fp += len(free)
            for o in free:
                self._false_hit("obligations", (o.get("text") or "")[:40], o)

    def _wrong(self, name: str, value: str, row: dict) -> None:
        self.misses.append(Miss(name, self.gold.file, "wrong", value, row.get("text"), row.get("start"),
                                row.get("end")))

    def run(self) -> Scores:
        self.metadata()
        self.deadlines()
        self.units()
        self.citations()
        self.quotas()
        self.obligations()
        return self.scores


_ROW_NUMBER = re.compile(r"^\d+[.．、]?")


def _take(free: list[dict], anchor_text: str) -> dict | None:
    """The shortest unmatched stored obligation containing the anchor (taken out of `free`)."""
    anchor = compact(anchor_text)
    hit = next((o for o in free if anchor and anchor in compact(o.get("text"))), None)
    if hit is None and re.match(r"\d", anchor):
        # a table row's anchor may start with its row number, which a pipeline may keep apart
        # (and an item number its full stop: "5.", "2．", "3、")
        bare = _ROW_NUMBER.sub("", anchor)
        hit = next((o for o in free if bare and bare in compact(o.get("text"))), None)
    if hit is not None:
        free.remove(hit)
    return hit


def score(con, golds: list[GoldFile]) -> Result:
    """Score every gold file against the database open on `con` (read-only is enough)."""
    total = Scores()
    per_document: dict[str, Scores] = {}
    misses: list[Miss] = []
    missing: list[str] = []
    for gold in golds:
        doc = find_document(con, gold.file)
        if doc is None:
            missing.append(gold.file)
        scorer = _DocumentScorer(gold, stored(con, doc) if doc else None)
        per_document[gold.file] = scorer.run()
        total.add(per_document[gold.file])
        misses += scorer.misses
    return Result(total, per_document, misses, missing)
