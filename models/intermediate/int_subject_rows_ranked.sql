-- 功能分类 rows of tables 02/03/05/07/08 with their level and leaf flag. A code printed
-- twice in one table keeps its first row; the audit reports the duplicate.
with cells as (
    select *
    from {{ scoped_ref('stg_reports__table_cells') }}
    where row_kind = 'subject' and code is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by document_id, table_key, code, column_key order by source_line
        ) as dup_rank
    from cells
),

parents as (
    select distinct
        p.document_id,
        p.table_key,
        p.code
    from cells as p
    inner join cells as c
        on
            p.document_id = c.document_id
            and p.table_key = c.table_key
            and length(c.code) > length(p.code)
            and starts_with(c.code, p.code)
)

select
    r.document_id,
    r.table_key,
    r.table_no,
    r.code as subject_code,
    r.code_printed,
    r.row_name,
    r.column_key,
    r.amount_wan,
    r.source_line,
    case length(r.code) when 3 then 'class' when 5 then 'section' else 'item' end as subject_level,
    p.code is null as is_leaf,
    r.dup_rank
from ranked as r
left join parents as p
    on r.document_id = p.document_id and r.table_key = p.table_key and r.code = p.code
