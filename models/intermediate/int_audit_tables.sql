-- The nine tables of each document as the audit reads them: one row per document × table the
-- loader looked for (stg_reports__table_presence), whether its figures can be audited
-- (is_available: parsed, or printed empty = all zero), the first line it prints a value on
-- (where a check whose figure is blank points) and its label for messages: 表NN《title》,
-- numbered as that report numbers it (表1–表9 up to 2020, 公开01–09表 after; a PDF prints no
-- number: its place in the template).
with first_lines as (
    select
        document_id,
        table_key,
        min(source_line) as first_line
    from {{ scoped_ref('stg_reports__table_cells') }}
    group by document_id, table_key
)

select
    p.document_id,
    p.table_key,
    p.status,
    p.status in ('parsed', 'empty') as is_available,
    p.table_no,
    p.source_line as title_line,
    p.note,
    f.first_line,
    t.std_no,
    t.title_zh,
    concat(
        '表',
        coalesce(
            nullif(p.table_no, ''),
            case when d.fiscal_year <= 2020 then lpad(t.no_2020, 2, '0') else t.std_no end,
            p.table_key
        ),
        '《', coalesce(t.title_zh, p.table_key), '》'
    ) as table_label
from {{ scoped_ref('stg_reports__table_presence') }} as p
inner join {{ scoped_ref('stg_reports__documents') }} as d on p.document_id = d.document_id
left join first_lines as f on p.document_id = f.document_id and p.table_key = f.table_key
left join {{ ref('layout_tables') }} as t on p.table_key = t.table_key
