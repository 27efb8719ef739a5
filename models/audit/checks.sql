-- Every evaluated check (审计核对), one row each; the expectation suites decide which fail.
-- check_id is stable across rebuilds so findings can be tracked.
{#- one branch per chk_* model, each ending with the columns of macros/audit.sql check_row()
    (text_quality: figure-less, expected/actual null, validated with no_text_problem) -#}
{%- set check_models = [
    'chk_subject_tables', 'chk_summary_tables', 'chk_detail_tables', 'chk_cross_tables',
    'chk_completion_rate', 'chk_direction_wording', 'chk_narrative', 'chk_cross_year',
    'chk_completeness', 'chk_code_quality', 'chk_text_quality',
] %}

with unioned as (
    {%- for model in check_models %}
        select * from {{ scoped_ref(model) }}
        {%- if not loop.last %}
            union all by name
        {%- endif %}
    {%- endfor %}
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
where coalesce(x.evaluable, true)
