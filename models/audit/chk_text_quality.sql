-- depends_on: {{ ref('text_quality_patterns') }}
-- Text quality, TQ01–TQ07 (category text_quality), read from the report's full text
-- (raw.document_lines, page for a PDF), the tables' places (raw.table_presence) and amounts
-- (raw.table_cells). The text lists are the seed text_quality_patterns (seeds/_text_quality.yml),
-- inlined as constant regular expressions (macros/text_quality.sql); the two template orders of
-- the nine tables are layout_tables.std_no (公开01–09表) and no_2020 (表1–表9, the 2024 national
-- template's order).
--   TQ01 a placeholder or template instruction left in (XX局, ××, 待填写, 增加（减少）)
--   TQ02 a heading or 截至…12月31日 whose year is not the fiscal year
--   TQ03 a doubled word (预算预算) or doubled punctuation (。。)
--   TQ04 an empty table without its statement (本表无数据 …) in the lines below its title
--   TQ05 such a statement beside a table that prints amounts other than 0
--   TQ06 the tables in neither template order
--   TQ07 a negative amount where the template allows none
-- Figure-less rules: expected, actual and tolerance are null (DESIGN §3); a failing check carries
-- its Chinese message and a passing one none, which the template no_text_problem validates.
-- TQ01–TQ03 give one check per offending line and one passing check per document without any;
-- TQ01–TQ05 need the text: a document without text lines is recorded as CP03 (not evaluable),
-- never a silent pass.
{%- set p = text_quality_patterns() %}

with documents as (
    select
        document_id,
        fiscal_year
    from {{ scoped_ref('stg_reports__documents') }}
),

-- non-blank lines; compact_text without any whitespace (PDF text spaces out 2024 年 12 月)
all_lines as (
    select
        document_id,
        source_line,
        source_page,
        line_text,
        {{ no_whitespace('line_text') }} as compact_text
    from {{ scoped_ref('stg_reports__document_lines') }}
),

lines as (
    select *
    from all_lines
    where compact_text != ''
),

-- the documents whose text is read: the others are not evaluated by TQ01–TQ05 (CP03 says so)
texted as (
    select distinct document_id
    from lines
),

-- a line and the next non-blank one: a phrase the PDF or pdftotext wrapped (增加（减 / 少）)
windows as (
    select
        *,
        concat(rtrim(line_text), ltrim(coalesce(lead(line_text) over w, ''))) as window_text,
        concat(compact_text, coalesce(lead(compact_text) over w, '')) as compact_window
    from lines
    window w as (partition by document_id order by source_line)
),

-- the lines any text list of TQ01–TQ05 matches, found in one pass over the text: the rules then
-- read these few (at 10,000 reports, 0.3 M of 3 M lines) instead of every line once per rule
flagged as materialized (
    select *
    from windows
    {%- set flag_tests = [] %}
    {%- for kind, text in [
        ('placeholder', 'window_text'), ('year_heading', 'compact_text'), ('year_phrase', 'compact_window'),
        ('doubled_punctuation', 'line_text'), ('no_data_statement', 'compact_window')
    ] if p.get(kind) %}
        {%- do flag_tests.append('regexp_matches(' ~ text ~ ', ' ~ tq_alternation(p, kind) ~ ')') %}
    {%- endfor %}
    where {{ flag_tests | join(' or ') or 'false' }}
),

-- the nine tables where their titles were found, with the number and title a message shows
located as (
    select
        t.document_id,
        t.table_key,
        t.status,
        t.source_line,
        t.page_no as source_page,
        d.fiscal_year,
        lt.title_zh,
        lt.std_no,
        lt.no_2020,
        concat(
            '表', coalesce(nullif(t.table_no, ''), case when d.fiscal_year <= 2020 then lpad(lt.no_2020, 2, '0') else lt.std_no end),
            '《', coalesce(lt.title_zh, t.table_key), '》'
        ) as table_label
    from {{ scoped_ref('stg_reports__table_presence') }} as t
    inner join documents as d on t.document_id = d.document_id
    left join {{ ref('layout_tables') }} as lt on t.table_key = lt.table_key
    where t.source_line is not null and t.status in ('parsed', 'empty')
),

part_headings as (
    select
        document_id,
        source_line
    from lines
    where regexp_matches(compact_text, {{ tq_alternation(p, 'part_heading') or "'^$'" }})
),

-- a table's block: from its title to the line before the next table's title; the last table's
-- ends before the next part heading (第三部分 …), at most 80 lines on
blocks as (
    select
        l.*,
        coalesce(
            lead(l.source_line) over (partition by l.document_id order by l.source_line) - 1,
            least(
                l.source_line + 80,
                (
                    select min(h.source_line) - 1 from part_headings as h
                    where h.document_id = l.document_id and h.source_line > l.source_line
                )
            )
        ) as last_line
    from located as l
),

-- the table block a flagged line lies in ('narrative' outside the tables)
placed as (
    select
        f.*,
        coalesce(b.table_key, 'narrative') as table_key,
        d.fiscal_year
    from flagged as f
    inner join documents as d on f.document_id = d.document_id
    left join blocks as b on f.document_id = b.document_id and f.source_line between b.source_line and b.last_line
),

-- TQ01 -------------------------------------------------------------------------------------
placeholder_hits as (
    select
        document_id,
        source_line,
        source_page,
        line_text,
        -- the quote: the capture group the seed names (XX in 市XX局), 0 = the whole match
        {{ tq_shown('group_text') }} as quoted,
        strpos(window_text, match_text) <= length(rtrim(line_text)) as starts_here
    from {{ tq_hits(p, 'placeholder', 'placed', 'window_text') }}
),

tq01_lines as (
    select
        document_id,
        source_line,
        'TQ01' as rule_id,
        any_value(source_page) as source_page,
        any_value(line_text) as line_text,
        min(quoted) as first_quote,
        concat('留有未替换的占位符或模板说明文字：「', string_agg(distinct quoted, '」「' order by quoted), '」') as found
    from placeholder_hits
    where starts_here
    group by document_id, source_line
),

-- TQ02 -------------------------------------------------------------------------------------
year_hits as (
    select
        document_id,
        source_line,
        source_page,
        line_text,
        fiscal_year,
        '标题' as found_kind,
        compact_text as quoted,
        group_text as year_text,
        true as starts_here
    from {{ tq_hits(p, 'year_heading', 'placed', 'compact_text') }}
    union all
    select
        document_id,
        source_line,
        source_page,
        line_text,
        fiscal_year,
        '截至日期' as found_kind,
        match_text as quoted,
        group_text as year_text,
        strpos(compact_window, match_text) <= length(compact_text) as starts_here
    from {{ tq_hits(p, 'year_phrase', 'placed', 'compact_window') }}
),

tq02_lines as (
    select
        document_id,
        source_line,
        'TQ02' as rule_id,
        any_value(source_page) as source_page,
        any_value(line_text) as line_text,
        left(min(quoted), 8) as first_quote,
        concat(
            string_agg(distinct found_kind, '、' order by found_kind), '所写年度 ',
            string_agg(distinct year_text, '、' order by year_text), ' 与报告年度 ', any_value(fiscal_year), ' 不符'
        ) as found
    from year_hits
    where starts_here and year_text != '' and cast(year_text as integer) != fiscal_year
    group by document_id, source_line
),

-- TQ03 -------------------------------------------------------------------------------------
-- a word of 2–4 Chinese characters printed twice in a row, read on one line as printed (spaces
-- and tabs separate table cells: 合计 合计 is two cells, not a doubled word). A doubled word whose
-- run goes on as a doubled_allow pattern says (项目项目绩效…) is not reported.
-- The runs of four or more Chinese characters of each distinct line (a third of the lines at
-- 10,000 reports: the template's sentences and the subjects' names recur), one character per list
-- element: comparing within a run needs no test that a character is Chinese, and skips figures
-- and punctuation (half the text).
han_runs as materialized (
    select
        line_text,
        unnest(regexp_extract_all(line_text, '\p{Han}{4,}')) as run_text
    from (select distinct l.line_text from lines as l) as texts
),

-- each distinct run once: most recur in every report (subjects' names, the template's sentences;
-- 38 thousand distinct among the 2.0 million runs of 10,000 reports' distinct lines)
chars as (
    select
        run_text,
        string_split(run_text, '') as c
    from (select distinct h.run_text from han_runs as h) as runs
),

doubled_words as (
    select
        run_text,
        list_distinct(list_concat(
            {%- for n in (2, 3, 4) %}
                list_transform(
                    list_filter(
                        range(1, len(c) - {{ 2 * n - 2 }}),
                        lambda i: {% for k in range(n) %}{% if not loop.first %} and {% endif %}c[i + {{ k }}] = c[i + {{ n + k }}]{% endfor %}
                    ),
                    lambda i: {
                        'quote': array_to_string(c[i:i + {{ 2 * n - 1 }}], ''),
                        'context': array_to_string(c[i:i + {{ 2 * n + 5 }}], '')
                    }
                ){% if not loop.last %},{% endif %}
            {%- endfor %}
        )) as doubles
    from chars
),

doubled_each as (
    select
        l.document_id,
        l.source_line,
        l.source_page,
        l.line_text,
        unnest(w.doubles) as doubled
    from han_runs as h
    inner join doubled_words as w on h.run_text = w.run_text
    inner join lines as l on h.line_text = l.line_text
    where len(w.doubles) > 0
),

doubled_hits as (
    select
        document_id,
        source_line,
        source_page,
        line_text,
        '重复字词' as found_kind,
        struct_extract(doubled, 'quote') as quoted,
        struct_extract(doubled, 'context') as after_text
    from doubled_each
    {%- set allow = tq_alternation(p, 'doubled_allow') %}
    {%- if allow %}
        where not regexp_matches(struct_extract(doubled, 'context'), {{ allow }})
    {%- endif %}
    union all
    select
        document_id,
        source_line,
        source_page,
        line_text,
        '重复标点' as found_kind,
        match_text as quoted,
        '' as after_text
    from {{ tq_hits(p, 'doubled_punctuation', 'placed', 'line_text') }}
),

tq03_lines as (
    select
        document_id,
        source_line,
        'TQ03' as rule_id,
        any_value(source_page) as source_page,
        any_value(line_text) as line_text,
        min(quoted) as first_quote,
        string_agg(distinct concat(found_kind, '「', quoted, '」'), '、' order by concat(found_kind, '「', quoted, '」')) as found
    from doubled_hits
    group by document_id, source_line
),

-- TQ01–TQ03: one finding per line, quoting the line around what was found (each hit carries its
-- line: joining the 2 thousand lines back to the 3 M of `lines` probed them all)
line_findings as (
    select
        x.document_id,
        x.rule_id,
        coalesce(b.table_key, 'narrative') as table_key,
        concat('L', x.source_line) as note,
        x.source_line,
        concat(
            {{ tq_where('x.source_page', 'x.source_line') }}, '「', {{ tq_excerpt(tq_shown('x.line_text'), 'x.first_quote') }},
            '」', x.found
        ) as message
    from (
        select * from tq01_lines
        union all by name
        select * from tq02_lines
        union all by name
        select * from tq03_lines
    ) as x
    left join blocks as b on x.document_id = b.document_id and x.source_line between b.source_line and b.last_line
),

-- one passing check per document and text rule without a finding; CP03 when it has no text
text_rules as (
    select 'TQ01' as rule_id
    union all
    select 'TQ02' as rule_id
    union all
    select 'TQ03' as rule_id
),

text_clean as (
    select
        d.document_id,
        r.rule_id,
        cast(null as varchar) as table_key,
        'none' as note,
        cast(null as integer) as source_line,
        cast(null as varchar) as message
    from documents as d
    cross join text_rules as r
    where
        d.document_id in (select t.document_id from texted as t)
        and not exists (
            select 1 from line_findings as f
            where f.document_id = d.document_id and f.rule_id = r.rule_id
        )
),

no_text as (
    select
        d.document_id,
        'CP03' as rule_id,
        cast(null as varchar) as table_key,
        'text_quality' as note,
        cast(null as integer) as source_line,
        -- CP03 is validated with values_equal (1 = evaluable) like chk_completeness's rows
        1 as expected,
        0 as actual,
        '规则 TQ01–TQ05 无法核对：报告原文未入库（raw.document_lines 无此报告的文字）' as message
    from documents as d
    where d.document_id not in (select t.document_id from texted as t)
),

-- TQ04 / TQ05: statements that a table holds no data ------------------------------------
-- a statement's object (what it says is absent) names a table by its table_word, or none
statement_hits as (
    select
        document_id,
        source_line,
        source_page,
        table_key as block_key,
        match_text as quoted,
        group_text as object_text,
        strpos(match_text, '本表') > 0 as generic,
        strpos(compact_window, match_text) <= length(compact_text) as starts_here
    from {{ tq_hits(p, 'no_data_statement', 'placed', 'compact_window') }}
),

table_words as (
    {{ tq_table_patterns(p, 'table_word') }}
),

statements as (
    select
        s.document_id,
        s.source_line,
        s.source_page,
        s.block_key,
        s.quoted,
        s.generic,
        (
            select min(w.table_key) from table_words as w
            where regexp_matches(s.object_text, w.pattern)
        ) as named_key
    from statement_hits as s
    where s.starts_here
),

-- amounts other than 0 a table prints
table_amounts as (
    select
        document_id,
        table_key,
        count(*) filter (where amount_wan != 0) as n_nonzero,
        min(source_line) filter (where amount_wan != 0) as first_line,
        arg_min(amount_wan, source_line) filter (where amount_wan != 0) as first_amount
    from {{ scoped_ref('stg_reports__table_cells') }}
    where amount_wan is not null
    group by document_id, table_key
),

table_statements as (
    select
        b.*,
        coalesce(a.n_nonzero, 0) as n_nonzero,
        a.first_line as amount_line,
        a.first_amount,
        -- below the title: a generic statement, or one whose object names this table or none
        (
            select min(s.source_line) from statements as s
            where
                s.document_id = b.document_id and s.block_key = b.table_key
                and coalesce(s.named_key, b.table_key) = b.table_key
        ) as block_line,
        -- the statements that say this table holds nothing: 本表… below the title, or naming it
        (
            select min(s.source_line) from statements as s
            where
                s.document_id = b.document_id
                and ((s.block_key = b.table_key and s.generic) or s.named_key = b.table_key)
        ) as nodata_line,
        -- naming the table elsewhere (e.g. in the 情况说明)
        (
            select min(s.source_line) from statements as s
            where s.document_id = b.document_id and s.named_key = b.table_key and s.block_key != b.table_key
        ) as elsewhere_line
    from blocks as b
    left join table_amounts as a on b.document_id = a.document_id and b.table_key = a.table_key
    where b.document_id in (select t.document_id from texted as t)
),

tq04 as (
    select
        t.document_id,
        'TQ04' as rule_id,
        t.table_key,
        'statement' as column_key,
        'statement' as note,
        t.source_line,
        case when t.elsewhere_line is not null then 'info' end as row_severity,
        case when t.n_nonzero = 0 and t.block_line is null then concat(
            t.table_label, '（', {{ tq_where('t.source_page', 't.source_line') }}, '起）为空表，表下未说明无数据',
            '（如“本表无数据”“无…收支，故本表无数据”）',
            case when t.elsewhere_line is not null then concat(
                '；', {{ tq_where('e.source_page', 't.elsewhere_line') }}, '另有说明「', {{ tq_excerpt(tq_shown('e.line_text'), "''") }}, '」'
            ) else '' end
        ) end as message
    from table_statements as t
    left join flagged as e on t.document_id = e.document_id and t.elsewhere_line = e.source_line
),

tq05 as (
    select
        t.document_id,
        'TQ05' as rule_id,
        t.table_key,
        'statement' as column_key,
        'statement' as note,
        coalesce(t.nodata_line, t.source_line) as source_line,
        cast(null as varchar) as row_severity,
        case when t.n_nonzero > 0 and t.nodata_line is not null then concat(
            t.table_label, '列有 ', t.n_nonzero, ' 个非零金额（第 ', t.amount_line, ' 行 ', t.first_amount, ' 万元），但',
            {{ tq_where('s.source_page', 't.nodata_line') }}, '说明「', {{ tq_excerpt(tq_shown('s.line_text'), "''") }}, '」'
        ) end as message
    from table_statements as t
    left join flagged as s on t.document_id = s.document_id and t.nodata_line = s.source_line
),

-- TQ06 -------------------------------------------------------------------------------------
-- the located tables in print order, numbered in the two template orders
ordered as (
    select
        document_id,
        list(table_key order by source_line) as table_keys,
        list(std_no order by source_line) as std_order,
        list(no_2020 order by source_line) as national_order,
        list(table_label order by source_line) as labels,
        list(source_line order by source_line) as title_lines,
        list(source_page order by source_line) as title_pages
    from located
    group by document_id
    having count(*) >= 2
),

order_checked as (
    select
        *,
        list_filter(range(2, len(table_keys) + 1), lambda i: std_order[i] < std_order[i - 1]) as std_breaks,
        list_filter(
            range(2, len(table_keys) + 1), lambda i: cast(national_order[i] as integer) < cast(national_order[i - 1] as integer)
        ) as national_breaks
    from ordered
),

-- the first table out of place in the order the report follows more closely
order_breaks as (
    select
        *,
        len(std_breaks) > 0 and len(national_breaks) > 0 as out_of_order,
        case when len(national_breaks) < len(std_breaks) then national_breaks[1] else std_breaks[1] end as first_break
    from order_checked
),

tq06 as (
    select
        document_id,
        'TQ06' as rule_id,
        cast(null as varchar) as table_key,
        'order' as column_key,
        'order' as note,
        case when out_of_order then title_lines[first_break] end as source_line,
        case when out_of_order then concat(
            '九张表的排列顺序与模板不符：', labels[first_break], '（',
            {{ tq_where('title_pages[first_break]', 'title_lines[first_break]') }}, '）排在 ',
            labels[first_break - 1], ' 之后；报告顺序为 ', array_to_string(labels, '、'),
            '。模板顺序为 公开01–09表（三公经费表第九）或 2024 年全国模板及 2020 年表1–表9（三公经费表第七）'
        ) end as message
    from order_breaks
),

-- TQ07 -------------------------------------------------------------------------------------
negative_allowed as (
    {{ tq_table_patterns(p, 'negative_allowed') }}
),

column_headers as (
    select
        table_key,
        column_key,
        min(header_zh) as header_zh
    from {{ ref('layout_columns') }}
    group by table_key, column_key
),

negatives as (
    select
        c.document_id,
        c.table_key,
        c.code,
        c.code_printed,
        c.row_name,
        c.side,
        c.column_key,
        c.source_line,
        c.page_no,
        c.amount_wan
    from {{ scoped_ref('stg_reports__table_cells') }} as c
    where
        c.amount_wan < 0
        and not exists (
            select 1 from negative_allowed as a
            where a.table_key = c.table_key and regexp_full_match(coalesce(c.code, ''), a.pattern)
        )
),

tq07 as (
    select
        n.document_id,
        'TQ07' as rule_id,
        n.table_key,
        n.code as subject_code,
        n.column_key,
        concat('L', n.source_line, coalesce(' ' || n.side, '')) as note,
        n.source_line,
        concat(
            coalesce(l.table_label, n.table_key), {{ tq_where('n.page_no', 'n.source_line') }}, '「',
            concat_ws(' ', n.code_printed, n.row_name), '」', coalesce(h.header_zh || '栏', ''), '金额为 ',
            n.amount_wan, ' 万元：模板该栏不应为负数'
        ) as message
    from negatives as n
    left join located as l on n.document_id = l.document_id and n.table_key = l.table_key
    left join column_headers as h on n.table_key = h.table_key and n.column_key = h.column_key
    union all
    select
        d.document_id,
        'TQ07' as rule_id,
        cast(null as varchar) as table_key,
        cast(null as varchar) as subject_code,
        'none' as column_key,
        'none' as note,
        cast(null as integer) as source_line,
        cast(null as varchar) as message
    from documents as d
    where
        exists (
            select 1 from {{ scoped_ref('stg_reports__table_cells') }} as c
            where c.document_id = d.document_id
        )
        and not exists (
            select 1 from negatives as n
            where n.document_id = d.document_id
        )
),

unioned as (
    select * from line_findings
    union all by name
    select * from text_clean
    union all by name
    select * from no_text
    union all by name
    select * from tq04
    union all by name
    select * from tq05
    union all by name
    select * from tq06
    union all by name
    select * from tq07
)

select
    document_id,
    rule_id,
    table_key,
    subject_code,
    coalesce(column_key, case when rule_id = 'CP03' then 'text_quality' when note = 'none' then 'none' else 'text' end)
        as column_key,
    source_line,
    cast(expected as decimal(18, 4)) as expected,
    cast(actual as decimal(18, 4)) as actual,
    cast(null as decimal(18, 4)) as tolerance,
    cast(null as varchar) as rate_status,
    case when message is not null then row_severity end as row_severity,
    note,
    message
from unioned
