-- 政府采购 as the 情况说明 states it, one row per document: total, 货物/工程/服务, and the
-- contracts awarded to 中小企业 / 小微企业 with their shares.
-- Each column is the first statement of metric procurement_<column without its suffix>: an
-- amount (_wan), a share (_pct) or the base the share is stated of (_base, its qualifier).
{%- set columns = [
    'total_wan', 'goods_wan', 'works_wan', 'services_wan', 'sme_wan', 'sme_share_pct', 'sme_share_base',
    'small_micro_wan', 'small_micro_share_pct', 'small_micro_share_base',
    'goods_sme_share_pct', 'works_sme_share_pct', 'services_sme_share_pct'
] %}

with facts as (
    select *
    from {{ scoped_ref('stg_reports__narrative_facts') }}
    where metric like 'procurement\_%' escape '\'
)

select
    document_id,
    {%- for column in columns %}
        {%- set metric = "metric = 'procurement_" ~ column.rsplit('_', 1)[0] ~ "'" %}
        {%- if column.endswith('_base') %}
            {{ first_of('qualifier', metric) }} as {{ column }},
        {%- else %}
            {%- set type = 'decimal(9, 2)' if column.endswith('_pct') else 'decimal(18, 2)' %}
            cast({{ first_of('fact_value', metric) }} as {{ type }}) as {{ column }},
        {%- endif %}
    {%- endfor %}
    min(source_line) as source_line
from facts
group by document_id
