-- Identities inside the two-sided summary tables 01 (收入支出决算总表) and 04 (财政拨款收入支出
-- 决算总表), WT04–WT16. Lines are keyed by label (side:line_key, e.g. income:total_income,
-- expenditure:class:201), never by 行次. A blank line is zero. One row per evaluated identity.
with available as (
    select
        document_id,
        table_key
    from {{ scoped_ref('stg_reports__table_presence') }}
    where status in ('parsed', 'empty') and table_key in ('summary', 'fiscal_summary')
),

lines as (
    select
        document_id,
        table_key,
        concat(side, ':', code) as line_key,
        column_key,
        amount_wan,
        source_line
    from {{ scoped_ref('stg_reports__table_cells') }}
    where row_kind = 'line' and table_key in ('summary', 'fiscal_summary')
    qualify row_number() over (
        partition by document_id, table_key, side, code, column_key order by source_line
    ) = 1
),

table_first_line as (
    select
        document_id,
        table_key,
        min(source_line) as source_line
    from {{ scoped_ref('stg_reports__table_cells') }}
    where table_key in ('summary', 'fiscal_summary')
    group by document_id, table_key
),

-- Column-wise identities: expected line = Σ addend lines (exact key, or every key under a prefix).
spec (rule_id, table_key, column_set, expected_key, addend_key, match_kind) as (
    values
    ('WT04', 'summary', 'amount', 'income:total_income', 'income:gpb_grant', 'eq'),
    ('WT04', 'summary', 'amount', 'income:total_income', 'income:gov_fund_grant', 'eq'),
    ('WT04', 'summary', 'amount', 'income:total_income', 'income:soe_grant', 'eq'),
    ('WT04', 'summary', 'amount', 'income:total_income', 'income:upper_grant', 'eq'),
    ('WT04', 'summary', 'amount', 'income:total_income', 'income:business', 'eq'),
    ('WT04', 'summary', 'amount', 'income:total_income', 'income:operating', 'eq'),
    ('WT04', 'summary', 'amount', 'income:total_income', 'income:subsidiary', 'eq'),
    ('WT04', 'summary', 'amount', 'income:total_income', 'income:other', 'eq'),
    ('WT05', 'summary', 'amount', 'expenditure:total_expenditure', 'expenditure:class:', 'prefix'),
    ('WT06', 'summary', 'amount', 'income:grand_total', 'income:total_income', 'eq'),
    ('WT06', 'summary', 'amount', 'income:grand_total', 'income:use_non_fiscal_balance', 'eq'),
    ('WT06', 'summary', 'amount', 'income:grand_total', 'income:carryover_begin', 'eq'),
    ('WT07', 'summary', 'amount', 'expenditure:grand_total', 'expenditure:total_expenditure', 'eq'),
    ('WT07', 'summary', 'amount', 'expenditure:grand_total', 'expenditure:balance_distribution', 'eq'),
    ('WT07', 'summary', 'amount', 'expenditure:grand_total', 'expenditure:carryover_end', 'eq'),
    ('WT08', 'summary', 'amount', 'income:grand_total', 'expenditure:grand_total', 'eq'),
    ('WT09', 'fiscal_summary', 'amount', 'income:total_income', 'income:gpb_grant', 'eq'),
    ('WT09', 'fiscal_summary', 'amount', 'income:total_income', 'income:gov_fund_grant', 'eq'),
    ('WT09', 'fiscal_summary', 'amount', 'income:total_income', 'income:soe_grant', 'eq'),
    ('WT10', 'fiscal_summary', 'amount', 'income:carryover_begin', 'income:carryover_begin:', 'prefix'),
    ('WT11', 'fiscal_summary', 'amount', 'income:grand_total', 'income:total_income', 'eq'),
    ('WT11', 'fiscal_summary', 'amount', 'income:grand_total', 'income:carryover_begin', 'eq'),
    ('WT13', 'fiscal_summary', 'funds', 'expenditure:total_expenditure', 'expenditure:class:', 'prefix'),
    ('WT14', 'fiscal_summary', 'funds', 'expenditure:grand_total', 'expenditure:total_expenditure', 'eq'),
    ('WT14', 'fiscal_summary', 'funds', 'expenditure:grand_total', 'expenditure:carryover_end', 'eq')
),

column_sets (column_set, column_key) as (
    values
    ('amount', 'amount'),
    ('funds', 'subtotal'),
    ('funds', 'general_public_budget'),
    ('funds', 'government_fund'),
    ('funds', 'state_capital')
),

identities as (
    select distinct
        a.document_id,
        s.rule_id,
        s.table_key,
        c.column_key,
        s.expected_key
    from available as a
    inner join spec as s on a.table_key = s.table_key
    inner join column_sets as c on s.column_set = c.column_set
),

addends as (
    select
        i.document_id,
        i.rule_id,
        i.column_key,
        sum(l.amount_wan) as actual,
        count(l.amount_wan) as n_addends
    from identities as i
    inner join spec as s
        on i.rule_id = s.rule_id and i.expected_key = s.expected_key
    inner join lines as l
        on
            i.document_id = l.document_id
            and i.table_key = l.table_key
            and i.column_key = l.column_key
            and (
                (s.match_kind = 'eq' and s.addend_key = l.line_key)
                or (s.match_kind = 'prefix' and starts_with(l.line_key, s.addend_key))
            )
    group by i.document_id, i.rule_id, i.column_key
),

