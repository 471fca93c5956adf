"""Obligations on real and typical documents: which sentences and rows are duties, and which units,
roles and deadlines each one gets."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from extractors import analyze as analysis
from extractors import allocation, brackets, obligations, structure
from extractors.analyze import analyze
from extractors.base import ExtractContext
from extractors.fields import extract_fields
from pipeline.readers import read_document
from pipeline.readers.normalize import normalize_text
from tests.conftest import CORPUS, EXTRA, needs
from tests.example_tables import load, params

DOCS = Path(__file__).parent / "data" / "docs"
NOW = dt.datetime(2026, 1, 1)


def extraction(path: Path):
    return analyze(read_document(path), pipeline_version="test", ingested_at=NOW)


def text_extraction(tmp_path: Path, text: str):
    """The extraction of `text` written to a .txt file, as ingest reads it."""
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return extraction(path)


def summary(ex, fragment: str) -> tuple[dict, set, str]:
    """(units {key: role}, {(date, kind)}, modality) of the one obligation whose text holds `fragment`."""
    hits = [o for o in ex.obligations if fragment in o.text.replace(" ", "")]
    assert len(hits) == 1, [o.text for o in hits]
    oid = hits[0].obligation_id
    units = {u.canonical: u.role for u in ex.units if u.obligation_id == oid and not u.generic}
    deadlines = {(d.date.isoformat() if d.date else None, d.kind) for d in ex.deadlines if d.obligation_id == oid}
    return units, deadlines, hits[0].modality


# ------------------------------------------------------------------ the example table


EXAMPLES = load("obligations.yaml")["build"]


def _compact(s: str) -> str:
    return "".join(s.split())


def built(text: str, given: dict) -> list[dict]:
    """The obligations of a passage as the pipeline builds them (no metadata: a passage has no
    title or signature; `given.title` stands in for the document's), each as the table writes it."""
    doc = normalize_text(text)
    issued = given.get("issued")
    dates = ExtractContext(issued_date=dt.date.fromisoformat(str(issued)) if issued else None)
    ctx = dataclasses.replace(dates, deadline_cells=analysis.deadline_cells(doc, dates)
                              + brackets.assignment_brackets(doc.text))
    fields = extract_fields(doc.text, None, ctx)
    allocated = allocation.allocations(doc, fields, ctx.issued_date)
    fields = analysis.with_table_quotas(doc, fields, ctx, allocated, ctx.issued_date)
    out = []
    for ob in obligations.build(doc, structure.analyse(doc), fields, given.get("doc_type"), title=given.get("title"),
                                issued=ctx.issued_date, allocated=allocated):
        units: dict[str, str] = {}
        for lu in ob.units:
            if not lu.match.value.generic:
                units.setdefault(lu.match.value.canonical, lu.role)
        deadlines = [[str(d.match.value.date) if d.match.value.date else None, d.match.value.kind]
                     for d in ob.deadlines]
        out.append({"text": doc.text[ob.start:ob.end], "modality": ob.modality, "units": units,
                    "deadlines": deadlines})
    return out


@pytest.mark.parametrize("case", params(EXAMPLES))
def test_obligation_examples(case):
    got = built(case.text, case.given)
    matched = set()
    for want in case.expect:
        hits = [i for i, ob in enumerate(got) if _compact(want["anchor"]) in _compact(ob["text"])]
        assert len(hits) == 1, f"{want['anchor']}: {[got[i]['text'][:30] for i in hits]}"
        ob = got[hits[0]]
        matched.add(hits[0])
        assert (ob["modality"], ob["units"]) == (want["modality"], want["units"]), want["anchor"]
        if "deadlines" in want:
            assert ob["deadlines"] == [[str(d) if d else None, k] for d, k in want["deadlines"]], want["anchor"]
    if case.given.get("exhaustive"):
        assert [ob["text"][:40] for i, ob in enumerate(got) if i not in matched] == []


def test_the_example_table_has_duties_negatives_and_unsolved_passages():
    assert sum(bool(c.expect) for c in EXAMPLES) >= 10
    assert sum(not c.expect and c.given.get("exhaustive") for c in EXAMPLES) >= 4
    assert any(c.xfail for c in EXAMPLES)


@pytest.fixture(scope="module")
def plan():
    return extraction(DOCS / "plan-with-bracket-units.txt")


def test_bracket_units_apply_to_their_item(plan):
    units, deadlines, _ = summary(plan, "每百户不低于30平方米")
    assert units == {"民政": "lead", "自然资源": "lead", "住房城乡建设": "cooperate", "人民政府": "cooperate"}
    assert deadlines == set()


def test_bracket_roles_join_the_sentence_subject(plan):
    units, deadlines, _ = summary(plan, "完成辖区内医养结合机构摸底")
    assert units == {"人民政府": "implement", "卫生健康": "lead", "民政": "cooperate", "医疗保障": "cooperate"}
    assert deadlines == {("2023-06-30", "by")}


def test_bracket_time_limit_and_prohibition(plan):
    units, deadlines, modality = summary(plan, "不得擅自改变养老服务设施用途")
    assert (units, deadlines, modality) == ({"人民政府": "implement"}, {(None, "ongoing")}, "prohibit")


def test_a_body_with_its_own_sentence_keeps_its_own_limit(plan):
    assert summary(plan, "各区县要在2023年12月底前")[1] == {("2023-12-31", "by")}
    assert summary(plan, "市财政局要加强资金保障") == ({"财政": "lead"}, set(), "must")


def test_titles_and_forwarding_lines_are_not_duties(plan):
    texts = [o.text for o in plan.obligations]
    assert not any(t.startswith("青岛市养老服务设施建设三年行动方案") for t in texts)
    assert not any("现印发给你们" in t for t in texts)


def test_task_table_columns_give_units_roles_and_deadlines():
    ex = extraction(DOCS / "task-table-with-columns.txt")
    assert len(ex.obligations) == 3  # the header row is no duty
    # two bodies share the 推进单位 cell: the first-listed leads, the other cooperates (docs/EXTRACTION.md)
    assert summary(ex, "制定社区嵌入式服务设施建设规划")[:2] == (
        {"发展改革": "lead", "自然资源": "cooperate"}, {("2024-06-30", "by")})
    assert summary(ex, "开展既有住宅小区配套设施摸底排查")[:2] == (
        {"住房城乡建设": "lead", "人民政府": "implement"}, {("2024-03-31", "by")})
    assert summary(ex, "建立设施运营监管制度")[:2] == ({"民政": "lead"}, {(None, "ongoing")})


def test_seed_task_table_has_one_obligation_per_row():
    ex = extraction(CORPUS / "zibo-2020-34-annex2-task-table.txt")
    assert len(ex.obligations) == 20
    units, deadlines, _ = summary(ex, "充实市国土空间规划委员会")
    assert (units, deadlines) == ({"自然资源": "lead"}, {("2020-09-30", "by")})


def test_reply_letter_keeps_courtesy_and_narration_out():
    ex = extraction(CORPUS / "jiangjin-2023-277-reply.txt")
    texts = "".join(o.text for o in ex.obligations)
    for phrase in ("感谢您", "已收悉", "请通过填写回执", "抄送"):
        assert phrase not in texts
    units, _, modality = summary(ex, "纳入我区的经济社会发展规划")
    assert (units, modality) == ({"发展改革": "lead"}, "encourage")


def test_a_completion_sentence_governs_its_item_across_a_page_break():
    ex = extraction(CORPUS / "zibo-2020-34-opinion.txt")
    assert summary(ex, "各区县要对照台账所列的问题")[1] == {("2021-12-31", "by")}
    # 其中 narrows the scope: the kindergarten work has its own, earlier limit
    assert summary(ex, "幼儿园专项整治工作必须")[1] == {("2020-12-31", "by")}


@needs(EXTRA)
def test_regulation_articles_are_duties_but_not_its_history_purpose_or_scope():
    ex = extraction(EXTRA / "qingdao-2018-yanglao-fuwu-cujin-tiaoli.md")
    texts = [o.text for o in ex.obligations]
    assert not any("人民代表大会常务委员会" in t and "批准" in t for t in texts)  # adoption history
    assert not any(t.startswith("第一条") for t in texts)  # 为了…制定本条例
    units, _, modality = summary(ex, "民政部门负责本行政区域内养老服务工作")
    assert (units, modality) == ({"民政": "lead"}, "must")
    assert summary(ex, "不得擅自改变养老服务设施建设用地用途")[2] == "prohibit"


@pytest.mark.parametrize("sentence, duty", [
    ("2018年11月，党中央、国务院印发《关于学前教育深化改革规范发展的若干意见》，提出规范小区配套幼儿园建设使用。", False),
    ("近年来，我市社区配套设施建设取得明显成效。", False),
    ("2002年到2005年，国务院信息办连续四年组织对国务院部委及直属机构网站进行绩效评估。", False),
    ("开展城市社区嵌入式服务设施建设是新时代新征程党中央、国务院部署的重大民生工程。", False),
    ("本条例所称养老服务设施，是指为老年人提供生活照料、康复护理等服务的设施。", False),
    ("本条例自2021年12月1日起施行。", False),
    ("为贯彻落实党中央决策部署，现就有关事项通知如下：", False),
    ("2023年底前，各区县要完成摸底排查。", True),
    ("近年来出台的政策，各地要认真落实。", True),
    ("优先实施排水防涝设施建设、雨污水管网混错接改造。", True),
    # background of an old national notice (corpus-dev govcn, rewritten): a period up to now, 当时
    ("改革开放四十多年来，我国城市建设取得了巨大成就。", False),
    ("当时，对挂钩奖售粮的供应价格问题未作规定。", False),
])
def test_which_sentences_state_a_duty(sentence, duty):
    from extractors.obligations import is_duty_sentence
    from extractors.structure import Unit
    assert is_duty_sentence(sentence, Unit(0, len(sentence), 0, "sentence", ""), "notice", False) is duty


@pytest.mark.parametrize("sentence, issued_year, duty", [
    # a year before the document's own opens a report of the past (govcn 1996 notice, rewritten)
    ("1995年全国共发生5级以上地震四十余次，明显高于多年平均水平。", 1996, False),
    ("一九八〇年九月国务院批转有关报告，决定在适宜地区实行挂钩办法。", 1981, False),
    # the document's own year or a later one opens a plan's target
    ("2019年垃圾焚烧设施开工建设，一季度完成规划选址。", 2019, True),
    ("2020年初步建成300个示范性职业教育集团。", 2019, True),
    # a modal verb directs whatever the year
    ("2018年底前未完成的，各区要在2019年3月底前完成整改。", 2019, True),
    # no issue date: the year says nothing
    ("1995年全国共发生5级以上地震四十余次。", None, True),
    # a dated opening with no modal verb: a plan's step when not before the document's month
    # (ANNOTATION.md's example), a report when earlier (govcn 通知 background, rewritten)
    ("2019年9月，印发年度工作方案；", 2019, True),
    ("2020年4月，完成城市体检数据采集。", 2019, True),
    ("2019年3月，党中央、国务院印发有关意见。", 2019, False),
    ("2019年9月，印发年度工作方案；", None, False),
])
def test_a_sentence_opening_in_the_past_reports(sentence, issued_year, duty):
    from extractors.obligations import is_duty_sentence
    from extractors.structure import Unit
    unit = Unit(0, len(sentence), 0, "sentence", "")
    issued = dt.date(issued_year, 6, 30) if issued_year else None
    assert is_duty_sentence(sentence, unit, "notice", False, issued) is duty


def test_a_reply_names_its_issuer_as_我局(tmp_path):
    letter = tmp_path / "reply.txt"
    letter.write_text("重庆市江津区民政局\n关于区政协提案办理情况的答复函\n张委员：\n您提出的建议已收悉。\n"
                      "我局将会同区财政局加强社区服务设施建设资金保障，于2024年6月底前完成排查。\n"
                      "重庆市江津区民政局\n2024年3月1日\n", encoding="utf-8")
    ex = extraction(letter)
    assert summary(ex, "我局将会同区财政局") == ({"民政": "lead", "财政": "cooperate"}, {("2024-06-30", "by")}, "must")


@needs(EXTRA)
def test_a_lead_in_gives_its_doers_to_the_list_items():
    ex = extraction(EXTRA / "shaoxing-2021-jujia-yanglao-fuwu-tiaoli.md")
    # 第四条 乡镇人民政府、街道办事处负责辖区内居家养老服务工作，履行下列职责：（一）落实…；（二）建设…；
    assert summary(ex, "负责辖区内居家养老服务工作")[0] == {"镇街": "lead"}  # 负责: lead
    assert summary(ex, "落实政府购买居家养老社会服务")[0] == {"镇街": "lead"}
    assert summary(ex, "建设、运营、维护、管理居家养老服务设施")[0] == {"镇街": "lead"}


@pytest.fixture(scope="module")
def work_plan():
    return extraction(DOCS / "work-plan-yearless-dates.txt")


def test_a_target_governs_what_follows_it_not_the_measures_before_it(work_plan):
    # 到2025年 closes the paragraph: the measures written before it are not due then
    assert summary(work_plan, "要推广秸秆就地还田技术")[1] == set()
    assert summary(work_plan, "秸秆综合利用率达到90%以上")[1] == {("2025-12-31", "by")}
    # 到2025年 opens the paragraph: the sentence after it inherits it
    assert summary(work_plan, "要补齐丘陵地区农机短板")[1] == {("2025-12-31", "by")}


def test_stages_without_a_year_take_the_year_of_the_plans_title(work_plan):
    assert summary(work_plan, "完成年度目标任务分解")[1] == {("2025-03-31", "by")}
    assert summary(work_plan, "完成公共建筑节能改造项目验收")[1] == {("2025-09-30", "by")}
    sources = {d.surface: d.year_source for d in work_plan.deadlines}
    assert sources["第一季度"] == "title" and sources["到2025年"] == "stated"


@pytest.fixture(scope="module")
def duty_lists():
    return extraction(DOCS / "duty-lists.txt")


def test_semicolon_clauses_are_duties_of_their_own(duty_lists):
    # 2026年6月底前，编制…，明确…；各街道要…: one per clause, the head's time limit for the first
    assert summary(duty_lists, "编制全区绿道布局规划")[1] == {("2026-06-30", "by")}
    assert summary(duty_lists, "各街道要结合城市更新")[0] == {"镇街": "implement"}


def test_a_body_heading_gives_each_listed_duty_its_body(duty_lists):
    # 二、职责分工 / （一）区建管委 / 牵头协调…，统筹推进…，负责…，在…期间，组织开展…
    for duty in ("牵头协调全区绿道建设工作", "统筹推进绿道规划编制", "负责绿道建设项目的审批和验收",
                 "组织开展绿道设施安全检查"):
        assert summary(duty_lists, duty)[0] == {"住房城乡建设": "lead"}, duty
    # a purpose clause (保障…) is no duty of its own
    assert "保障绿道日常养护经费" in next(o.text for o in duty_lists.obligations if "安排绿道建设年度预算" in o.text)


def test_items_of_a_duty_lead_in_are_cut_at_their_commas(duty_lists):
    texts = [o.text for o in duty_lists.obligations]
    assert "街道办事处应当落实属地责任，履行下列职责：" in texts  # the lead-in itself stays whole
    for duty in ("建立绿道巡查制度", "明确专人负责日常巡查", "及时处置设施损坏问题", "组织居民参与绿道共建共治",
                 "开展文明游园宣传"):
        assert summary(duty_lists, duty)[0] == {"镇街": "implement"}, duty


def test_ordinary_prose_is_not_cut_at_commas(duty_lists):
    assert summary(duty_lists, "区建管委要加快驿站建设，同步完善照明和标识系统")[0] == {"住房城乡建设": "lead"}


def test_an_assignment_bracket_does_not_set_the_modality(tmp_path):
    # （…等负责） names who answers; the duty itself is an encouragement (gov.cn 分工 documents)
    doc = tmp_path / "plan.txt"
    doc.write_text("关于推进农机装备发展的意见\n\n各省、自治区、直辖市人民政府：\n\n"
                   "（三）完善创新体系。鼓励企业开展高端农机装备工程化验证，加强与新型经营主体对接。"
                   "（工业和信息化部、科技部等负责）\n\n（四）加强质量监管。严格农机产品质量监管。（市场监管总局负责）\n",
                   encoding="utf-8")
    ex = extraction(doc)
    assert summary(ex, "鼓励企业开展高端农机装备工程化验证")[2] == "encourage"
    assert summary(ex, "鼓励企业开展高端农机装备工程化验证")[0] == {"工业和信息化": "lead", "科技": "cooperate"}
    assert summary(ex, "严格农机产品质量监管")[2] == "must"


def test_an_article_title_alone_on_its_line_is_a_heading_not_a_duty(tmp_path):
    # Shanghai 规章 and 规范性文件 print each article's title in brackets on a line of its own
    rules = tmp_path / "rules.txt"
    rules.write_text("某区公共租赁住房管理办法\n第一章总则\n第一条（目的和依据）\n"
                     "为了加强本区公共租赁住房管理，制定本办法。\n第二条 (职责分工)\n"
                     "区住房保障中心负责准入资格的审核工作。\n第三条（受理审核）运营公司应当在10个工作日内完成核查。\n",
                     encoding="utf-8")
    doc = read_document(rules)
    ex = analyze(doc, pipeline_version="test", ingested_at=NOW)
    texts = [o.text for o in ex.obligations]
    assert not any(t.rstrip().endswith(("（目的和依据）", "(职责分工)")) for t in texts), texts
    assert any(t.startswith("区住房保障中心负责准入资格的审核工作") for t in texts), texts
    assert any(t.startswith("第三条（受理审核）运营公司应当") for t in texts), texts
    kinds = {doc.text[b.start:b.end]: b.kind for b in doc.blocks}
    assert kinds["第一条（目的和依据）"] == "heading" and kinds["第二条 (职责分工)"] == "heading"


def test_a_reports_figures_are_no_quotas_but_its_norms_are(tmp_path):
    # synthetic set h (read after its blind scoring), rewritten: under 一、工作开展情况 a reply reports
    # what was done; what it built or spent is no quota, the norms it set are, and so are the
    # figures of what it will do
    ex = text_extraction(tmp_path, "关于市政协第126号提案的答复函\n民盟某市委会：\n您的提案收悉，现答复如下：\n"
                         "一、工作开展情况\n（一）完善标准。我局出台导则，绿地率不低于65%。越城区建成企业认养口袋公园11个，"
                         "收集意见1200余条。\n二、下一步工作打算\n（一）加快建设。我局将于2024年底前新建口袋公园20个。\n"
                         "某市自然资源和规划局\n2024年6月18日\n")
    assert sorted(q.surface for q in ex.quotas) == ["20个", "不低于65%"]


def test_a_plans_account_of_its_basis_holds_no_time_limit_and_its_own_title_cites_nothing(tmp_path):
    # synthetic set j (read after its blind scoring), rewritten: a 十五五 plan's 发展基础 reports the past
    # (“十四五”时期, 截至2025年11月); the excerpt's own title line is no citation
    ex = text_extraction(tmp_path, "某区“十五五”社区公共服务设施发展规划（节选）\n第一节　发展基础\n"
                         "“十四五”时期，全区社区公共服务设施建设取得明显成效。截至2025年11月，全区共有社区养老服务设施312处。\n"
                         "第二节　主要任务\n（一）完善养老服务网络。到2027年，每个街道建成1家综合性养老服务中心。（区民政局牵头）\n"
                         "某区人民政府\n2025年12月26日\n")
    assert [d.surface for d in ex.deadlines] == ["到2027年"]
    assert ex.citations == []


def test_a_stage_title_before_its_work_is_no_duty():
    # synthetic set j (read after its blind scoring), rewritten: 第一阶段（…）：动员部署。 names the stage
    # whose work the next sentences of its paragraph give; a stage whose text is its work stays a duty
    text = ("五、时间安排\n第一阶段（2025年4月—5月）：动员部署和自查自改。各乡镇制定实施方案，召开动员会议。\n"
            "第二阶段（2025年6月—9月）：集中排查整治。县领导小组组建6个督导组，开展明查暗访。\n"
            "第三阶段（2025年10月—11月）：全面总结专项行动开展情况，形成总结报告。\n")
    found = built(text, {"doc_type": "plan", "issued": "2025-04-03"})
    assert not any(o["text"].startswith(("第一阶段", "第二阶段")) for o in found), found
    assert any(o["text"].startswith("第三阶段") for o in found), found
    assert [o["deadlines"] for o in found if o["text"].startswith("各乡镇")] == [[["2025-05-31", "by"]]]
