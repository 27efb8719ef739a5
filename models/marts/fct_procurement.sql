-- 政府采购 as the 情况说明 states it, one row per document: total, 货物/工程/服务, and the
-- contracts awarded to 中小企业 / 小微企业 with their shares.
with facts as (
    select *
    from {{ scoped_ref('stg_reports__narrative_facts') }}
    where metric like 'procurement\_%' escape '\'
)

select
    document_id,
    cast(arg_min(fact_value, fact_seq) filter (where metric = 'procurement_total') as decimal(18, 2)) as total_wan,
    cast(arg_min(fact_value, fact_seq) filter (where metric = 'procurement_goods') as decimal(18, 2)) as goods_wan,
    cast(arg_min(fact_value, fact_seq) filter (where metric = 'procurement_works') as decimal(18, 2)) as works_wan,
    cast(
        arg_min(fact_value, fact_seq) filter (where metric = 'procurement_services') as decimal(18, 2)
    ) as services_wan,
    cast(arg_min(fact_value, fact_seq) filter (where metric = 'procurement_sme') as decimal(18, 2)) as sme_wan,
    cast(arg_min(fact_value, fact_seq) filter (where metric = 'procurement_sme_share') as decimal(9, 2)) as sme_share_pct,
    arg_min(qualifier, fact_seq) filter (where metric = 'procurement_sme_share') as sme_share_base,
    cast(
        arg_min(fact_value, fact_seq) filter (where metric = 'procurement_small_micro') as decimal(18, 2)
    ) as small_micro_wan,
    cast(
        arg_min(fact_value, fact_seq) filter (where metric = 'procurement_small_micro_share') as decimal(9, 2)
    ) as small_micro_share_pct,
    arg_min(qualifier, fact_seq) filter (where metric = 'procurement_small_micro_share') as small_micro_share_base,
    cast(
        arg_min(fact_value, fact_seq) filter (where metric = 'procurement_goods_sme_share') as decimal(9, 2)
    ) as goods_sme_share_pct,
    cast(
        arg_min(fact_value, fact_seq) filter (where metric = 'procurement_works_sme_share') as decimal(9, 2)
    ) as works_sme_share_pct,
    cast(
        arg_min(fact_value, fact_seq) filter (where metric = 'procurement_services_sme_share') as decimal(9, 2)
    ) as services_sme_share_pct,
    min(source_line) as source_line
from facts
group by document_id
