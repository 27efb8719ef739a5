{# Rounding policy (DESIGN §4): each printed amount is ±0.005 万元, so an identity over n
   printed addends holds when |difference| ≤ 0.005·(n+1), and never tighter than 0.01. #}
{% macro rounding_tolerance(n_addends) -%}
    cast(greatest(0.01, 0.005 * ({{ n_addends }} + 1)) as decimal(18, 4))
{%- endmacro %}
