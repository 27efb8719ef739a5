-- Identities inside tables 06 (基本支出 by 经济分类), 09 (三公) and 07/08 (政府性基金 /
-- 国有资本经营), WT17–WT24 (WT23, 07/08 parent = Σ children: chk_subject_tables). A blank
-- cell is zero. One row per evaluated identity.
with tables as (
    select * from {{ scoped_ref('int_audit_tables') }}
    where is_available and table_key in ('gpb_basic_econ', 'three_public', 'gov_fund', 'soe_capital')
),

cells as (
    select c.*
    from {{ scoped_ref('stg_reports__table_cells') }} as c
    inner join tables as t on c.document_id = t.document_id and c.table_key = t.table_key
),

-- table 06 -----------------------------------------------------------------------------
econ as (
    select
        document_id,
        code,
        row_name,
        amount_wan,
        source_line
    from cells
    where table_key = 'gpb_basic_econ' and row_kind = 'econ' and code is not null
),

-- WT17 人员经费合计 = 301 + 303, WT18 公用经费合计 = every other 类 (int_econ_rows_ranked's
-- cost groups)
econ_groups as (
    select
        t.document_id,
        t.first_line,
        g.group_key,
        case g.group_key when 'personnel' then 'WT17' else 'WT18' end as rule_id,
        case g.group_key
            when 'personnel' then '人员经费合计 = 301 + 303'
            else '公用经费合计 = 302 + 307 + 309 + 310 + 312 + 399 …'
        end as title
    from tables as t
    cross join (values ('personnel'), ('public')) as g (group_key)
    where t.table_key = 'gpb_basic_econ'
),

econ_group_sums as (
    select
        g.document_id,
        g.rule_id,
        g.group_key,
        any_value(g.title) as title,
        coalesce(min(c.source_line) filter (where c.row_kind = 'econ_total'), any_value(g.first_line))
            as source_line,
        coalesce(sum(c.amount_wan) filter (where c.row_kind = 'econ_total'), 0) as actual,
        coalesce(sum(c.amount_wan) filter (where c.row_kind = 'econ'), 0) as expected,
        count(c.amount_wan) filter (where c.row_kind = 'econ') as n_addends,
        {{ line_span(
            "min(c.source_line) filter (where c.row_kind = 'econ')", "max(c.source_line) filter (where c.row_kind = 'econ')"
        ) }} as expected_lines
    from econ_groups as g
    left join cells as c
        on
            g.document_id = c.document_id
            and c.table_key = 'gpb_basic_econ'
            and (
                (c.row_kind = 'econ_total' and g.group_key = c.code)
                or (
                    c.row_kind = 'econ' and length(c.code) = 3
                    and (c.code in ('301', '303')) = (g.group_key = 'personnel')
                )
            )
    group by g.document_id, g.rule_id, g.group_key
),

econ_parents as (
    select
        document_id,
        code as class_code,
        min(row_name) as class_name,
        sum(amount_wan) as actual,
        min(source_line) as source_line
    from econ
    where length(code) = 3
    group by document_id, code
),

econ_children as (
    select
        document_id,
        left(code, 3) as class_code,
        sum(amount_wan) as expected,
        count(amount_wan) as n_addends,
        min(source_line) as source_line,
        max(source_line) as last_line
    from econ
    where length(code) = 5
    group by document_id, left(code, 3)
),

econ_class_sums as (
    select
        coalesce(p.document_id, c.document_id) as document_id,
        coalesce(p.class_code, c.class_code) as class_code,
        coalesce(p.source_line, c.source_line) as source_line,
        coalesce(p.actual, 0) as actual,
        coalesce(c.expected, 0) as expected,
        coalesce(c.n_addends, 0) as n_addends,
        concat('「', coalesce(p.class_code, c.class_code), ' ', coalesce(p.class_name, ''), '」') as actual_label,
        {{ line_span('c.source_line', 'c.last_line') }} as expected_lines
    from econ_parents as p
    full outer join econ_children as c on p.document_id = c.document_id and p.class_code = c.class_code
),

