-- 经济分类 rows of table 06 with level, cost group and leaf flag.
with cells as (
    select *
    from {{ scoped_ref('stg_reports__table_cells') }}
    where row_kind = 'econ' and code is not null
),

ranked as (
    select
        *,
        row_number() over (partition by document_id, code order by source_line) as dup_rank
    from cells
),

parents as (
    select distinct
        p.document_id,
        p.code
    from cells as p
    inner join cells as c
        on p.document_id = c.document_id and length(c.code) > length(p.code) and starts_with(c.code, p.code)
)

select
    r.document_id,
    r.table_no,
    r.code as econ_code,
    r.code_printed,
    r.row_name,
    r.amount_wan,
    r.source_line,
    case length(r.code) when 3 then 'class' else 'section' end as econ_level,
    -- 人员经费 = 工资福利支出 (301) + 对个人和家庭的补助 (303); everything else is 公用经费.
    case when left(r.code, 3) in ('301', '303') then 'personnel' else 'public' end as cost_group,
    p.code is null as is_leaf,
    r.dup_rank
from ranked as r
left join parents as p on r.document_id = p.document_id and r.code = p.code
