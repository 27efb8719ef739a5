{# Rounding policy (DESIGN §4): each printed amount is ±0.005 万元, so an identity over n
   printed addends holds when |difference| ≤ 0.005·(n+1), and never tighter than 0.01. #}
{% macro rounding_tolerance(n_addends) -%}
    cast(greatest(0.01, 0.005 * ({{ n_addends }} + 1)) as decimal(18, 4))
{%- endmacro %}

{# One audit check (a row of audit.checks, models/audit/checks.sql): the select list every
   chk_* model ends with. Arguments are SQL expressions, by default the column of that name
   (the branches of a model gathered with union_by_name); document_id is read as is.

   The findings contract (DESIGN §3): actual is the figure the report prints at the place under
   test (a printed total, a narrated amount, a stated rate, the dependent table's cell), expected
   what its other printed figures imply (the sum of the parts, the table's amount, the rate
   recomputed from the amounts, the reference table's cell); a rule without figures leaves both
   null and sets message exactly when the check fails. A figure rule says where each figure is
   printed: actual_table / source_line and expected_table / expected_lines (a table key, or
   'narrative' for the 情况说明; '12' or '12–20' for a sum), and what it is (actual_label,
   expected_label, the unit '万元' or '%'); juesuan/audit/messages.py words the finding from them
   and detail. A tolerance is n_addends (the rounding policy above) or an expression (default 0);
   a rate rule gives the interval the stated rate may lie in instead (lower_bound, exclusive,
   upper_bound, inclusive: macros/completion_rate.sql). note tells apart two checks of a rule on
   the same table, subject and column: it goes into check_id, so it must not change when the
   wording does. #}
{% macro check_row(
    rule_id='rule_id', table_key='table_key', column_key='column_key', subject_code='subject_code',
    source_line='source_line', actual='actual', expected='expected', tolerance='0', n_addends=none,
    lower_bound='null', upper_bound='null', rate_status='null', row_severity='null', note='null',
    actual_table=none, actual_label='null', expected_table=none, expected_lines='null', expected_label='null',
    unit="'万元'", detail='null', message='null'
) -%}
    document_id,
    cast({{ rule_id }} as varchar) as rule_id,
    cast({{ table_key }} as varchar) as table_key,
    cast({{ subject_code }} as varchar) as subject_code,
    cast({{ column_key }} as varchar) as column_key,
    cast({{ source_line }} as integer) as source_line,
    cast({{ actual }} as decimal(18, 4)) as actual,
    cast({{ expected }} as decimal(18, 4)) as expected,
    {% if n_addends is not none -%}
        {{ rounding_tolerance(n_addends) }}
    {%- else -%}
        cast({{ tolerance }} as decimal(18, 4))
    {%- endif %} as tolerance,
    cast({{ lower_bound }} as double) as lower_bound,
    cast({{ upper_bound }} as double) as upper_bound,
    cast({{ rate_status }} as varchar) as rate_status,
    cast({{ row_severity }} as varchar) as row_severity,
    cast({{ note }} as varchar) as note,
    cast({{ actual_table or table_key }} as varchar) as actual_table,
    cast({{ actual_label }} as varchar) as actual_label,
    cast(coalesce({{ expected_table or 'null' }}, {{ actual_table or table_key }}) as varchar) as expected_table,
    cast({{ expected_lines }} as varchar) as expected_lines,
    cast({{ expected_label }} as varchar) as expected_label,
    cast({{ unit }} as varchar) as unit,
    cast({{ detail }} as varchar) as detail,
    cast({{ message }} as varchar) as message
{%- endmacro %}

{# Lines of a figure for a message: '12', or '12–20' when it sums several lines. #}
{% macro line_span(first_line, last_line) -%}
    case
        when {{ first_line }} is null then null
        when {{ last_line }} is null or {{ last_line }} = {{ first_line }} then cast({{ first_line }} as varchar)
        else concat({{ first_line }}, '–', {{ last_line }})
    end
{%- endmacro %}

{# The header of a table's column (seeds/layout_columns), e.g. ('expenditure', 'basic') → 基本支出. #}
{% macro column_header(table_key, column_key) -%}
    (
        select min(layout_column.header_zh) from {{ ref('layout_columns') }} as layout_column
        where layout_column.table_key = {{ table_key }} and layout_column.column_key = {{ column_key }}
    )
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

{# The expression without whitespace: the characters RE2's \s matches (tab, LF, FF, CR, space)
   and the ideographic space U+3000. The same strings as regexp_replace(…, '[\s\x{3000}]+', '', 'g'),
   ~4x faster: 5.2 M text lines in 0.48 against 1.85 s. #}
{% macro no_whitespace(expression) -%}
    replace(replace(replace(replace(replace(replace(
        {{ expression }}, ' ', ''), chr(9), ''), chr(10), ''), chr(12), ''), chr(13), ''), chr(12288), ''
    )
{%- endmacro %}

{# A name compared without spaces (ASCII or ideographic) and with （） read as (): how CQ02 tells
   a printed subject name from the code list's. #}
{% macro name_key(expression) -%}
    replace(replace({{ no_whitespace(expression) }}, '（', '('), '）', ')')
{%- endmacro %}

{# The label of a line of table 01/04 (row_key side:line_key) as the layout names it, for a line
   the report does not print (seeds/layout_summary_lines). #}
{% macro line_label(table_key, row_key) -%}
    (
        select min(layout_line.label_zh) from {{ ref('layout_summary_lines') }} as layout_line
        where layout_line.table_key = {{ table_key }} and concat(layout_line.side, ':', layout_line.line_key) = {{ row_key }}
    )
{%- endmacro %}

{# A stated rate as printed: 114, 97.2 (decimal(18, 4) without trailing zeros). #}
{% macro printed_number(expression) -%}
    case
        when {{ expression }} = trunc({{ expression }}) then cast(cast({{ expression }} as bigint) as varchar)
        else rtrim(cast({{ expression }} as varchar), '0')
    end
{%- endmacro %}
