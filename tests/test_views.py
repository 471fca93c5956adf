"""The analysts' views: exact semantics on a small database built from records (real sentences of
the seeds and the extra documents), and invariants on the corpus database."""
from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import pytest

from pipeline import store
from pipeline.store import views
from schemas.records import (CitationRecord, DeadlineRecord, DocumentRecord, ObligationRecord, ObligationUnitRecord,
                             QuotaRecord)

AT = dt.datetime(2024, 1, 1)

JIANGJIN = ("江津规资函〔2023〕277号\n关于区十七届政协二次会议第215号提案办理情况的答复函\n"
            "目前江津区规划自然资源局在审查新建、改建、扩建居住项目建筑方案设计时，严格按照《重庆市城乡公共服务设施规划标准》"
            "（DB 50/T 543-2014）进行审查，执行的标准是每100户住户配建20㎡社区办公服务设施，审查时会向区民政局去协办函征求意见。")
QINGDAO = ("青岛市养老服务促进条例\n第九条 城市新建居住区（含居住小区、组团，下同），按照每百户不少于二十平方米的标准，"
           "配套建设社区养老服务设施。\n第十一条 以划拨方式用地、由政府投资建设的社区养老服务设施，建设单位应当在工程竣工验收合格后"
           "三个月内，将有关建设资料全部移交给所在地的区（市）民政部门或者镇人民政府，并协助办理产权登记。")
HENAN = ("河南省老年人权益保障条例\n第三十三条 县级以上人民政府及其城乡规划主管部门制定城市总体规划、控制性详细规划、"
         "养老设施布局专项规划，应当按照人均用地不少于0.1平方米的标准，分区分级合理规划设置养老服务设施。")
ZIBO = ("关于加强社区配套设施规划建设管理的意见\n淄政办字〔2020〕34号\n（一）全面排查摸底。由市教育、民政、商务、体育、卫健等配套设施"
        "主管部门牵头，对社区配套服务设施规划、建设及使用情况进行全面排查摸底。摸排工作于2020年4月10日前完成。\n"
        "整治工作要于2021年底全面完成。其中，城镇居住区幼儿园专项整治工作必须于2020年底完成。\n"
        "附件：2.全市社区配套设施规划建设管理工作任务分解表")
ZIBO_ANNEX = ("附件2\n全市社区配套设施规划建设管理工作任务分解表\n"
              "2. 各部门要按照各自职责,对配套设施是否建设到位、是否符合审批标准等提出验收意见。\t长期坚持\t市自然资源局牵头,各有关部门配合")


def _sha(*parts) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:20]


def _at(text: str, surface: str, after: int = 0) -> tuple[int, int]:
    start = text.index(surface, after)
    return start, start + len(surface)


class Builder:
    """Rows of one document, spans located by their surface in its text."""

    def __init__(self, doc_id: str, text: str, **meta):
        self.doc_id, self.text = doc_id, text
        self.rows = {"documents": [DocumentRecord(doc_id=doc_id, text=text, n_chars=len(text), pipeline_version="t",
                                                  ingested_at=AT, **meta)],
                     "obligations": [], "obligation_units": [], "deadlines": [], "quotas": [], "citations": []}

    def obligation(self, surface: str, modality: str = "must", category: str | None = None,
                   source: str = "prose") -> str:
        start, end = _at(self.text, surface)
        oid = _sha(self.doc_id, start, end)
        self.rows["obligations"].append(ObligationRecord(
            obligation_id=oid, doc_id=self.doc_id, seq=len(self.rows["obligations"]), text=surface, start=start,
            end=end, modality=modality, source=source, category=category))
        return oid

    def unit(self, oid: str, surface: str, canonical: str, role: str, generic: bool = False, after: int = 0) -> None:
        start, end = _at(self.text, surface, after)
        self.rows["obligation_units"].append(ObligationUnitRecord(
            obligation_id=oid, doc_id=self.doc_id, name=surface, canonical=canonical, role=role, generic=generic,
            start=start, end=end))

    def deadline(self, oid: str | None, surface: str, date: dt.date | None, kind: str = "by",
                 scope: str = "own") -> None:
        start, end = _at(self.text, surface)
        self.rows["deadlines"].append(DeadlineRecord(
            deadline_id=_sha(self.doc_id, start, end, oid), doc_id=self.doc_id, obligation_id=oid, surface=surface,
            start=start, end=end, date=date, kind=kind, scope=scope))

    def quota(self, oid: str | None, surface: str, **value) -> None:
        start, end = _at(self.text, surface)
        self.rows["quotas"].append(QuotaRecord(quota_id=_sha(self.doc_id, start, end), doc_id=self.doc_id,
                                               obligation_id=oid, surface=surface, start=start, end=end, **value))

    def citation(self, oid: str | None, surface: str, kind: str, code: str | None, title: str | None) -> None:
        start, end = _at(self.text, surface)
        self.rows["citations"].append(CitationRecord(
            citation_id=_sha(self.doc_id, start, end), doc_id=self.doc_id, obligation_id=oid, surface=surface,
            start=start, end=end, kind=kind, code=code, title=title))


