-- draws on every document and is small: rebuilt whole by every build, incremental or not
{{ config(materialized='table') }}
{% call code_dimension('econ_classes', 'int_econ_rows_ranked', 'econ') %}
    case when left(c.econ_code, 3) in ('301', '303') then 'personnel' else 'public' end as cost_group,
{% endcall %}
