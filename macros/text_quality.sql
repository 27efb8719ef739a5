{# Text-quality rules (models/audit/chk_text_quality.sql) read their text lists from the seed
   text_quality_patterns (seeds/_text_quality.yml). The patterns are inlined into the SQL as
   constants when the model runs: DuckDB compiles a constant regular expression once, but a
   pattern read from a joined column once per row (200× slower on a million lines). #}

{# {kind: [(table_key or '', pattern, group_no), …]}; empty while dbt parses the project #}
{% macro text_quality_patterns() -%}
    {%- set out = {} -%}
    {%- set seed = ref('text_quality_patterns') -%}
    {%- if execute and target.name == 'lint' and adapter.get_relation(seed.database, seed.schema, seed.identifier) is none -%}
        {#- sqlfluff compiles against an empty in-memory database: one stand-in pattern per kind -#}
        {%- for kind in ['placeholder', 'year_heading', 'year_phrase', 'doubled_punctuation', 'doubled_allow',
                         'no_data_statement', 'table_word', 'part_heading', 'negative_allowed'] -%}
            {%- do out.update({kind: [('summary', 'x(y)', 1)]}) -%}
        {%- endfor -%}
    {%- elif execute -%}
        {%- set rows = run_query(
            "select kind, coalesce(table_key, '') as table_key, pattern, coalesce(group_no, 0) as group_no from "
            ~ seed ~ " order by kind, table_key, pattern"
        ).rows -%}
        {%- for r in rows -%}
            {%- do out.setdefault(r[0], []).append((r[1], r[2], r[3] | int)) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(out) -}}
{%- endmacro %}

{# a SQL string literal #}
{% macro tq_literal(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{# one alternation of all patterns of a kind (as a literal), or none when the seed has none #}
{% macro tq_alternation(patterns, kind) -%}
    {%- set items = patterns.get(kind, []) -%}
    {%- if items -%}
        {{- tq_literal('(?:' ~ (items | map(attribute=1) | join(')|(?:')) ~ ')') -}}
    {%- endif -%}
{%- endmacro %}

{# a line as a message quotes it: whitespace runs (tabs between table cells) as one space #}
{% macro tq_shown(text) -%}
    trim(regexp_replace({{ text }}, '[\s\x{3000}]+', ' ', 'g'))
{%- endmacro %}

{# Up to 60 characters of a line around a quoted piece of it, whitespace runs as one space #}
{% macro tq_excerpt(text, quote) -%}
    (case
        when length({{ text }}) <= 60 then {{ text }}
        else concat(
            case when strpos({{ text }}, {{ quote }}) > 21 then '…' else '' end,
            substr({{ text }}, greatest(1, strpos({{ text }}, {{ quote }}) - 20), 60),
            case when greatest(1, strpos({{ text }}, {{ quote }}) - 20) + 60 <= length({{ text }}) then '…' else '' end
        )
    end)
{%- endmacro %}

{# "第 3 页第 120 行" for a PDF line, "第 120 行" for a text report #}
{% macro tq_where(page, line) -%}
    concat(case when {{ page }} is not null then concat('第 ', {{ page }}, ' 页') else '' end, '第 ', {{ line }}, ' 行')
{%- endmacro %}

{# The hits of the patterns of a kind in column `text` of `relation`: the rows a pattern matches,
   once per pattern, with match_text (what it matched) and group_text (the capture group the
   seed names, 0 = the whole match). One pass of the kind's alternation leaves the few rows each
   pattern then reads (materialized: else the optimizer pushes the whole alternation into every
   branch). A kind without patterns has no hits. #}
{% macro tq_hits(patterns, kind, relation, text) -%}
    {%- set items = patterns.get(kind, []) -%}
    (
        with candidates as materialized (
            select *
            from {{ relation }}
            where {{ 'regexp_matches(' ~ text ~ ', ' ~ tq_alternation(patterns, kind) ~ ')' if items else 'false' }}
        )

        {%- for _, pattern, group_no in items or [('', '^$', 0)] %}
            {%- if not loop.first %}
        union all
            {%- endif %}
        select
            *,
            regexp_extract({{ text }}, {{ tq_literal(pattern) }}) as match_text,
            regexp_extract({{ text }}, {{ tq_literal(pattern) }}, {{ group_no }}) as group_text
        from candidates
        where regexp_matches({{ text }}, {{ tq_literal(pattern) }})
        {%- endfor %}
    )
{%- endmacro %}

{# The (table_key, pattern) rows of a kind whose seed rows name a table (table_word,
   negative_allowed); a kind without patterns gives one row that names no table ('') #}
{% macro tq_table_patterns(patterns, kind) -%}
    {%- for table_key, pattern, _ in patterns.get(kind, []) or [('', '^$', 0)] %}
        {%- if not loop.first %}
    union all
        {%- endif %}
    select
        {{ tq_literal(table_key) }} as table_key,
        {{ tq_literal(pattern) }} as pattern
    {%- endfor %}
{%- endmacro %}