-- table 09: per part (预算数 budget, 决算数 final) 合计 = 出国 + 公务用车 + 接待 (WT20) and
-- 公务用车 = 购置费 + 运行维护费 (WT21)
three_public as (
    select
        t.document_id,
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
        coalesce(min(c.source_line), any_value(t.first_line)) as source_line,
        case p.part when 'budget' then '预算数' else '决算数' end as part_zh
    from tables as t
    cross join (values ('budget'), ('final')) as p (part)
    left join cells as c on t.document_id = c.document_id and c.table_key = 'three_public' and c.row_kind = 'item'
    where t.table_key = 'three_public'
    group by t.document_id, p.part
),

-- tables 07 / 08 -----------------------------------------------------------------------
fund_cells as (
    select
        document_id,
        table_key,
        row_kind,
        coalesce(code, '合计') as subject_code,
        code,
        row_name,
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
        concat('「', case when subject_code = '合计' then '合计' else concat(subject_code, ' ', min(row_name)) end, '」')
            as row_label,
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

checks as (
    select
        *,
        'gpb_basic_econ' as table_key,
        group_key as column_key,
        title as note,
        concat('「', case group_key when 'personnel' then '人员' else '公用' end, '经费合计」') as actual_label,
        if(group_key = 'personnel', '工资福利支出（301）与对个人和家庭的补助（303）之和', '其余经济分类（类）之和')
            as expected_label
    from econ_group_sums
    union all by name
    select
        *,
        'WT19' as rule_id,
        'gpb_basic_econ' as table_key,
        class_code as subject_code,
        'amount' as column_key,
        concat('经济分类 ', class_code, ' = Σ 款') as note,
        '所属各款之和' as expected_label
    from econ_class_sums
    union all by name
    select
        document_id,
        'WT20' as rule_id,
        'three_public' as table_key,
        concat(part, ':total') as column_key,
        source_line,
        total as actual,
        items as expected,
        n_items as n_addends,
        part_zh as note,
        concat('「', part_zh, '合计」') as actual_label,
        '因公出国（境）费、公务用车购置及运行维护费、公务接待费之和' as expected_label
    from three_public
    union all by name
    select
        document_id,
        'WT21' as rule_id,
        'three_public' as table_key,
        concat(part, ':vehicle') as column_key,
        source_line,
        vehicle as actual,
        vehicle_parts as expected,
        n_vehicle_parts as n_addends,
        part_zh as note,
        concat('「', part_zh, '公务用车购置及运行维护费」') as actual_label,
        '公务用车购置费与运行维护费之和' as expected_label
    from three_public
    union all by name
    select
        document_id,
        'WT22' as rule_id,
        table_key,
        subject_code,
        'total' as column_key,
        source_line,
        total as actual,
        parts as expected,
        n_parts as n_addends,
        concat(f.row_label, {{ column_header('f.table_key', "'total'") }}) as actual_label,
        '基本支出与项目支出之和' as expected_label
    from fund_rows as f
    union all by name
    select
        document_id,
        'WT24' as rule_id,
        table_key,
        subject_code,
        'carryover_end' as column_key,
        source_line,
        carryover_end as actual,
        flow as expected,
        n_flow as n_addends,
        '年末结转和结余 = 年初结转和结余 + 本年收入 − 本年支出' as note,
        concat(row_label, '年末结转和结余') as actual_label,
        '年初结转和结余 + 本年收入 − 本年支出' as expected_label
    from fund_rows
    where table_key = 'gov_fund'
)

select
    {{ check_row(
        n_addends='n_addends', note='note', actual_label='actual_label', expected_label='expected_label',
        expected_lines='coalesce(expected_lines, cast(source_line as varchar))'
    ) }}
from checks
