-- Identities inside tables 06 (基本支出 by 经济分类), 09 (三公) and 07/08 (政府性基金 /
-- 国有资本经营), WT17–WT24. A blank cell is zero. One row per evaluated identity.
with available as (
    select
        document_id,
        table_key
    from {{ scoped_ref('stg_reports__table_presence') }}
    where status in ('parsed', 'empty')
),

cells as (
    select c.*
    from {{ scoped_ref('stg_reports__table_cells') }} as c
    inner join available as a on c.document_id = a.document_id and c.table_key = a.table_key
),

table_first_line as (
    select
        document_id,
        table_key,
        min(source_line) as source_line
    from cells
    group by document_id, table_key
),

-- table 06 -----------------------------------------------------------------------------
econ as (
    select
        document_id,
        code,
        amount_wan,
        source_line
    from cells
    where table_key = 'gpb_basic_econ' and row_kind = 'econ' and code is not null
),

econ_groups as (
    select
        a.document_id,
        g.group_key,
        g.rule_id,
        g.title
    from available as a
    cross join (
        values
        ('personnel', 'WT17', '人员经费合计 = 301 + 303'),
        ('public', 'WT18', '公用经费合计 = 302 + 307 + 309 + 310 + 312 + 399 …')
    ) as g (group_key, rule_id, title)
    where a.table_key = 'gpb_basic_econ'
),

econ_totals as (
    select
        document_id,
        code as group_key,
        sum(amount_wan) as amount_wan,
        min(source_line) as source_line
    from cells
    where table_key = 'gpb_basic_econ' and row_kind = 'econ_total'
    group by document_id, code
),

econ_group_addends as (
    select
        g.document_id,
        g.group_key,
        sum(e.amount_wan) as actual,
        count(e.amount_wan) as n_addends
    from econ_groups as g
    inner join econ as e
        on
            g.document_id = e.document_id
            and length(e.code) = 3
            and (e.code in ('301', '303')) = (g.group_key = 'personnel')
    group by g.document_id, g.group_key
),

econ_group_sums as (
    select
        g.document_id,
        g.rule_id,
        g.group_key,
        g.title,
        coalesce(t.source_line, f.source_line) as source_line,
        coalesce(t.amount_wan, 0) as expected,
        coalesce(a.actual, 0) as actual,
        coalesce(a.n_addends, 0) as n_addends
    from econ_groups as g
    left join econ_totals as t on g.document_id = t.document_id and g.group_key = t.group_key
    left join econ_group_addends as a on g.document_id = a.document_id and g.group_key = a.group_key
    left join table_first_line as f on g.document_id = f.document_id and f.table_key = 'gpb_basic_econ'
),

econ_parents as (
    select
        document_id,
        code as class_code,
        sum(amount_wan) as expected,
        min(source_line) as source_line
    from econ
    where length(code) = 3
    group by document_id, code
),

econ_children as (
    select
        document_id,
        left(code, 3) as class_code,
        sum(amount_wan) as actual,
        count(amount_wan) as n_addends,
        min(source_line) as source_line
    from econ
    where length(code) = 5
    group by document_id, left(code, 3)
),

econ_class_sums as (
    select
        coalesce(p.document_id, c.document_id) as document_id,
        coalesce(p.class_code, c.class_code) as class_code,
        coalesce(p.source_line, c.source_line) as source_line,
        coalesce(p.expected, 0) as expected,
        coalesce(c.actual, 0) as actual,
        coalesce(c.n_addends, 0) as n_addends
    from econ_parents as p
    full outer join econ_children as c on p.document_id = c.document_id and p.class_code = c.class_code
),

-- table 09 -----------------------------------------------------------------------------
three_public as (
    select
        a.document_id,
        p.part,
        coalesce(sum(c.amount_wan) filter (where c.column_key = concat(p.part, ':total')), 0) as total,
        coalesce(sum(c.amount_wan) filter (where c.column_key = concat(p.part, ':vehicle')), 0) as vehicle,
        coalesce(sum(c.amount_wan) filter (
            where c.column_key in (concat(p.part, ':abroad'), concat(p.part, ':vehicle'), concat(p.part, ':reception'))
        ), 0) as items,
        count(c.amount_wan) filter (
            where c.column_key in (concat(p.part, ':abroad'), concat(p.part, ':vehicle'), concat(p.part, ':reception'))
        ) as n_items,
        coalesce(sum(c.amount_wan) filter (
            where c.column_key in (concat(p.part, ':vehicle_purchase'), concat(p.part, ':vehicle_operation'))
        ), 0) as vehicle_parts,
        count(c.amount_wan) filter (
            where c.column_key in (concat(p.part, ':vehicle_purchase'), concat(p.part, ':vehicle_operation'))
        ) as n_vehicle_parts,
        coalesce(min(c.source_line), any_value(t.source_line)) as source_line
    from available as a
    cross join (values ('budget'), ('final')) as p (part)
    left join cells as c on a.document_id = c.document_id and c.table_key = 'three_public' and c.row_kind = 'item'
    left join table_first_line as t on a.document_id = t.document_id and t.table_key = 'three_public'
    where a.table_key = 'three_public'
    group by a.document_id, p.part
),

