-- Whether each rule that reads tables can be evaluated for a document: one row per document ×
-- rule of seeds/audit_rule_inputs (the tables each rule reads). tables_available: every table
-- it reads is parsed or printed empty; evaluable: and none holds a value the layout could not
-- place (stg_reports__ambiguities; every placement the parser kept satisfies the table's
-- identities, so evaluating with the value left out would report a gap that is not there).
-- audit.checks drops the checks of a rule that is not evaluable; CP03 records why (reason).
with rule_inputs as (
    select
        i.rule_id,
        i.table_key
    from {{ ref('audit_rule_inputs') }} as i
    inner join {{ ref('audit_rules') }} as r on i.rule_id = r.rule_id
),

-- lines in numeric order: without an order the list (and the CP03 message) changed from one
-- build of the same corpus to the next
ambiguous as (
    select
        document_id,
        table_key,
        string_agg(cast(source_line as varchar), '、' order by source_line) as line_list
    from (
        select distinct
            document_id,
            table_key,
            source_line
        from {{ scoped_ref('stg_reports__ambiguities') }}
    )
    group by document_id, table_key
),

per_table as (
    select
        d.document_id,
        i.rule_id,
        i.table_key,
        coalesce(t.status, 'absent') as status,
        coalesce(t.is_available, false) as is_available,
        a.line_list as ambiguous_lines
    from {{ scoped_ref('stg_reports__documents') }} as d
    cross join rule_inputs as i
    left join {{ scoped_ref('int_audit_tables') }} as t on d.document_id = t.document_id and i.table_key = t.table_key
    left join ambiguous as a on d.document_id = a.document_id and i.table_key = a.table_key
)

select
    document_id,
    rule_id,
    bool_and(is_available) as tables_available,
    bool_and(is_available and ambiguous_lines is null) as evaluable,
    string_agg(
        case
            when status = 'failed' then concat(table_key, '（无法解析）')
            when not is_available then concat(table_key, '（缺失）')
            when ambiguous_lines is not null then concat(table_key, '（第 ', ambiguous_lines, ' 行数值归属不明）')
        end,
        '、' order by table_key
    ) as reason
from per_table
group by document_id, rule_id