column_identities as (
    select
        i.document_id,
        i.rule_id,
        i.table_key,
        cast(null as varchar) as subject_code,
        i.column_key,
        coalesce(e.source_line, t.source_line) as source_line,
        coalesce(e.amount_wan, 0) as expected,
        coalesce(a.actual, 0) as actual,
        coalesce(a.n_addends, 0) as n_addends,
        i.expected_key as note
    from identities as i
    left join lines as e
        on
            i.document_id = e.document_id
            and i.table_key = e.table_key
            and i.column_key = e.column_key
            and i.expected_key = e.line_key
    left join addends as a
        on i.document_id = a.document_id and i.rule_id = a.rule_id and i.column_key = a.column_key
    left join table_first_line as t on i.document_id = t.document_id and i.table_key = t.table_key
),

-- WT12: table 04, every expenditure line: 小计 = 一般公共预算 + 政府性基金 + 国有资本经营
fiscal_rows as (
    select
        l.document_id,
        l.line_key,
        min(l.source_line) as source_line,
        coalesce(sum(l.amount_wan) filter (where l.column_key = 'subtotal'), 0) as expected,
        coalesce(sum(l.amount_wan) filter (where l.column_key != 'subtotal'), 0) as actual,
        count(l.amount_wan) filter (where l.column_key != 'subtotal') as n_addends
    from lines as l
    inner join available as a on l.document_id = a.document_id and l.table_key = a.table_key
    where l.table_key = 'fiscal_summary' and starts_with(l.line_key, 'expenditure:')
    group by l.document_id, l.line_key
),

-- WT15 and WT16: table 04 balances, income side (column amount) against expenditure columns
fiscal_values as (
    select
        a.document_id,
        max(t.source_line) as first_line,
        coalesce(sum(l.amount_wan) filter (where l.line_key = 'income:grand_total'), 0) as income_grand,
        min(l.source_line) filter (where l.line_key = 'income:grand_total') as income_grand_line,
        coalesce(sum(l.amount_wan) filter (
            where l.line_key = 'expenditure:grand_total' and l.column_key = 'subtotal'
        ), 0) as expenditure_grand,
        count(l.amount_wan) filter (
            where l.line_key = 'expenditure:grand_total' and l.column_key = 'subtotal'
        ) as expenditure_grand_printed
    from available as a
    left join lines as l on a.document_id = l.document_id and a.table_key = l.table_key
    left join table_first_line as t on a.document_id = t.document_id and a.table_key = t.table_key
    where a.table_key = 'fiscal_summary'
    group by a.document_id
),

funds (fund, grant_key, column_key) as (
    values
    ('gpb', 'income:gpb_grant', 'general_public_budget'),
    ('gov_fund', 'income:gov_fund_grant', 'government_fund'),
    ('soe', 'income:soe_grant', 'state_capital')
),

fund_balance as (
    select
        a.document_id,
        f.column_key,
        coalesce(min(l.source_line) filter (where l.line_key = f.grant_key), max(t.source_line)) as source_line,
        coalesce(sum(l.amount_wan) filter (
            where l.line_key in (f.grant_key, concat('income:carryover_begin:', split_part(f.grant_key, ':', 2)))
        ), 0) as expected,
        coalesce(sum(l.amount_wan) filter (
            where
            l.column_key = f.column_key
            and l.line_key in ('expenditure:total_expenditure', 'expenditure:carryover_end')
        ), 0) as actual,
        count(l.amount_wan) filter (
            where
            l.line_key in (f.grant_key, concat('income:carryover_begin:', split_part(f.grant_key, ':', 2)))
            or (
                l.column_key = f.column_key
                and l.line_key in ('expenditure:total_expenditure', 'expenditure:carryover_end')
            )
        ) as n_printed
    from available as a
    cross join funds as f
    left join lines as l on a.document_id = l.document_id and a.table_key = l.table_key
    left join table_first_line as t on a.document_id = t.document_id and a.table_key = t.table_key
    where a.table_key = 'fiscal_summary'
    group by a.document_id, f.column_key
)

select
    document_id,
    rule_id,
    table_key,
    subject_code,
    column_key,
    source_line,
    cast(expected as decimal(18, 4)) as expected,
    cast(actual as decimal(18, 4)) as actual,
    {{ rounding_tolerance('n_addends') }} as tolerance,
    note
from column_identities
union all
select
    document_id,
    'WT12' as rule_id,
    'fiscal_summary' as table_key,
    case when starts_with(line_key, 'expenditure:class:') then split_part(line_key, ':', 3) end as subject_code,
    'subtotal' as column_key,
    source_line,
    cast(expected as decimal(18, 4)) as expected,
    cast(actual as decimal(18, 4)) as actual,
    {{ rounding_tolerance('n_addends') }} as tolerance,
    line_key as note
from fiscal_rows
union all
select
    document_id,
    'WT15' as rule_id,
    'fiscal_summary' as table_key,
    null as subject_code,
    'subtotal' as column_key,
    coalesce(income_grand_line, first_line) as source_line,
    cast(income_grand as decimal(18, 4)) as expected,
    cast(expenditure_grand as decimal(18, 4)) as actual,
    {{ rounding_tolerance('1') }} as tolerance,
    'income:grand_total = expenditure:grand_total' as note
from fiscal_values
union all
select
    document_id,
    'WT16' as rule_id,
    'fiscal_summary' as table_key,
    null as subject_code,
    column_key,
    source_line,
    cast(expected as decimal(18, 4)) as expected,
    cast(actual as decimal(18, 4)) as actual,
    -- both sides are sums of two printed lines
    {{ rounding_tolerance('greatest(n_printed - 1, 1)') }} as tolerance,
    concat('本年收入 + 年初结转和结余 = 本年支出 + 年末结转和结余 (', column_key, ')') as note
from fund_balance
