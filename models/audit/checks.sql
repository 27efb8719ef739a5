-- Every evaluated check (审计核对), one row each; the expectation suites decide which fail.
-- check_id is stable across rebuilds so findings can be tracked.
with unioned as (
    select
        document_id,
        rule_id,
        table_key,
        subject_code,
        column_key,
        source_line,
        expected,
        actual,
        tolerance,
        cast(null as varchar) as rate_status,
        cast(null as varchar) as row_severity,
        cast(null as varchar) as note
    from {{ scoped_ref('chk_subject_tables') }}
    -- Each chk_* model adds a `union all by name` branch here with the same columns; a
    -- completion-rate check sets rate_status and row_severity (error/warning/info per DESIGN §4).
    union all by name
    select * from {{ scoped_ref('chk_completion_rate') }}
    union all by name
    select * from {{ scoped_ref('chk_direction_wording') }}
    -- rest of the catalog: tables 01/04/06/07/08/09, cross-table, narrative, cross-year,
    -- completeness and code quality; a branch may carry a ready Chinese `message`
    union all by name
    select * from {{ scoped_ref('chk_summary_tables') }}
    union all by name
    select * from {{ scoped_ref('chk_detail_tables') }}
    union all by name
    select * from {{ scoped_ref('chk_cross_tables') }}
    union all by name
    select * from {{ scoped_ref('chk_narrative') }}
    union all by name
    select * from {{ scoped_ref('chk_cross_year') }}
    union all by name
    select * from {{ scoped_ref('chk_completeness') }}
    union all by name
    select * from {{ scoped_ref('chk_code_quality') }}
    -- text quality (TQ): figure-less, expected/actual null, validated with no_text_problem
    union all by name
    select * from {{ scoped_ref('chk_text_quality') }}
)

select
    md5(concat_ws(
        '|', u.document_id, u.rule_id, u.table_key, coalesce(u.subject_code, '-'),
        coalesce(u.column_key, '-'), coalesce(u.note, '-')
    )) as check_id,
    u.document_id,
    u.rule_id,
    r.category,
    r.severity as rule_severity,
    r.title_zh,
    u.table_key,
    u.subject_code,
    u.column_key,
    u.source_line,
    u.expected,
    u.actual,
    cast(u.actual - u.expected as decimal(18, 4)) as difference,
    cast(abs(u.actual - u.expected) as decimal(18, 4)) as abs_difference,
    u.tolerance,
    u.rate_status,
    u.row_severity,
    u.note,
    u.message
from unioned as u
inner join {{ ref('audit_rules') }} as r on u.rule_id = r.rule_id
-- a rule whose tables are missing or hold values the layout could not place is not
-- evaluated for that document (CP03 records it; see int_audit_rule_status)
left join {{ scoped_ref('int_audit_rule_status') }} as x on u.document_id = x.document_id and u.rule_id = x.rule_id
where x.rule_id is null