def jiangjin(doc_id: str, fmt: str) -> Builder:
    b = Builder(doc_id, JIANGJIN, source_path=f"/corpus/jiangjin-2023-277-reply.{fmt}", format=fmt,
                title="关于区十七届政协二次会议第215号提案办理情况的答复函", doc_number="江津规资函〔2023〕277号",
                jurisdiction="重庆市江津区", doc_type="reply")
    oid = b.obligation("目前江津区规划自然资源局在审查新建、改建、扩建居住项目建筑方案设计时，严格按照《重庆市城乡公共服务设施规划标准》"
                       "（DB 50/T 543-2014）进行审查，执行的标准是每100户住户配建20㎡社区办公服务设施，审查时会向区民政局去协办函征求意见。",
                       category="社区服务/办公")
    b.unit(oid, "江津区规划自然资源局", "自然资源", "lead")
    b.unit(oid, "区民政局", "民政", "cooperate")
    b.quota(oid, "每100户住户配建20㎡", subject="社区办公服务设施", value_min=20, value_max=20, unit="m2", per_value=100,
            per_unit="户", comparator="eq", category="社区服务/办公")
    b.citation(oid, "《重庆市城乡公共服务设施规划标准》（DB 50/T 543-2014）", "standard", "DB50/T543-2014",
               "重庆市城乡公共服务设施规划标准")
    return b


def sample_documents() -> list[Builder]:
    docs = [jiangjin("jj-txt", "txt"), jiangjin("jj-pdf", "pdf")]  # one reply stored from two files

    q = Builder("qd", QINGDAO, source_path="/extra/qingdao.md", format="md", title="青岛市养老服务促进条例",
                jurisdiction="青岛市", doc_type="other")
    o1 = q.obligation("第九条 城市新建居住区（含居住小区、组团，下同），按照每百户不少于二十平方米的标准，配套建设社区养老服务设施。",
                      category="养老")
    q.quota(o1, "每百户不少于二十平方米", subject="社区养老服务设施", value_min=20, unit="m2", per_value=100, per_unit="户",
            comparator="ge", category="养老")
    o2 = q.obligation("建设单位应当在工程竣工验收合格后三个月内，将有关建设资料全部移交给所在地的区（市）民政部门或者镇人民政府",
                      category="养老")
    q.unit(o2, "建设单位", "建设单位", "implement")
    q.unit(o2, "民政部门", "民政", "lead")
    q.deadline(o2, "工程竣工验收合格后三个月内", None)
    docs.append(q)

    h = Builder("hn", HENAN, source_path="/extra/henan.md", format="md", title="河南省老年人权益保障条例",
                jurisdiction="河南省", doc_type="other")
    o = h.obligation("应当按照人均用地不少于0.1平方米的标准，分区分级合理规划设置养老服务设施。", category="养老")
    h.unit(o, "县级以上人民政府", "人民政府", "lead")
    h.unit(o, "城乡规划主管部门", "城乡规划主管部门", "lead", generic=True)
    h.quota(o, "人均用地不少于0.1平方米", subject="养老服务设施用地", value_min=0.1, unit="m2", per_value=1, per_unit="人",
            comparator="ge", category="养老")
    docs.append(h)

    z = Builder("zb", ZIBO, source_path="/corpus/zibo-opinion.txt", format="txt",
                title="关于加强社区配套设施规划建设管理的意见", doc_number="淄政办字〔2020〕34号", jurisdiction="淄博市",
                issued_date=dt.date(2020, 3, 23), doc_type="opinion",
                annex_titles=["全市社区配套设施规划建设管理工作任务分解表"])
    o = z.obligation("由市教育、民政、商务、体育、卫健等配套设施主管部门牵头，对社区配套服务设施规划、建设及使用情况进行全面排查摸底。")
    for name, key in (("教育", "教育"), ("民政", "民政"), ("商务", "商务")):
        z.unit(o, name, key, "lead")
    z.deadline(o, "于2020年4月10日前完成", dt.date(2020, 4, 10), scope="item")
    o = z.obligation("整治工作要于2021年底全面完成。其中，城镇居住区幼儿园专项整治工作必须于2020年底完成。", category="教育")
    z.deadline(o, "于2021年底全面完成", dt.date(2021, 12, 31))
    z.deadline(o, "于2020年底完成", dt.date(2020, 12, 31))
    z.citation(None, "全市社区配套设施规划建设管理工作任务分解表", "document", None, "全市社区配套设施规划建设管理工作任务分解表")
    docs.append(z)

    a = Builder("zb-annex", ZIBO_ANNEX, source_path="/corpus/zibo-annex2.txt", format="txt",
                title="全市社区配套设施规划建设管理工作任务分解表", jurisdiction="淄博市", doc_type="table",
                parent_doc_id="zb", annex_label="附件2")
    o = a.obligation("2. 各部门要按照各自职责,对配套设施是否建设到位、是否符合审批标准等提出验收意见。\t长期坚持\t市自然资源局牵头,各有关部门配合",
                     source="table")
    a.unit(o, "市自然资源局", "自然资源", "lead")
    a.unit(o, "各有关部门", "有关部门", "cooperate", generic=True)
    a.deadline(o, "长期坚持", None, kind="ongoing", scope="row")
    docs.append(a)
    return docs


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    db = tmp_path_factory.mktemp("views") / "sample.duckdb"
    with store.open_for_writing(db) as w:
        for b in sample_documents():
            store.store_document(w, b.rows, [])
    c = duckdb.connect(str(db), read_only=True)
    yield c
    c.close()


