-- Rules that cannot be evaluated for a document (seeds/audit_rule_inputs.csv names the tables
-- each rule reads): a table is absent / failed to parse, or holds a value the layout could
-- not place (stg_reports__ambiguities; every placement the parser kept satisfies the table's
-- identities, so evaluating with the value left out would report a gap that is not there).
-- audit.checks drops these rules' checks for the document; CP03 records them.
with documents as (
    select document_id
    from {{ scoped_ref('stg_reports__documents') }}
),

rule_inputs as (
    select
        i.rule_id,
        i.table_key
    from {{ ref('audit_rule_inputs') }} as i
    inner join {{ ref('audit_rules') }} as r on i.rule_id = r.rule_id
),

presence as (
    select
        document_id,
        table_key,
        status
    from {{ scoped_ref('stg_reports__table_presence') }}
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
        coalesce(p.status, 'absent') as status,
        a.line_list as ambiguous_lines
    from documents as d
    cross join rule_inputs as i
    left join presence as p on d.document_id = p.document_id and i.table_key = p.table_key
    left join ambiguous as a on d.document_id = a.document_id and i.table_key = a.table_key
)

select
    document_id,
    rule_id,
    count(*) filter (where status not in ('parsed', 'empty')) as n_missing,
    count(*) filter (where ambiguous_lines is not null) as n_ambiguous,
    string_agg(
        case
            when status = 'failed' then concat(table_key, '（无法解析）')
            when status not in ('parsed', 'empty') then concat(table_key, '（缺失）')
            when ambiguous_lines is not null then concat(table_key, '（第 ', ambiguous_lines, ' 行数值归属不明）')
        end,
        '、' order by table_key
    ) as reason
from per_table
group by document_id, rule_id
having count(*) filter (where status not in ('parsed', 'empty') or ambiguous_lines is not null) > 0
