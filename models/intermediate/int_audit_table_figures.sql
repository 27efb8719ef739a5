-- The table counterpart of every whole-document figure the narrative (情况说明) states:
-- one row per document × narrative metric (× 三公 item) for each document whose source
-- table is available (parsed, or printed empty = all zero). Which cells make each figure is
-- the seed audit_table_figures (row_key: a '|' list sums several rows). A blank cell is zero;
-- n_addends counts the printed amounts behind the figure (for the rounding tolerance).
select
    t.document_id,
    m.metric,
    m.item,
    m.table_key,
    m.column_key,
    cast(coalesce(sum(c.amount_wan), 0) as decimal(18, 4)) as amount_wan,
    count(c.amount_wan) as n_addends,
    coalesce(min(c.source_line), any_value(t.first_line)) as source_line
from {{ scoped_ref('int_audit_tables') }} as t
inner join {{ ref('audit_table_figures') }} as m on t.table_key = m.table_key
left join {{ scoped_ref('int_audit_first_cells') }} as c
    on
        t.document_id = c.document_id
        and m.table_key = c.table_key
        and m.row_kind = c.row_kind
        and m.column_key = c.column_key
        and list_contains(string_split(coalesce(m.row_key, ''), '|'), c.row_key)
where t.is_available
group by t.document_id, m.metric, m.item, m.table_key, m.column_key
