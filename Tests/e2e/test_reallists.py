"""Real case lists through the binary (issue 18): the lists of Tests/reallists load as published,
their unknown columns answer queries, .schema lists them, and the exit codes say what happened."""

import csv
import io
import os
import shutil

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
    # Workbooks are read now: a file with a ZIP signature and no ZIP directory is a broken one.
    R.check(p.returncode == 1 and "not an .xlsx workbook" in p.stderr and "--lenient" not in p.stderr,
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


def main():
    binary()
    for t in [test_notice_table_loads_with_notes, test_extra_columns_answer_queries, test_html_xls_and_workbooks,
              test_lenient_that_keeps_nothing_fails]:
        R.case(t)
    shutil.rmtree(TMP, ignore_errors=True)
    R.finish()


if __name__ == "__main__":
    main()
