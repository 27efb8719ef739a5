-- The table counterpart of every whole-document figure the narrative (情况说明) states:
-- one row per document × narrative metric (× 三公 item) for each document whose source
-- table is available (parsed, or printed empty = all zero). A blank cell is zero; n_addends
-- counts the printed amounts behind the figure (for the rounding tolerance).
with available as (
    select
        document_id,
        table_key
    from {{ scoped_ref('stg_reports__table_presence') }}
    where status in ('parsed', 'empty')
),

figure_map (metric, item, table_key, row_kind, row_key, column_key) as (
    values
    ('total_income_expenditure', '', 'summary', 'line', 'income:grand_total', 'amount'),
    ('income_total', '', 'summary', 'line', 'income:total_income', 'amount'),
    ('expenditure_total', '', 'summary', 'line', 'expenditure:total_expenditure', 'amount'),
    ('fiscal_total', '', 'fiscal_summary', 'line', 'income:grand_total', 'amount'),
    ('gpb_income', '', 'fiscal_summary', 'line', 'income:gpb_grant', 'amount'),
    ('gov_fund_income', '', 'fiscal_summary', 'line', 'income:gov_fund_grant', 'amount'),
    ('soe_capital_income', '', 'fiscal_summary', 'line', 'income:soe_grant', 'amount'),
    ('gpb_expenditure', '', 'gpb_expenditure', 'total', '', 'total'),
    ('gpb_expenditure_basic', '', 'gpb_expenditure', 'total', '', 'basic'),
    ('gpb_expenditure_project', '', 'gpb_expenditure', 'total', '', 'project'),
    ('income_fiscal', '', 'income', 'total', '', 'fiscal_grant'),
    ('income_upper_grant', '', 'income', 'total', '', 'upper_grant'),
    ('income_business', '', 'income', 'total', '', 'business'),
    ('income_operating', '', 'income', 'total', '', 'operating'),
    ('income_subsidiary', '', 'income', 'total', '', 'subsidiary'),
    ('income_other', '', 'income', 'total', '', 'other'),
    ('income_table_total', '', 'income', 'total', '', 'total'),
    ('expenditure_basic', '', 'expenditure', 'total', '', 'basic'),
    ('expenditure_project', '', 'expenditure', 'total', '', 'project'),
    ('expenditure_upper_remit', '', 'expenditure', 'total', '', 'upper_remit'),
    ('expenditure_operating', '', 'expenditure', 'total', '', 'operating'),
    ('expenditure_subsidiary', '', 'expenditure', 'total', '', 'subsidiary'),
    ('expenditure_table_total', '', 'expenditure', 'total', '', 'total'),
    ('basic_total', '', 'gpb_basic_econ', 'econ_total', 'personnel,public', 'amount'),
    ('basic_personnel', '', 'gpb_basic_econ', 'econ_total', 'personnel', 'amount'),
    ('basic_public', '', 'gpb_basic_econ', 'econ_total', 'public', 'amount'),
    ('three_public_budget', 'total', 'three_public', 'item', '', 'budget:total'),
    ('three_public_budget', 'abroad', 'three_public', 'item', '', 'budget:abroad'),
    ('three_public_budget', 'vehicle', 'three_public', 'item', '', 'budget:vehicle'),
    ('three_public_budget', 'vehicle_purchase', 'three_public', 'item', '', 'budget:vehicle_purchase'),
    ('three_public_budget', 'vehicle_operation', 'three_public', 'item', '', 'budget:vehicle_operation'),
    ('three_public_budget', 'reception', 'three_public', 'item', '', 'budget:reception'),
    ('three_public_final', 'total', 'three_public', 'item', '', 'final:total'),
    ('three_public_final', 'abroad', 'three_public', 'item', '', 'final:abroad'),
    ('three_public_final', 'vehicle', 'three_public', 'item', '', 'final:vehicle'),
    ('three_public_final', 'vehicle_purchase', 'three_public', 'item', '', 'final:vehicle_purchase'),
    ('three_public_final', 'vehicle_operation', 'three_public', 'item', '', 'final:vehicle_operation'),
    ('three_public_final', 'reception', 'three_public', 'item', '', 'final:reception')
),

cells as (
    select
        document_id,
        table_key,
        row_kind,
        case
            when row_kind = 'line' then concat(side, ':', code)
            when row_kind = 'econ_total' then code
            else ''
        end as row_key,
        column_key,
        amount_wan,
        source_line
    from {{ scoped_ref('stg_reports__table_cells') }}
    where row_kind in ('line', 'total', 'econ_total', 'item')
),

-- first printing of each figure (a line printed twice is a code_quality matter)
first_cells as (
    select *
    from cells
    qualify row_number() over (
        partition by document_id, table_key, row_kind, row_key, column_key order by source_line
    ) = 1
),

table_first_line as (
    select
        document_id,
        table_key,
        min(source_line) as source_line
    from {{ scoped_ref('stg_reports__table_cells') }}
    group by document_id, table_key
)

select
    a.document_id,
    m.metric,
    nullif(m.item, '') as item,
    m.table_key,
    m.column_key,
    cast(coalesce(sum(c.amount_wan), 0) as decimal(18, 4)) as amount_wan,
    count(c.amount_wan) as n_addends,
    coalesce(min(c.source_line), any_value(t.source_line)) as source_line
from available as a
inner join figure_map as m on a.table_key = m.table_key
left join first_cells as c
    on
        a.document_id = c.document_id
        and m.table_key = c.table_key
        and m.row_kind = c.row_kind
        and m.column_key = c.column_key
        and list_contains(string_split(m.row_key, ','), c.row_key)
left join table_first_line as t on a.document_id = t.document_id and a.table_key = t.table_key
group by a.document_id, m.metric, m.item, m.table_key, m.column_key
