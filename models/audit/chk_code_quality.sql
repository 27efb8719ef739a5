-- Code quality, CQ01–CQ05 (category code_quality): codes the loader repaired (CQ01, info),
-- codes not in the code lists (CQ02), one code printed on two rows of a table (CQ03), values
-- the text could not place (CQ04) and narrated subject names that differ from the table's
-- (CQ05, info). Conditions are encoded as expected against actual (values_equal); message
-- carries the Chinese text of the finding.
with cells as (
    select
        document_id,
        table_key,
        table_no,
        source_line,
        row_kind,
        code_printed,
        code,
        row_name
    from {{ scoped_ref('stg_reports__table_cells') }}
    where row_kind in ('subject', 'econ') and code is not null
),

code_rows as (
    select distinct
        document_id,
        table_key,
        table_no,
        source_line,
        row_kind,
        code_printed,
        code,
        row_name
    from cells
),

-- min(), and ordered lists below: any_value and an unordered string_agg could word a finding
-- differently in two builds of the same corpus
repairs as (
    select
        document_id,
        table_key,
        source_line,
        code_printed,
        code_repaired,
        min(method) as repair_method
    from {{ scoped_ref('stg_reports__code_repairs') }}
    group by document_id, table_key, source_line, code_printed, code_repaired
),

-- CQ01 -------------------------------------------------------------------------------------
cq01 as (
    select
        c.document_id,
        'CQ01' as rule_id,
        c.table_key,
        c.code as subject_code,
        'code' as column_key,
        c.source_line,
        1 as expected,
        case when c.code_printed = c.code then 1 else 0 end as actual,
        concat(coalesce(c.code_printed, '-'), '→', c.code, ' @', c.source_line) as note,
        case when c.code_printed is null or c.code_printed != c.code then concat(
            '表', c.table_no, ' 第 ', c.source_line, ' 行「', c.row_name, '」印刷代码 ', coalesce(c.code_printed, '（无）'),
            '，已修复为 ', c.code, coalesce('（依据：' || r.repair_method || '）', '')
        ) end as message
    from code_rows as c
    left join repairs as r
        on
            c.document_id = r.document_id and c.table_key = r.table_key
            and c.source_line = r.source_line and c.code = r.code_repaired
),

-- CQ02 -------------------------------------------------------------------------------------
code_lists as (
    select
        subject_code as code,
        'subject' as row_kind,
        in_code_list
    from {{ ref('dim_function_subject') }}
    union all
    select
        econ_code as code,
        'econ' as row_kind,
        in_code_list
    from {{ ref('dim_econ_class') }}
),

distinct_codes as (
    select
        document_id,
        table_key,
        any_value(table_no) as table_no,
        row_kind,
        code,
        min(source_line) as source_line,
        min(row_name) as row_name
    from code_rows
    group by document_id, table_key, row_kind, code
),

cq02 as (
    select
        c.document_id,
        'CQ02' as rule_id,
        c.table_key,
        c.code as subject_code,
        'code' as column_key,
        c.source_line,
        1 as expected,
        case when coalesce(l.in_code_list, false) then 1 else 0 end as actual,
        cast(null as varchar) as note,
        case when not coalesce(l.in_code_list, false) then concat(
            '表', c.table_no, ' 代码 ', c.code, '「', c.row_name, '」不在',
            case c.row_kind when 'subject' then '支出功能分类' else '支出经济分类' end, '代码表中'
        ) end as message
    from distinct_codes as c
    left join code_lists as l on c.code = l.code and c.row_kind = l.row_kind
),

-- CQ03 -------------------------------------------------------------------------------------
cq03 as (
    select
        document_id,
        'CQ03' as rule_id,
        table_key,
        code as subject_code,
        'rows' as column_key,
        min(source_line) as source_line,
        1 as expected,
        count(distinct source_line) as actual,
        cast(null as varchar) as note,
        case when count(distinct source_line) > 1 then concat(
            '表', any_value(table_no), ' 代码 ', code, ' 出现在 ', count(distinct source_line), ' 行（第 ',
            array_to_string(list_sort(list_distinct(list(source_line))), '、'), ' 行：',
            string_agg(distinct row_name, '、' order by row_name), '）；数据集市只保留第一行'
        ) end as message
    from code_rows
    group by document_id, table_key, code
),

-- CQ04 -------------------------------------------------------------------------------------
ambiguities as (
    select * from {{ scoped_ref('stg_reports__ambiguities') }}
),

cq04 as (
    select
        document_id,
        'CQ04' as rule_id,
        table_key,
        cast(null as varchar) as subject_code,
        'value' as column_key,
        source_line,
        0 as expected,
        1 as actual,
        concat('@', source_line, ' ', reason) as note,
        concat('无法确定归属的数值：', reason, '（原文：', raw_text, '）') as message
    from ambiguities
    union all
    select
        d.document_id,
        'CQ04' as rule_id,
        cast(null as varchar) as table_key,
        cast(null as varchar) as subject_code,
        'none' as column_key,
        cast(null as integer) as source_line,
        0 as expected,
        0 as actual,
        'none' as note,
        cast(null as varchar) as message
    from {{ scoped_ref('stg_reports__documents') }} as d
    where d.document_id not in (select a.document_id from ambiguities as a)
),

-- CQ05 -------------------------------------------------------------------------------------
narrated_names as (
    select
        document_id,
        subject_code,
        subject_name,
        min(source_line) as source_line
    from {{ scoped_ref('stg_reports__narrative_facts') }}
    where subject_code is not null and subject_name is not null
    group by document_id, subject_code, subject_name
),

table_names as (
    select
        document_id,
        subject_code,
        string_agg(distinct row_name, '、' order by row_name) as table_name,
        list(distinct regexp_replace(regexp_replace(row_name, '\s+', '', 'g'), '支出$', '')) as table_keys
    from {{ scoped_ref('int_subject_rows_ranked') }}
    group by document_id, subject_code
),

cq05 as (
    select
        n.document_id,
        'CQ05' as rule_id,
        'narrative' as table_key,
        n.subject_code,
        'name' as column_key,
        n.source_line,
        1 as expected,
        case
            when
                list_contains(
                    coalesce(t.table_keys, [regexp_replace(coalesce(f.subject_name, ''), '支出$', '')]),
                    regexp_replace(regexp_replace(n.subject_name, '\s+', '', 'g'), '支出$', '')
                )
                then 1
            else 0
        end as actual,
        n.subject_name as note,
        concat(
            '情况说明称科目 ', n.subject_code, ' 为「', n.subject_name, '」，',
            case when t.table_name is not null then concat('表中为「', t.table_name, '」') else concat(
                '代码表为「', coalesce(f.subject_name, '？'), '」'
            ) end
        ) as message
    from narrated_names as n
    left join table_names as t on n.document_id = t.document_id and n.subject_code = t.subject_code
    left join {{ ref('dim_function_subject') }} as f on n.subject_code = f.subject_code
),

unioned as (
    select * from cq01
    union all
    select * from cq02
    union all
    select * from cq03
    union all
    select * from cq04
    union all
    select * from cq05
)

select
    document_id,
    rule_id,
    table_key,
    subject_code,
    column_key,
    source_line,
    cast(expected as decimal(18, 4)) as expected,
    cast(actual as decimal(18, 4)) as actual,
    cast(0 as decimal(18, 4)) as tolerance,
    cast(null as varchar) as rate_status,
    cast(null as varchar) as row_severity,
    note,
    case when expected != actual then message end as message
from unioned
