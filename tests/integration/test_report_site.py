"""The offline audit site (`juesuan report`): ranking, totals, charts, Chinese names, evidence, and
the filters in a real browser (headless Chromium from Debian, driven by Selenium; nothing is
downloaded at run time)."""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest

from juesuan.cli import main
from juesuan.report import NINE_TABLES, OTHER_SOURCES

CHROMIUM = os.environ.get("JUESUAN_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("JUESUAN_CHROMEDRIVER", "/usr/bin/chromedriver")
DOC_004 = "2022_uba35faa74b_department_28896299"  # 武汉市洪山区企业服务中心 2022, the one error


def severity_counts(warehouse: Path) -> dict[str, str]:
    """Current, unwaived findings by severity, as the index's totals should show them."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        has_waived = con.execute("""select count(*) from information_schema.columns where table_schema = 'audit'
                                    and table_name = 'findings' and column_name = 'waived'""").fetchone()[0]
        rows = con.execute(f"""select f.severity, count(*) from audit.findings f join marts.dim_document d
                               using (document_id) where d.is_current
                               {"and not coalesce(f.waived, false)" if has_waived else ""} group by 1""").fetchall()
    return {s: str(dict(rows).get(s, 0)) for s in ("error", "warning", "info")}


@pytest.fixture(scope="module")
def site(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    assert main(["-q", "report", "--warehouse", str(sample_warehouse), "--out", str(out)]) == 0
    return out


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<title>.*?</title>", " ", page, flags=re.S)  # SVG titles are tooltips: keep them
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_index_ranks_the_report_with_the_error_first_with_totals_and_charts(site: Path, sample_warehouse: Path):
    page = (site / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="doc" data-doc="([^"]+)"', page)
    assert rows[0] == DOC_004 and len(rows) == 4
    first = page[page.index(f'data-doc="{DOC_004}"'):]
    first = first[:first.index("</tr>")]
    assert "武汉市洪山区企业服务中心" in first and ">2022<" in first
    totals = dict(re.findall(r'data-total="(\w+)"><div class="n">(\d+)<', page))
    assert totals == severity_counts(sample_warehouse) and totals["error"] == "1"
    assert page.count("<svg") >= 2 and "按类别的审计发现" in page and "按单位的审计发现" in page
    for name in ("sev", "cat", "rule", "unit", "year", "ver", "q"):
        assert f'name="{name}"' in page


def test_no_page_loads_anything_and_no_english_table_keys(site: Path):
    keys = set(NINE_TABLES) | set(OTHER_SOURCES)
    pages = sorted(site.glob("*.html"))
    assert len(pages) == 5
    for p in pages:
        page = p.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), p.name
        assert "@import" not in page and "url(" not in page and "<link" not in page, p.name
        assert '"Noto Sans CJK SC"' in page  # the CJK font stack
        text = visible_text(page)
        leaked = sorted(k for k in keys if re.search(rf"(?<![A-Za-z_]){k}(?![A-Za-z_])", text))
        assert leaked == [], (p.name, leaked)
        assert "tables were images" not in text and "budget execution" not in text


def test_report_page_shows_the_error_with_its_figures_highlighted(site: Path):
    page = (site / f"{DOC_004}.html").read_text(encoding="utf-8")
    error = page[page.index('<section class="finding error"'):]
    error = error[:error.index("</section>")]
    assert "CR02" in error and "第 215 行" in error and "情况说明·预算执行情况" in error
    # the narrative sentence with the stated rate marked, and the rate table with both rates
    assert re.search(r'<mark class="hl hl-\w+">97\.2</mark>', error)
    assert re.search(r'<mark class="hl hl-input">1236\.24</mark>', error)
    assert re.search(r'<td class="num hl hl-\w+">97\.2%</td>', error)
    assert re.search(r'<td class="num hl hl-\w+">102\.91%</td>', error)
    # the nine tables printed as images are one note (info: a narrative-only report) that lists them
    note = page[page.index('data-rule="CP01"'):]
    note = note[:note.index("</section>")]
    assert 'data-sev="info"' in page[page.index('data-rule="CP01"') - 120:page.index('data-rule="CP01"')]
    assert "全部 9 张表未能读取" in note and "表09《财政拨款“三公”经费支出决算表》" in note
    # table names in Chinese with the number the report uses
    assert "表09 财政拨款“三公”经费支出决算表" in page
    assert "表格以图片印刷" in page
    # charts: spending by class, basic/project split, rates against 100 %, the unit over the years
    for title in ("支出按功能分类（类）", "基本支出与项目支出", "完成率：列示与按金额复核", "本单位历年金额"):
        assert title in page
    assert "2023 年（单位决算）" in page  # 洪山's 2023 report is a unit report


def test_table_finding_shows_the_printed_rows_with_the_compared_cells(tmp_path: Path):
    """A within-table finding on a printed table: the row as printed, both cells marked."""
    from juesuan.report import Finding, TableRow, _table_excerpt, _targets

    rows = [TableRow(101, None, "一、一般公共预算财政拨款收入\t1\t365.07\t一、一般公共服务支出\t31\t261.34", set(), set()),
            TableRow(127, None, "本年收入合计\t27\t365.27\t本年支出合计\t57\t365.47", set(), set()),
            TableRow(130, 5, "总计\t30\t375.17\t总计\t60\t365.37", set(), set())]
    f = Finding("k", "d", "WT04", "within_table", "error", "", "summary", "表01", None, "",
                expected=365.27, actual=365.07, difference=-0.2, message="", source_line=127,
                source_page=None, waived=False)
    x = _table_excerpt("表01 收入支出决算总表", rows, f, _targets(f))
    marked = {(r.loc, c.text, c.cls) for r in x.rows for c in r.cells if c.cls}
    assert marked == {("127 行", "365.27", "hl hl-expected"), ("101 行", "365.07", "hl hl-actual")}
    assert [r.cls for r in x.rows] == ["", "hl-row", ""]
    assert x.rows[2].loc == "5 页 · 130 行"


def test_waived_column_is_shown_when_the_warehouse_has_it(sample_warehouse: Path, tmp_path: Path):
    copy = tmp_path / "w.duckdb"
    shutil.copyfile(sample_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        if not con.execute("""select count(*) from information_schema.columns where table_schema = 'audit'
                              and table_name = 'findings' and column_name = 'waived'""").fetchone()[0]:
            con.execute("alter table audit.findings add column waived boolean")  # a warehouse from before waivers
        con.execute("update audit.findings set waived = (rule_id = 'DW01')")
    before = int(severity_counts(sample_warehouse)["warning"])
    out = tmp_path / "site"
    assert main(["-q", "report", "--warehouse", str(copy), "--out", str(out)]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'name="waived"' in page and "已豁免" in page
    assert page.count('data-waived="1"') == 3
    totals = dict(re.findall(r'data-total="(\w+)"><div class="n">(\d+)<', page))
    assert totals["warning"] == str(before - 3)  # less the three waived DW01


# --------------------------------------------------------------------------- in a browser


def _browser():
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.skip(f"headless browser test needs Debian's chromium and chromium-driver ({CHROMIUM}, "
                    f"{CHROMEDRIVER}): apt-get install chromium chromium-driver (make test does it as root)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed: pip install -e '.[dev]'")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="juesuan-chromium-")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}", "--window-size=1300,1000"):
        opts.add_argument(arg)
    # an explicit driver path: Selenium Manager never tries to download one
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.implicitly_wait(0)
    return driver, profile


def _screenshot(driver, path: Path) -> None:
    """The whole page, not only the window (Chrome DevTools' capture beyond the viewport)."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 10000), "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


def _shown(driver, selector: str) -> list:
    return [e for e in driver.find_elements("css selector", selector) if e.is_displayed()]


def test_filters_and_the_highlighted_cell_in_a_real_browser(site: Path, sample_warehouse: Path, tmp_path: Path):
    from selenium.webdriver.support.ui import Select

    total = sum(int(n) for n in severity_counts(sample_warehouse).values())
    driver, profile = _browser()
    try:
        driver.get((site / "index.html").as_uri())
        _screenshot(driver, tmp_path / "index.png")
        docs = _shown(driver, "tr.doc")
        assert [d.get_attribute("data-doc") for d in docs][0] == DOC_004
        assert f"显示 4 份报告、{total} 条审计发现" in driver.find_element("id", "status").text

        Select(driver.find_element("name", "sev")).select_by_value("error")
        docs = _shown(driver, "tr.doc")
        assert [d.get_attribute("data-doc") for d in docs] == [DOC_004]
        assert [f.get_attribute("data-rule") for f in _shown(driver, "tr.finding")] == ["CR02"]
        assert "#sev=error" in driver.current_url
        _screenshot(driver, tmp_path / "index-errors.png")

        Select(driver.find_element("name", "sev")).select_by_value("")
        Select(driver.find_element("name", "cat")).select_by_value("direction_wording")
        assert [d.get_attribute("data-doc") for d in _shown(driver, "tr.doc")] == [
            "2024_ue2ebf264ef_department_b8482e97"]
        counts = [c.text for c in _shown(driver, "tr.doc td[data-count]")]
        assert counts == ["0", "3", "0"]  # the row's counts follow the filter
        Select(driver.find_element("name", "cat")).select_by_value("")
        search = driver.find_element("name", "q")
        search.send_keys("房租补贴")
        assert {f.get_attribute("data-rule") for f in _shown(driver, "tr.finding")} == {"CQ05"}
        search.clear()
        search.send_keys(" ")  # fire input; an empty search shows everything again
        assert len(_shown(driver, "tr.finding")) == total

        # follow the error to its report page
        Select(driver.find_element("name", "sev")).select_by_value("error")
        _shown(driver, "tr.finding a")[0].click()
        assert driver.current_url.split("#")[0].endswith(f"{DOC_004}.html")
        section = driver.find_element("css selector", "section.finding.error")
        assert "CR02" in section.text
        cells = [c for c in section.find_elements("css selector", "td.hl") if c.is_displayed()]
        assert "97.2%" in [c.text for c in cells]
        marked = [m.text for m in section.find_elements("css selector", "mark.hl")]
        assert "97.2" in marked and "1272.19" in marked
        background = cells[0].value_of_css_property("background-color")
        assert background not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")  # really highlighted
        # nothing was fetched: every style and script is inline
        assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
        _screenshot(driver, tmp_path / "report-004.png")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    for name in ("index.png", "index-errors.png", "report-004.png"):
        assert (tmp_path / name).stat().st_size > 10_000
    print(f"screenshots in {tmp_path}")