def rows(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


# ------------------------------------------------------------------ editions


def test_one_document_from_two_files_is_one_edition_group_with_the_text_file_primary(con):
    got = {r["doc_id"]: r for r in rows(con, "SELECT * FROM v_documents")}
    assert got["jj-txt"]["is_primary"] and not got["jj-pdf"]["is_primary"]
    assert got["jj-pdf"]["primary_doc_id"] == "jj-txt"
    # documents without a 发文字号 are grouped by title: each is its own group here
    assert all(got[d]["is_primary"] for d in ("qd", "hn", "zb", "zb-annex"))
    assert (got["jj-pdf"]["n_obligations"], got["jj-pdf"]["n_units"], got["jj-pdf"]["n_quotas"]) == (1, 2, 1)


def test_comparison_views_count_a_document_once(con):
    quotas = rows(con, "SELECT doc_id FROM v_quota_comparison WHERE jurisdiction = '重庆市江津区'")
    assert [q["doc_id"] for q in quotas] == ["jj-txt"]
    units = rows(con, "SELECT * FROM v_unit_responsibilities WHERE jurisdiction = '重庆市江津区' ORDER BY unit")
    assert [(u["unit"], u["n_lead"], u["n_cooperate"], u["n_documents"]) for u in units] == [
        ("民政", 0, 1, 1), ("自然资源", 1, 0, 1)]
    assert {r["doc_id"] for r in rows(con, "SELECT doc_id FROM v_citations")} == {"jj-txt", "zb"}
    # v_obligations keeps every file and says which one counts
    assert {(r["doc_id"], r["is_primary"]) for r in rows(
        con, "SELECT doc_id, is_primary FROM v_obligations WHERE jurisdiction = '重庆市江津区'")} == {
        ("jj-txt", True), ("jj-pdf", False)}


# ------------------------------------------------------------------ quotas


def test_quota_requirements_and_common_basis(con):
    got = {r["jurisdiction"]: r for r in rows(con, "SELECT * FROM v_quota_comparison")}
    jj, qd, hn = got["重庆市江津区"], got["青岛市"], got["河南省"]
    assert (jj["requirement"], jj["norm_min"], jj["norm_basis"]) == ("20 m2 / 100户", 20, "m2 / 100户")
    assert (qd["requirement"], qd["norm_min"], qd["norm_max"]) == ("≥ 20 m2 / 100户", 20, None)
    # 人均 0.1 m2 restated per 1000 people, so that it compares with 每千人 quotas
    assert hn["requirement"] == "≥ 0.1 m2 / 人"
    assert hn["norm_min"] == pytest.approx(100) and hn["norm_basis"] == "m2 / 1000人"
    assert (hn["norm_requirement"], qd["norm_requirement"]) == ("≥ 100 m2 / 1000人", "≥ 20 m2 / 100户")
    assert (jj["category"], qd["category"], hn["category"]) == ("社区服务/办公", "养老", "养老")


def test_quota_comparison_is_sorted_by_category_then_comparable_units(con):
    cats = [r["category"] for r in rows(con, "SELECT category FROM v_quota_comparison")]
    assert cats == ["养老", "养老", "社区服务/办公"]


# ------------------------------------------------------------------ obligations


def test_obligation_summaries(con):
    got = {r["text"][:6]: r for r in rows(con, "SELECT * FROM v_obligations WHERE is_primary")}
    survey = got["由市教育、民"]
    assert survey["lead_units"] == ["商务", "教育", "民政"] and survey["due_date"] == dt.date(2020, 4, 10)
    staged = got["整治工作要于"]
    assert (staged["due_date"], staged["final_due_date"]) == (dt.date(2020, 12, 31), dt.date(2021, 12, 31))
    row = got["2. 各部门"]
    assert row["ongoing"] and row["lead_units"] == ["自然资源"] and row["generic_units"] == ["各有关部门"]
    assert row["cooperate_units"] == []
    jj = got["目前江津区规"]
    assert jj["quota_summary"] == "社区办公服务设施: 20 m2 / 100户" and jj["cited"] == ["DB50/T543-2014"]
    handover = got["建设单位应当"]
    assert handover["due_date"] is None and handover["deadline_text"] == "工程竣工验收合格后三个月内"


def test_deadline_timeline_in_date_order_with_undated_last(con):
    got = rows(con, "SELECT date, year, kind, jurisdiction, lead_units FROM v_deadline_timeline")
    dated = [r["date"] for r in got if r["date"]]
    assert dated == sorted(dated) == [dt.date(2020, 4, 10), dt.date(2020, 12, 31), dt.date(2021, 12, 31)]
    assert got[0]["year"] == 2020 and got[0]["lead_units"] == ["商务", "教育", "民政"]
    assert [r["kind"] for r in got if r["date"] is None] and all(r["date"] is None for r in got[3:])


# ------------------------------------------------------------------ citations and links


def test_citations_name_corpus_documents_and_links_follow(con):
    cites = {r["citation_key"]: r for r in rows(con, "SELECT * FROM v_citations")}
    assert cites["DB50/T543-2014"]["categories"] == ["社区服务/办公"]
    assert cites["DB50/T543-2014"]["cited_doc_id"] is None  # the standard is not in the corpus
    assert cites["全市社区配套设施规划建设管理工作任务分解表"]["cited_doc_id"] == "zb-annex"
    links = {(r["link"], r["from_doc_id"], r["to_doc_id"]) for r in rows(con, "SELECT * FROM v_document_links")}
    assert links == {("annex", "zb-annex", "zb"), ("citation", "zb", "zb-annex")}


JIANGJIN_FOLLOW_UP = ("江津区社区办公服务设施配建整改通知\n按照江津规资函〔2023〕277号和《关于区十七届政协二次会议第215号提案办理情况的答复函》，"
                      "由区民政局牵头、民政部门负责，区民政局、区教委、有关部门配合，有关部门按职责落实。")


def test_citations_by_number_and_by_title_name_the_primary_file_and_unit_lists_are_sorted_sets(tmp_path):
    b = Builder("jj-follow-up", JIANGJIN_FOLLOW_UP, source_path="/corpus/jiangjin-follow-up.txt", format="txt",
                title="江津区社区办公服务设施配建整改通知", jurisdiction="重庆市江津区", doc_type="notice")
    oid = b.obligation("由区民政局牵头、民政部门负责，区民政局、区教委、有关部门配合，有关部门按职责落实。")
    b.unit(oid, "区民政局", "民政", "lead")
    b.unit(oid, "民政部门", "民政", "lead")  # the same canonical unit twice
    b.unit(oid, "区民政局", "民政", "cooperate", after=JIANGJIN_FOLLOW_UP.index("负责"))
    b.unit(oid, "区教委", "教育", "cooperate")
    # one generic name under two roles
    b.unit(oid, "有关部门", "有关部门", "cooperate", generic=True)
    b.unit(oid, "有关部门", "有关部门", "implement", generic=True, after=JIANGJIN_FOLLOW_UP.index("配合"))
    b.citation(oid, "江津规资函〔2023〕277号", "document", "江津规资函〔2023〕277号", None)
    # a title as cited may carry spaces: they are ignored when it is matched to a stored title
    b.citation(oid, "《关于区十七届政协二次会议第215号提案办理情况的答复函》", "document", None,
               "关于区十七届政协二次会议第215号提案办理情况的 答复函")
    db = tmp_path / "follow-up.duckdb"
    with store.open_for_writing(db) as w:
        for doc in [*sample_documents(), b]:
            store.store_document(w, doc.rows, [])
    c = duckdb.connect(str(db), read_only=True)
    try:
        cited = {r["citation_key"]: r["cited_doc_id"]
                 for r in rows(c, "SELECT * FROM v_citations WHERE doc_id = 'jj-follow-up'")}
        # the reply is stored as TXT and PDF: both citations name the primary (text) file
        assert cited == {"江津规资函〔2023〕277号": "jj-txt", "关于区十七届政协二次会议第215号提案办理情况的答复函": "jj-txt"}
        links = rows(c, "SELECT to_doc_id, via FROM v_document_links WHERE from_doc_id = 'jj-follow-up' ORDER BY via")
        assert links == [{"to_doc_id": "jj-txt", "via": "关于区十七届政协二次会议第215号提案办理情况的 答复函"},
                         {"to_doc_id": "jj-txt", "via": "江津规资函〔2023〕277号"}]
        got = rows(c, "SELECT lead_units, cooperate_units, implement_units, generic_units, n_citations FROM v_obligations "
                      "WHERE doc_id = 'jj-follow-up'")
        assert got == [{"lead_units": ["民政"], "cooperate_units": ["教育", "民政"], "implement_units": [],
                        "generic_units": ["有关部门"], "n_citations": 2}]
    finally:
        c.close()


def test_unit_responsibilities_keep_generic_mentions_apart(con):
    got = rows(con, "SELECT unit, generic, n_cooperate FROM v_unit_responsibilities WHERE jurisdiction = '淄博市' "
                    "AND generic")
    assert got == [{"unit": "有关部门", "generic": True, "n_cooperate": 1}]


def test_views_exist_on_an_empty_database_and_creating_them_twice_is_harmless(tmp_path):
    with store.open_for_writing(tmp_path / "empty.duckdb") as w:
        views.create(w)
        for name in views.VIEWS:
            assert w.execute(f"SELECT count(*) FROM {name}").fetchone() == (0,)


# ------------------------------------------------------------------ on the corpus database


@pytest.fixture(scope="module")
def corpus(corpus_db):
    c = duckdb.connect(str(corpus_db), read_only=True)
    yield c
    c.close()


@pytest.mark.parametrize("view,column", [("v_obligations", "text"), ("v_quota_comparison", "surface"),
                                         ("v_deadline_timeline", "surface")])
def test_view_offsets_point_at_their_text(corpus, view, column):
    bad = corpus.execute(f"""SELECT count(*), count(*) FILTER (WHERE substr(d.text, v.start + 1, v."end" - v.start)
                                                              <> v.{column})
                             FROM {view} v JOIN documents d USING (doc_id)""").fetchone()
    assert bad[0] > 0 and bad[1] == 0


def test_corpus_comparisons_hold_each_seed_document_once(corpus):
    editions = corpus.execute("SELECT count(*), count(*) FILTER (WHERE is_primary) FROM v_documents").fetchone()
    assert editions[0] > editions[1] >= 5  # the corpus holds DOCX/PDF variants of the seeds
    jj = corpus.execute("SELECT requirement FROM v_quota_comparison WHERE jurisdiction = '重庆市江津区' "
                        "AND per_unit = '户'").fetchall()
    assert jj == [("20 m2 / 100户",)]
    grades = corpus.execute("SELECT requirement FROM v_quota_comparison WHERE jurisdiction = '山西省' AND unit = '人' "
                            "ORDER BY value_min NULLS FIRST").fetchall()
    assert grades == [("≤ 3000 人",), ("3000–5000 人",), ("5000–12000 人",)]


def test_readers_get_this_versions_views_on_a_file_written_by_an_older_version(tmp_path):
    from pipeline import connect

    db = tmp_path / "old.duckdb"
    with store.open_for_writing(db) as w:
        for b in sample_documents():
            store.store_document(w, b.rows, [])
        w.execute("CREATE OR REPLACE VIEW v_quota_comparison AS SELECT jurisdiction FROM documents")  # an old view
    con = connect(db)
    try:
        assert "norm_requirement" in [d[0] for d in con.execute("SELECT * FROM v_quota_comparison").description]
    finally:
        con.close()
    con = duckdb.connect(str(db))  # tables too old for the views: the stored views stay
    con.execute("DROP VIEW v_obligations; DROP VIEW v_citations; ALTER TABLE obligations DROP COLUMN category")
    assert views.use_current(con) is False
    assert con.execute("SELECT count(*) FROM v_quota_comparison").fetchone()[0] > 0
    con.close()
