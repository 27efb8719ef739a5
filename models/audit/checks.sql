-- Every evaluated check (审计核对), one row each; the expectation suites decide which fail.
-- check_id is stable across rebuilds so findings can be tracked.
{#- one branch per chk_* model, each ending with the columns of macros/audit.sql check_row()
    (a model without the figure columns, e.g. text quality, gets them null) -#}
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
),

-- a rule without figures (template no_text_problem) carries none, whatever its model computes
figured as (
    select
        u.* replace (
            case when r.expectation = 'no_text_problem' then null else u.actual end as actual,
            case when r.expectation = 'no_text_problem' then null else u.expected end as expected
        ),
        r.category,
        r.severity as rule_severity,
        r.title_zh
    from unioned as u
    inner join {{ ref('audit_rules') }} as r on u.rule_id = r.rule_id
)

select
    md5(concat_ws(
        '|', u.document_id, u.rule_id, u.table_key, coalesce(u.subject_code, '-'),
        coalesce(u.column_key, '-'), coalesce(u.note, '-')
    )) as check_id,
    u.document_id,
    u.rule_id,
    u.category,
    u.rule_severity,
    u.title_zh,
    u.table_key,
    u.subject_code,
    u.column_key,
    u.source_line,
    u.actual,
    u.expected,
    cast(u.actual - u.expected as decimal(18, 4)) as difference,
    cast(abs(u.actual - u.expected) as decimal(18, 4)) as abs_difference,
    u.tolerance,
    u.lower_bound,
    u.upper_bound,
    u.rate_status,
    u.row_severity,
    u.note,
    -- where each figure is printed, for people: 表NN《title》 as the report numbers it, or 情况说明
    case u.actual_table when 'narrative' then '情况说明' else a.table_label end as actual_place,
    u.actual_label,
    case u.expected_table when 'narrative' then '情况说明' else e.table_label end as expected_place,
    u.expected_lines,
    u.expected_label,
    u.unit,
    u.detail,
    u.message
from figured as u
left join {{ scoped_ref('int_audit_tables') }} as a on u.document_id = a.document_id and u.actual_table = a.table_key
left join {{ scoped_ref('int_audit_tables') }} as e on u.document_id = e.document_id and u.expected_table = e.table_key
-- a rule whose tables are missing or hold values the layout could not place is not
-- evaluated for that document (CP03 records it; see int_audit_rule_status)
left join {{ scoped_ref('int_audit_rule_status') }} as x on u.document_id = x.document_id and u.rule_id = x.rule_id
where coalesce(x.evaluable, true)
