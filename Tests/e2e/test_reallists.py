"""Real case lists through the binary (issue 18): the lists of Tests/reallists load as published,
their unknown columns answer queries, .schema lists them, and the exit codes say what happened."""

import csv
import io
import os
import shutil
import sqlite3

from e2elib import ROOT, Results, binary, run, tempdir

R = Results()
LISTS = os.path.join(ROOT, "Tests", "reallists")
TMP = tempdir()


def rows(stdout):
    return list(csv.reader(io.StringIO(stdout)))


def test_notice_table_loads_with_notes():
    p = run([os.path.join(LISTS, "notice-province.csv"), "--kind", "suggestion", "--csv", "-c",
             "select id, proposer, co_units from cases"])
    R.eq(p.returncode, 0, "a notice's table with title rows, 合计 and 注 loads (exit 0)")
    R.eq(rows(p.stdout), [["id", "proposer", "co_units"], ["1001", "周明远", "省发展改革委;省财政厅"],
                          ["1002", "黄丽娟", "省商务厅;省邮政管理局"], ["1015", "曾庆华", ""], ["1016", "罗晓燕", "省卫生健康委"]],
         "its four cases, people and units as they are meant")
    R.check("the header is on line 4" in p.stderr and "6 rows are not a case, skipped" in p.stderr,
            "the skipped rows are said, on stderr", p.stderr)


def test_extra_columns_answer_queries():
    path = os.path.join(LISTS, "npc-city-system.csv")
    p = run([path, "--csv", "-c", 'count cases where 代表团 = "临汝镇代表团"', "-c", "count cases group by 届次"])
    R.check(p.returncode == 0 and rows(p.stdout) == [["count"], ["2"], ["届次", "count"], ["十五届三次", "4"]],
            "a column caseql has no field for is queried by its header", p.stdout + p.stderr)
    p = run([path, "-c", ".schema cases"])
    R.check("代表团" in p.stdout and "a column of the file, kept as text" in p.stdout
            and "(no data: not in the file)" in p.stdout and "headers also: 案号" in p.stdout,
            ".schema lists the kept columns, the fields without data and the aliases", p.stdout)
    p = run([path, "--csv", "-c", 'count cases where proposer = "顾建英"'])
    R.check(p.returncode == 0 and rows(p.stdout) == [["count"], ["1"]], "顾建英代表 is proposer 顾建英", p.stdout + p.stderr)


def test_html_xls_and_workbooks():
    p = run([os.path.join(LISTS, "npc-system-export.xls"), "--kind", "建议", "--csv", "-c", "select id, status from cases"])
    R.check(p.returncode == 0 and rows(p.stdout)[1:] == [["2023001", "replied"], ["2023002", "in_progress"], ["2023003", "closed"]],
            "an HTML table saved as .xls is read", p.stdout + p.stderr)
    xlsx = os.path.join(TMP, "list.xlsx")
    with open(xlsx, "wb") as f:
        f.write(b"PK\x03\x04" + b"\x00" * 60)
    p = run([xlsx, "-c", "count cases"])
    # Workbooks are read now: a file with a ZIP signature and no ZIP directory is a cut-short one.
    R.check(p.returncode == 1 and "the workbook is truncated" in p.stderr and "--lenient" not in p.stderr,
            "a broken workbook is named as one, without a --lenient hint", p.stderr)


