-- Completeness, CP01–CP04 (category completeness): the tables of a report that could not be
-- read, one check per report (CP01), a 项 of table 05 the narrative never mentions (CP02), a rule
-- that could not be evaluated because its tables are missing (CP03; shares without a base come
-- from chk_narrative), and problems the loader recorded for the document (CP04). Rules without
-- figures: a check carries its Chinese message exactly when it fails (template no_text_problem;
-- checks.sql leaves expected and actual null); each branch states its condition as expected
-- (what should be: tables, evaluable, narrated; 0 problems) against actual.
with documents as (
    select document_id
    from {{ scoped_ref('stg_reports__documents') }}
),

-- CP01 -------------------------------------------------------------------------------------
-- one check per report: the tables it prints that could not be read (printed as images, or
-- failed to parse) and the rules they block; info when no table was read (a narrative-only
-- report: its CP03 lists the rules), warning when some were read and others are missing
blocked_rules as (
    select
        document_id,
        string_agg(rule_id, ', ' order by rule_id) as rule_ids
    from {{ scoped_ref('int_audit_rule_status') }}
    where not tables_available
    group by document_id
),

tables_read as (
    select
        document_id,
        count(*) filter (where is_available) as n_read,
        count(*) filter (where not is_available) as n_missing,
        min(title_line) filter (where not is_available) as first_missing_line,
        string_agg(
            case when not is_available then concat(table_label, case status when 'failed' then '（无法解析）' end) end,
            '、' order by coalesce(std_no, table_key)
        ) as missing_tables,
        string_agg(distinct nullif(note, ''), '；' order by nullif(note, '')) filter (where not is_available) as notes
    from {{ scoped_ref('int_audit_tables') }}
    group by document_id
),

cp01 as (
    select
        t.document_id,
        'CP01' as rule_id,
        'tables' as column_key,
        t.first_missing_line as source_line,
        t.n_read + t.n_missing as expected,
        t.n_read as actual,
        'tables' as note,
        case when t.n_missing > 0 then concat(
            case
                when t.n_read = 0 then concat('全部 ', t.n_missing, ' 张表未能读取（仅有说明文字）：')
                else concat(t.n_missing, ' 张表未能读取（其余 ', t.n_read, ' 张已读取）：')
            end,
            t.missing_tables,
            coalesce('（' || t.notes || '）', ''),
            coalesce('；以下规则因此无法核对：' || b.rule_ids, '')
        ) end as message,
        case when t.n_missing > 0 then case when t.n_read = 0 then 'info' else 'warning' end end as row_severity
    from tables_read as t
    left join blocked_rules as b on t.document_id = b.document_id
),

-- CP03 -------------------------------------------------------------------------------------
available_count as (
    select
        d.document_id,
        count(t.table_key) filter (where t.is_available) as n_available
    from documents as d
    left join {{ scoped_ref('int_audit_tables') }} as t on d.document_id = t.document_id
    group by d.document_id
),

cp03 as (
    -- documents with at least one readable table: one check per rule
    select
        r.document_id,
        'CP03' as rule_id,
        r.rule_id as column_key,
        1 as expected,
        case when r.reason is null then 1 else 0 end as actual,
        r.rule_id as note,
        case when r.reason is not null then concat('规则 ', r.rule_id, ' 无法核对：', r.reason) end as message
    from {{ scoped_ref('int_audit_rule_status') }} as r
    inner join available_count as a on r.document_id = a.document_id
    where a.n_available > 0
    union all
    -- documents without any readable table (narrative only): one check for all table rules
    select
        a.document_id,
        'CP03' as rule_id,
        'all_tables' as column_key,
        1 as expected,
        0 as actual,
        'all_tables' as note,
        concat(
            '九张表均无法读取（仅有说明文字），', count(distinct r.rule_id),
            ' 条表内/表间/说明对表规则无法核对：', string_agg(distinct r.rule_id, ', ' order by r.rule_id),
            '；已核对说明内部勾稽与跨年数'
        ) as message
    from available_count as a
    inner join {{ scoped_ref('int_audit_rule_status') }} as r on a.document_id = r.document_id
    where a.n_available = 0
    group by a.document_id
),

-- CP02 -------------------------------------------------------------------------------------
items as (
    select *
    from {{ scoped_ref('int_subject_rows_ranked') }}
    where
        table_key = 'gpb_expenditure' and column_key = 'total' and dup_rank = 1
        and length(subject_code) = 7 and amount_wan != 0
),

narrated_subjects as (
    select distinct
        document_id,
        subject_code
    from {{ scoped_ref('stg_reports__narrative_facts') }}
    where subject_code is not null
),

cp02 as (
    select
        i.document_id,
        'CP02' as rule_id,
        'gpb_expenditure' as table_key,
        i.subject_code,
        'total' as column_key,
        i.source_line,
        1 as expected,
        case when n.subject_code is not null then 1 else 0 end as actual,
        cast(null as varchar) as note,
        case
            when n.subject_code is not null then null
            else concat(
                '表05 列示科目 ', i.subject_code, ' ', i.row_name, '（', i.amount_wan, ' 万元），情况说明未逐项说明',
                case
                    when up.subject_code is not null then concat('（仅在上级科目 ', up.subject_code, ' 层级说明）')
                    else ''
                end
            )
        end as message,
        case when n.subject_code is null and up.subject_code is not null then 'info' end as row_severity
    from items as i
    left join narrated_subjects as n on i.document_id = n.document_id and i.subject_code = n.subject_code
    left join narrated_subjects as up
        on
            i.document_id = up.document_id
            and up.subject_code in (left(i.subject_code, 3), left(i.subject_code, 5))
    qualify row_number() over (partition by i.document_id, i.subject_code order by length(up.subject_code) desc) = 1
),

-- CP04 -------------------------------------------------------------------------------------
problems as (
    select
        document_id,
        stage,
        reason,
        line
    from {{ scoped_ref('stg_reports__ingest_errors') }}
    where document_id is not null and not coalesce(fatal, false)
),

-- one check per problem; a document without any: one passing check
cp04 as (
    select
        d.document_id,
        'CP04' as rule_id,
        coalesce(p.stage, 'none') as column_key,
        p.line as source_line,
        0 as expected,
        case when p.document_id is null then 0 else 1 end as actual,
        case
            when p.document_id is null then 'none'
            else concat(p.stage, ' line ', coalesce(cast(p.line as varchar), '-'), ': ', p.reason)
        end as note,
        case when p.document_id is not null then concat('解析问题（', p.stage, '）：', p.reason) end as message
    from documents as d
    left join problems as p on d.document_id = p.document_id
),

unioned as (
    {{ union_by_name(['cp01', 'cp02', 'cp03', 'cp04']) }}
)

select {{ check_row(actual='null', expected='null', row_severity='row_severity', note='note', message='message') }}
from unioned
