-- 财政拨款“三公”经费 per document × item: 预算 and 决算 from table 09 (公开09表, 表7 in 2020)
-- where it was parsed, else from the 情况说明; the stated 完成预算 rate is judged by the same
-- interval policy as the general budget (macros/completion_rate.sql).
with narrative as (
    select
        document_id,
        item,
        arg_min(fact_value, fact_seq) filter (where metric = 'three_public_budget') as budget_value,
        arg_min(fact_value, fact_seq) filter (where metric = 'three_public_final') as final_value,
        arg_min(fact_value, fact_seq) filter (where metric = 'three_public_rate') as stated_rate_value,
        arg_min(value_decimals, fact_seq) filter (where metric = 'three_public_rate') as stated_rate_decimals,
        cast(
            arg_min(fact_value, fact_seq) filter (where metric = 'three_public_direction') as integer
        ) as stated_direction_sign,
        arg_min(qualifier, fact_seq) filter (where metric = 'three_public_direction') as direction_wording,
        min(source_line) filter (where metric in ('three_public_budget', 'three_public_final')) as amount_line,
        arg_min(source_line, fact_seq) filter (where metric = 'three_public_rate') as rate_source_line,
        arg_min(source_line, fact_seq) filter (where metric = 'three_public_direction') as direction_source_line
    from {{ scoped_ref('stg_reports__narrative_facts') }}
    where
        metric in ('three_public_budget', 'three_public_final', 'three_public_rate', 'three_public_direction')
        and item is not null
    group by document_id, item
),

table_cells as (
    select
        document_id,
        split_part(column_key, ':', 2) as item,
        arg_min(amount_wan, source_line) filter (where split_part(column_key, ':', 1) = 'budget') as budget_wan,
        arg_min(amount_wan, source_line) filter (where split_part(column_key, ':', 1) = 'final') as final_wan,
        min(source_line) as table_line
    from {{ scoped_ref('stg_reports__table_cells') }}
    where
        table_key = 'three_public'
        and split_part(column_key, ':', 1) in ('budget', 'final')
        and amount_wan is not null
    group by document_id, split_part(column_key, ':', 2)
),

joined as (
    select
        coalesce(t.document_id, n.document_id) as document_id,
        coalesce(t.item, n.item) as item,
        t.budget_wan as table_budget_wan,
        t.final_wan as table_final_wan,
        cast(n.budget_value as decimal(18, 2)) as narrative_budget_wan,
        cast(n.final_value as decimal(18, 2)) as narrative_final_wan,
        n.stated_rate_value,
        n.stated_rate_decimals,
        n.stated_direction_sign,
        n.direction_wording,
        t.table_line,
        n.amount_line,
        n.rate_source_line,
        n.direction_source_line
    from table_cells as t
    full outer join narrative as n on t.document_id = n.document_id and t.item = n.item
),

amounts as (
    select
        *,
        coalesce(table_budget_wan, narrative_budget_wan) as budget_wan,
        coalesce(table_final_wan, narrative_final_wan) as final_wan
    from joined
)

select
    document_id,
    item,
    case item
        when 'total' then '“三公”经费合计'
        when 'abroad' then '因公出国（境）费'
        when 'vehicle' then '公务用车购置及运行维护费'
        when 'vehicle_purchase' then '公务用车购置费'
        when 'vehicle_operation' then '公务用车运行维护费'
        when 'reception' then '公务接待费'
    end as item_zh,
    budget_wan,
    final_wan,
    case
        when table_budget_wan is null and table_final_wan is null then 'narrative'
        when
            (table_budget_wan is not null or budget_wan is null)
            and (table_final_wan is not null or final_wan is null)
            then 'table_09'
        else 'table_09+narrative'
    end as value_source,
    {{ rate_columns('budget_wan', 'final_wan', with_direction=true) }},
    table_budget_wan,
    table_final_wan,
    narrative_budget_wan,
    narrative_final_wan,
    coalesce(table_line, amount_line) as source_line,
    rate_source_line,
    direction_source_line
from amounts