-- tables 07 / 08 -----------------------------------------------------------------------
fund_cells as (
    select
        document_id,
        table_key,
        row_kind,
        coalesce(code, '合计') as subject_code,
        code,
        column_key,
        amount_wan,
        source_line
    from cells
    where table_key in ('gov_fund', 'soe_capital') and row_kind in ('subject', 'total')
),

fund_rows as (
    select
        document_id,
        table_key,
        subject_code,
        min(source_line) as source_line,
        coalesce(sum(amount_wan) filter (where column_key = 'total'), 0) as total,
        coalesce(sum(amount_wan) filter (where column_key in ('basic', 'project')), 0) as parts,
        count(amount_wan) filter (where column_key in ('basic', 'project')) as n_parts,
        coalesce(sum(amount_wan) filter (where column_key = 'carryover_end'), 0) as carryover_end,
        coalesce(sum(amount_wan) filter (where column_key = 'carryover_begin'), 0)
        + coalesce(sum(amount_wan) filter (where column_key = 'income'), 0)
        - coalesce(sum(amount_wan) filter (where column_key = 'total'), 0) as flow,
        count(amount_wan) filter (where column_key in ('carryover_begin', 'income', 'total')) as n_flow
    from fund_cells
    group by document_id, table_key, subject_code
),

fund_parents as (
    select
        p.document_id,
        p.table_key,
        p.code as subject_code,
        p.column_key,
        p.source_line,
        p.amount_wan as expected,
        sum(c.amount_wan) as actual,
        count(c.amount_wan) as n_addends
    from fund_cells as p
    inner join fund_cells as c
        on
            p.document_id = c.document_id
            and p.table_key = c.table_key
            and p.column_key = c.column_key
            and c.row_kind = 'subject'
            and (
                (p.row_kind = 'total' and length(c.code) = 3)
                or (
                    p.row_kind = 'subject'
                    and length(c.code) = case length(p.code) when 3 then 5 when 5 then 7 end
                    and starts_with(c.code, p.code)
                )
            )
    group by all
)

select
    document_id,
    rule_id,
    'gpb_basic_econ' as table_key,
    null as subject_code,
    group_key as column_key,
    source_line,
    cast(expected as decimal(18, 4)) as expected,
    cast(actual as decimal(18, 4)) as actual,
    {{ rounding_tolerance('n_addends') }} as tolerance,
    title as note
from econ_group_sums
union all
select
    document_id,
    'WT19' as rule_id,
    'gpb_basic_econ' as table_key,
    class_code as subject_code,
    'amount' as column_key,
    source_line,
    cast(expected as decimal(18, 4)) as expected,
    cast(actual as decimal(18, 4)) as actual,
    {{ rounding_tolerance('n_addends') }} as tolerance,
    concat('经济分类 ', class_code, ' = Σ 款') as note
from econ_class_sums
union all
select
    document_id,
    'WT20' as rule_id,
    'three_public' as table_key,
    null as subject_code,
    concat(part, ':total') as column_key,
    source_line,
    cast(total as decimal(18, 4)) as expected,
    cast(items as decimal(18, 4)) as actual,
    {{ rounding_tolerance('n_items') }} as tolerance,
    case part when 'budget' then '预算数' else '决算数' end as note
from three_public
union all
select
    document_id,
    'WT21' as rule_id,
    'three_public' as table_key,
    null as subject_code,
    concat(part, ':vehicle') as column_key,
    source_line,
    cast(vehicle as decimal(18, 4)) as expected,
    cast(vehicle_parts as decimal(18, 4)) as actual,
    {{ rounding_tolerance('n_vehicle_parts') }} as tolerance,
    case part when 'budget' then '预算数' else '决算数' end as note
from three_public
union all
select
    document_id,
    'WT22' as rule_id,
    table_key,
    subject_code,
    'total' as column_key,
    source_line,
    cast(total as decimal(18, 4)) as expected,
    cast(parts as decimal(18, 4)) as actual,
    {{ rounding_tolerance('n_parts') }} as tolerance,
    null as note
from fund_rows
union all
select
    document_id,
    'WT23' as rule_id,
    table_key,
    subject_code,
    column_key,
    source_line,
    cast(expected as decimal(18, 4)) as expected,
    cast(actual as decimal(18, 4)) as actual,
    {{ rounding_tolerance('n_addends') }} as tolerance,
    null as note
from fund_parents
union all
select
    document_id,
    'WT24' as rule_id,
    table_key,
    subject_code,
    'carryover_end' as column_key,
    source_line,
    cast(carryover_end as decimal(18, 4)) as expected,
    cast(flow as decimal(18, 4)) as actual,
    {{ rounding_tolerance('n_flow') }} as tolerance,
    '年末结转和结余 = 年初结转和结余 + 本年收入 − 本年支出' as note
from fund_rows
where table_key = 'gov_fund'