def test_lenient_that_keeps_nothing_fails():
    path = os.path.join(TMP, "allbad.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("编号,案由,交办日期\nC-1,甲,2020-02-31\nC-2,乙,2020-13-01\n")
    p = run([path, "--lenient", "-c", "count cases"])
    R.check(p.returncode == 1 and "every row was rejected" in p.stderr and "use --lenient" not in p.stderr,
            "--lenient that keeps no row: exit 1, no --lenient hint", p.stderr)
    p = run([path, "-c", "count cases"])
    R.check(p.returncode == 1 and "use --lenient" in p.stderr, "without --lenient the hint is there (it helps)", p.stderr)
    p = run([os.path.join(LISTS, "best-suggestions.csv"), "--kind", "nonsense", "-c", "count cases"])
    R.eq(p.returncode, 2, "--kind with a word that is no kind: usage error (exit 2)")


def test_open_categories_against_sqlite():
    path = os.path.join(LISTS, "npc-city-system.csv")
    p = run([path, "--csv", "-c", "select category, count from cases group by category"])
    got = sorted(tuple(r) for r in rows(p.stdout)[1:])
    db = sqlite3.connect(":memory:")
    with open(path, encoding="utf-8") as f:
        body = list(csv.reader(f))
    db.execute("create table cases (category text)")
    db.executemany("insert into cases values (?)", [(r[body[0].index("建议类别")],) for r in body[1:]])
    want = sorted((c, str(n)) for c, n in db.execute("select category, count(*) from cases group by category"))
    R.check(p.returncode == 0 and got == want, "without a manifest list, category is the list's own words (as sqlite3 counts them)",
            f"{got} vs {want} {p.stderr}")


def test_manifest_category_list_and_classes():
    d = os.path.join(LISTS, "npc-province-scheme")
    p = run([d, "--csv", "-c", "select category, count from cases group by category",
             "-c", "count cases where category = 三农", "-c", "count cases where resolution = 逐步解决"])
    R.eq(rows(p.stdout), [["category", "count"], ["经济建设", "1"], ["城乡建设", "1"], ["社会事业", "1"], ["农业农村", "2"],
                          ["政治法律", "1"], ["count"], ["2"], ["count"], ["3"]],
         "the manifest's category list groups in its order, its aliases and the province's class words query")
    p = run([d, "-c", "count cases where category = 城乡建"])
    R.check(p.returncode == 1 and "did you mean `城乡建设`?" in p.stderr, "a word outside the list in a query: exit 1, the nearest", p.stderr)
    p = run([d, "-c", ".check class-mismatch"])
    R.check(p.returncode == 0 and "解决程度 A/B/C" in p.stdout, ".check states the manifest's classes", p.stdout + p.stderr)
    bad = os.path.join(TMP, "scheme")
    shutil.copytree(d, bad)
    with open(os.path.join(bad, "cases.csv"), encoding="utf-8") as f:
        text = f.read()
    with open(os.path.join(bad, "cases.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(text.replace(",城乡建设,", ",城市建设,"))
    p = run([bad, "-c", "count cases"])
    R.check(p.returncode == 1 and "cases.csv:3:" in p.stderr and '"城市建设" is not a category' in p.stderr
            and "did you mean 城乡建设?" in p.stderr, "a category outside the manifest's list: a load error with the nearest", p.stderr)


def test_delegations_and_progress_prose():
    p = run([os.path.join(LISTS, "npc-county-progress.csv"), "--kind", "suggestion", "--csv", "-c",
             'select id, 办理情况 from cases where 代表团 = "城南镇代表团"'])
    R.check(p.returncode == 0 and rows(p.stdout) == [["id", "办理情况"], ["17-3-001", "已召开座谈会，列入2022年改造计划"], ["17-3-003", "正在办理"]],
            "办理情况 over prose is kept as text, 代表团 is queried", p.stdout + p.stderr)
    R.check('"代表团" (a delegation)' in p.stderr and "perhaps" not in p.stderr and '"办理情况" (its values' in p.stderr,
            "the note says what 代表团 holds and why 办理情况 is not status", p.stderr)


def test_shared_lead_units():
    d = os.path.join(LISTS, "cppcc-city")
    p = run([d, "-c", 'count cases where unit = "姑苏区人民政府"'])
    R.check(p.returncode == 1 and '分办单位 = "姑苏区人民政府" finds every case it leads' in p.stderr,
            "unit = a unit that leads only with others (分办): exit 1, told where its cases are", p.stderr)
    p = run([d, "--csv", "-c", 'select id from cases where 分办单位 = "姑苏区人民政府"',
             "-c", "select 分办单位, count from cases group by each 分办单位 order by 分办单位"])
    R.check(p.returncode == 0 and rows(p.stdout)[:2] == [["id"], ["0101"]]
            and sum(int(r[1]) for r in rows(p.stdout)[3:]) == 4,
            "unit is the first lead unit; 分办单位 = finds every case a unit leads, group by each counts each", p.stdout + p.stderr)


def main():
    binary()
    for t in [test_notice_table_loads_with_notes, test_extra_columns_answer_queries, test_html_xls_and_workbooks,
              test_lenient_that_keeps_nothing_fails, test_open_categories_against_sqlite,
              test_manifest_category_list_and_classes, test_delegations_and_progress_prose, test_shared_lead_units]:
        R.case(t)
    shutil.rmtree(TMP, ignore_errors=True)
    R.finish()


if __name__ == "__main__":
    main()
