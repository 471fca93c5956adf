"""`obligations sql` in a terminal: a result too wide for it is shown one record at a time with every
value whole, not as a grid of cut cells; and the README's pandas example works as written."""
from __future__ import annotations

from typer.testing import CliRunner

from pipeline import connect
from pipeline.cli.layout import print_vertical, table_fits
from pipeline.cli.main import app

WIDE_QUERY = "SELECT doc_id, title, jurisdiction, doc_type, issued_date, n_chars FROM documents ORDER BY doc_id"


def _sql(db, query, columns):
    return CliRunner().invoke(app, ["sql", query, "--db", str(db)], env={"COLUMNS": str(columns)})


def test_a_wide_result_in_a_narrow_terminal_is_shown_one_record_at_a_time(corpus_db):
    con = connect(corpus_db)
    rows = con.execute(WIDE_QUERY).fetchall()
    con.close()
    out = _sql(corpus_db, WIDE_QUERY, 80)
    assert out.exit_code == 0, out.output
    assert "do not fit a terminal 80 characters wide" in out.output
    assert out.output.count("-[ ") == len(rows)
    # every value whole: the 64-character ids and the long titles, which a table of 80 characters cut
    for doc_id, title, *_ in rows:
        assert f"doc_id       | {doc_id}\n" in out.output
        assert f"title        | {title or ''}\n" in out.output


def test_the_same_result_in_a_wide_terminal_and_a_narrow_result_stay_tables(corpus_db):
    wide = _sql(corpus_db, WIDE_QUERY, 250)
    assert wide.exit_code == 0 and "┃ doc_id" in wide.output and "-[ 1 ]" not in wide.output
    narrow = _sql(corpus_db, "SELECT format, count(*) AS n FROM documents GROUP BY 1 ORDER BY 1", 80)
    assert "┃ format" in narrow.output and "do not fit" not in narrow.output


def test_table_fits_counts_chinese_characters_as_two_cells_and_caps_long_cells():
    assert table_fits(["a", "b"], [("x" * 30, "y" * 30)], 80)
    assert not table_fits(["a", "b"], [("中" * 30, "文" * 30)], 80)  # 60 + 60 cells
    # a long text needs only a readable width: it wraps inside its column
    assert table_fits(["jurisdiction", "text"], [("上海市宝山区", "要" * 300)], 80)
    assert not table_fits([f"c{i}" for i in range(12)], [tuple("v" * 12 for _ in range(12))], 80)


def test_vertical_layout_aligns_names_and_keeps_empty_values():
    import io
    buf = io.StringIO()
    print_vertical(["id", "jurisdiction"], [(1, None), (2, "上海市宝山区")], buf)
    assert buf.getvalue().splitlines() == [
        "-[ 1 ]----------", "id           | 1", "jurisdiction | ",
        "-[ 2 ]----------", "id           | 2", "jurisdiction | 上海市宝山区"]


def test_readme_pandas_example(corpus_db):
    con = connect(corpus_db)  # the README: con.sql("SELECT * FROM v_obligations").df()
    df = con.sql("SELECT * FROM v_obligations").df()
    n = con.execute("SELECT count(*) FROM obligations").fetchone()[0]
    con.close()
    assert len(df) == n > 0 and {"jurisdiction", "lead_units", "due_date"} <= set(df.columns)
