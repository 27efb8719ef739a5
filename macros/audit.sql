{# Rounding policy (DESIGN §4): each printed amount is ±0.005 万元, so an identity over n
   printed addends holds when |difference| ≤ 0.005·(n+1), and never tighter than 0.01. #}
{% macro rounding_tolerance(n_addends) -%}
    cast(greatest(0.01, 0.005 * ({{ n_addends }} + 1)) as decimal(18, 4))
{%- endmacro %}

{# One audit check (a row of audit.checks, models/audit/checks.sql): the select list every
   chk_* model ends with. Arguments are SQL expressions, by default the column of that name
   (the branches of a model gathered with union_by_name); document_id is read as is. A
   tolerance is given either as n_addends (the rounding policy above) or as an expression
   (default 0: an exact comparison). #}
{% macro check_row(
    rule_id='rule_id', table_key='table_key', column_key='column_key', subject_code='subject_code',
    source_line='source_line', expected='expected', actual='actual', tolerance='0', n_addends=none,
    rate_status='null', row_severity='null', note='null', message='null'
) -%}
    document_id,
    cast({{ rule_id }} as varchar) as rule_id,
    cast({{ table_key }} as varchar) as table_key,
    cast({{ subject_code }} as varchar) as subject_code,
    cast({{ column_key }} as varchar) as column_key,
    cast({{ source_line }} as integer) as source_line,
    cast({{ expected }} as decimal(18, 4)) as expected,
    cast({{ actual }} as decimal(18, 4)) as actual,
    {% if n_addends is not none -%}
        {{ rounding_tolerance(n_addends) }}
    {%- else -%}
        cast({{ tolerance }} as decimal(18, 4))
    {%- endif %} as tolerance,
    cast({{ rate_status }} as varchar) as rate_status,
    cast({{ row_severity }} as varchar) as row_severity,
    cast({{ note }} as varchar) as note,
    cast({{ message }} as varchar) as message
{%- endmacro %}

{# The first value of a pivoted fact: `value` of the earliest row (by `order`) that meets
   `condition`, e.g. first_of('fact_value', "metric = 'budget'") — a figure narrated twice keeps
   its first mention. #}
{% macro first_of(value, condition, order='fact_seq') -%}
    arg_min({{ value }}, {{ order }}) filter (where {{ condition }})
{%- endmacro %}

{# The rows of several CTEs (or relations) with the check_row() columns they have, by name: a
   chk_* model gathers its branches with it and ends with one check_row() projection. #}
{% macro union_by_name(relations) -%}
    {%- for relation in relations %}
        select * from {{ relation }}
        {%- if not loop.last %}
            union all by name
        {%- endif %}
    {%- endfor %}
{%- endmacro %}

{# A name compared without spaces (ASCII or ideographic) and with （） read as (): how CQ02 tells
   a printed subject name from the code list's. #}
{% macro name_key(expression) -%}
    replace(replace(regexp_replace({{ expression }}, '[\s\x{3000}]+', '', 'g'), '（', '('), '）', ')')
{%- endmacro %}
