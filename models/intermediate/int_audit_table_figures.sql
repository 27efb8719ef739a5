-- The table counterpart of every whole-document figure the narrative (情况说明) states:
-- one row per document × narrative metric (× 三公 item) for each document whose source
-- table is available (parsed, or printed empty = all zero). Which cells make each figure is
-- the seed audit_table_figures (row_key: a '|' list sums several rows). A blank cell is zero;
-- n_addends counts the printed amounts behind the figure (for the rounding tolerance); lines
-- and label say where and what it is.
select
    t.document_id,
    m.metric,
    m.item,
    m.table_key,
    m.column_key,
    cast(coalesce(sum(c.amount_wan), 0) as decimal(18, 4)) as amount_wan,
    count(c.amount_wan) as n_addends,
    coalesce(min(c.source_line), any_value(t.first_line)) as source_line,
    max(c.source_line) as last_line,
    -- what the cells are, for findings: 「本年收入合计」, 「合计」基本支出, 「人员经费合计」+「公用经费合计」
    case m.row_kind
        when 'item' then concat('「', {{ column_header('m.table_key', 'm.column_key') }}, '」')
        when 'total' then concat('「合计」', {{ column_header('m.table_key', 'm.column_key') }})
        else concat(
            '「', coalesce(
                string_agg(distinct c.row_name, '」+「' order by c.row_name), {{ line_label('m.table_key', 'm.row_key') }}, m.row_key
            ), '」'
        )
    end as figure_label
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
group by t.document_id, m.metric, m.item, m.table_key, m.column_key, m.row_kind, m.row_key
