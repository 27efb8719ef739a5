{#
  Completion-rate policy (完成率, DESIGN §4) as SQL expressions.

  rate = 决算 ÷ 年初预算 × 100, recomputed from the printed amounts. Each printed amount is
  rounded to 0.01 万元 (±0.005), so the true rate lies in
      [(F − 0.005) / (B + 0.005), (F + 0.005) / (B − 0.005)] × 100,
  and a rate printed with p decimals stands for [s − 0.5·10^−p, s + 0.5·10^−p).

  rate_status:
    not_stated            no rate printed (nothing to check, no finding)
    zero_budget_with_rate 年初预算 = 0 and a rate is printed (error)
    not_evaluable         a rate is printed but 年初预算 or 决算 is missing (completeness finding)
    consistent            the two intervals meet
    truncated             the stated rate is the recomputed one truncated at p decimals (info)
    inconsistent          anything else: warning, error when the gap exceeds 1 percentage point

  The gap (rate_gap) is the distance in percentage points between the two intervals, i.e.
  how far the stated rate lies beyond what the printed amounts allow. Comparisons give the
  report the benefit of 1e-9 against floating-point noise.
#}

{% macro rate_amount_halfwidth() -%} 0.005 {%- endmacro %}

{% macro rate_epsilon() -%} 1e-9 {%- endmacro %}

{# Recomputed rate (point value, double) or NULL when it cannot be computed. #}
{% macro rate_recomputed(budget, final) -%}
    case
        when {{ budget }} > 0 and {{ final }} is not null
            then cast({{ final }} as double) / cast({{ budget }} as double) * 100
    end
{%- endmacro %}

{# Lower / upper bound of the rate the printed amounts allow. #}
{% macro rate_low(budget, final) -%}
    case
        when {{ budget }} > 0 and {{ final }} is not null
            then greatest(0, cast({{ final }} as double) - {{ rate_amount_halfwidth() }})
            / (cast({{ budget }} as double) + {{ rate_amount_halfwidth() }}) * 100
    end
{%- endmacro %}

{% macro rate_high(budget, final) -%}
    case
        when {{ budget }} > {{ rate_amount_halfwidth() }} and {{ final }} is not null
            then (cast({{ final }} as double) + {{ rate_amount_halfwidth() }})
            / (cast({{ budget }} as double) - {{ rate_amount_halfwidth() }}) * 100
    end
{%- endmacro %}

{# Half a unit of the stated precision: 114 → 0.5, 97.2 → 0.05. #}
{% macro rate_stated_halfunit(decimals) -%}
    (0.5 / pow(10, coalesce({{ decimals }}, 0)))
{%- endmacro %}

{% macro rate_stated_low(stated, decimals) -%}
    (cast({{ stated }} as double) - {{ rate_stated_halfunit(decimals) }})
{%- endmacro %}

{% macro rate_stated_high(stated, decimals) -%}
    (cast({{ stated }} as double) + {{ rate_stated_halfunit(decimals) }})
{%- endmacro %}

{# Percentage points between the stated interval and the recomputed one (0 when they meet;
   NULL when there is nothing to compare). #}
{% macro rate_gap(budget, final, stated, decimals) -%}
    case
        when {{ stated }} is not null and {{ budget }} > 0 and {{ final }} is not null
            then greatest(
                0,
                {{ rate_stated_low(stated, decimals) }} - {{ rate_high(budget, final) }},
                {{ rate_low(budget, final) }} - {{ rate_stated_high(stated, decimals) }}
            )
    end
{%- endmacro %}

{# The interval a stated rate printed with `decimals` may lie in for the printed amounts to
   allow it: (rate_lower_bound, rate_upper_bound], the recomputed interval widened by half a unit
   of the stated precision and by rate_epsilon. The expectation suite of the rate rules
   (expectations/templates.yml, rate_within_bounds) tests the stated rate against these two
   bounds; rate_status says 'consistent' for exactly the same rates. #}
{% macro rate_lower_bound(budget, final, decimals) -%}
    ({{ rate_low(budget, final) }} - {{ rate_stated_halfunit(decimals) }} - {{ rate_epsilon() }})
{%- endmacro %}

{% macro rate_upper_bound(budget, final, decimals) -%}
    ({{ rate_high(budget, final) }} + {{ rate_stated_halfunit(decimals) }} + {{ rate_epsilon() }})
{%- endmacro %}

{% macro rate_intervals_meet(budget, final, stated, decimals) -%}
    (
        cast({{ stated }} as double) > {{ rate_lower_bound(budget, final, decimals) }}
        and cast({{ stated }} as double) <= {{ rate_upper_bound(budget, final, decimals) }}
    )
{%- endmacro %}

{# Some rate the amounts allow, truncated (not rounded) at p decimals, gives the stated
   value: the recomputed interval meets [s, s + 10^−p). #}
{% macro rate_is_truncation(budget, final, stated, decimals) -%}
    (
        {{ rate_low(budget, final) }}
        < cast({{ stated }} as double) + 2 * {{ rate_stated_halfunit(decimals) }} + {{ rate_epsilon() }}
        and {{ rate_high(budget, final) }} >= cast({{ stated }} as double) - {{ rate_epsilon() }}
    )
{%- endmacro %}

{% macro rate_status(budget, final, stated, decimals) -%}
    case
        when {{ stated }} is null then 'not_stated'
        when {{ budget }} = 0 then 'zero_budget_with_rate'
        when {{ budget }} is null or {{ final }} is null then 'not_evaluable'
        when {{ rate_intervals_meet(budget, final, stated, decimals) }} then 'consistent'
        when {{ rate_is_truncation(budget, final, stated, decimals) }} then 'truncated'
        else 'inconsistent'
    end
{%- endmacro %}

{# Severity of the finding a status raises (NULL = no finding / the rule's own severity).
   A zero budget with nothing spent and "完成预算的 0%" is the template's placeholder for an
   empty 三公 item: reported, as info; any other rate on a zero budget is an error. #}
{% macro rate_severity(status, gap, final, stated) -%}
    case {{ status }}
        when 'truncated' then 'info'
        when 'inconsistent' then case when {{ gap }} > 1 then 'error' else 'warning' end
        when 'zero_budget_with_rate'
            then case when {{ final }} = 0 and {{ stated }} = 0 then 'info' else 'error' end
    end
{%- endmacro %}

{# Amounts rounded to the DESIGN types. #}
{% macro rate_pct(expression) -%}
    cast(round({{ expression }}, 2) as decimal(9, 2))
{%- endmacro %}

{# The rate columns of the facts that state a completion rate (fct_budget_execution,
   fct_three_public, fct_project_performance), from their columns stated_rate_value and
   stated_rate_decimals and the two amounts: the stated rate, its precision, the recomputed rate,
   the gap and the status, judged alike in all three; with_direction adds the wording 决算数
   大于/小于/持平年初预算数 (stated_direction_sign, direction_wording) where the fact narrates it. #}
{% macro rate_columns(budget, final, with_direction=false) -%}
    cast(stated_rate_value as decimal(9, 2)) as stated_rate_pct,
    stated_rate_decimals,
    {{ rate_pct(rate_recomputed(budget, final)) }} as recomputed_rate_pct,
    {{ rate_pct(rate_gap(budget, final, 'stated_rate_value', 'stated_rate_decimals')) }} as rate_gap_pct,
    {{ rate_status(budget, final, 'stated_rate_value', 'stated_rate_decimals') }} as rate_status
    {%- if with_direction %},
    case stated_direction_sign when 1 then 'more' when -1 then 'less' when 0 then 'equal' end as stated_direction,
    direction_wording
    {%- endif %}
{%- endmacro %}

{# Shares (NT03) and growth rates (CY02) grade a stated rate by its distance from the recomputed
   one (gap, percentage points): truncation is info, a rate that cannot be recomputed info, a
   gap over 1 point an error, any other inconsistency a warning; consistent: no grade. #}
{% macro gap_severity(status, gap) -%}
    case {{ status }}
        when 'consistent' then null
        when 'truncated' then 'info'
        when 'not_evaluable' then 'info'
        else case when {{ gap }} > 1 then 'error' else 'warning' end
    end
{%- endmacro %}

{# The verdict such a rate's message ends with. #}
{% macro gap_verdict(status, gap) -%}
    case {{ status }}
        when 'consistent' then '：一致'
        when 'truncated' then '：列示值为复核值截尾（非四舍五入）'
        when 'inconsistent' then concat('：不一致，相差 ', cast(round({{ gap }}, 2) as double), ' 个百分点')
        else ''
    end
{%- endmacro %}

{# Status of a stated share (NT03) or growth rate (CY02) against its row's lower_bound /
   upper_bound: inside is consistent (the expectation suite's own test); a rate that cannot be
   recomputed is `unrecomputable`; the recomputed rate truncated at the stated precision is
   truncated; anything else inconsistent. #}
{% macro interval_status(stated, recomputed, decimals, unrecomputable="'not_evaluable'") -%}
    case
        when {{ stated }} > lower_bound and {{ stated }} <= upper_bound then 'consistent'
        when {{ recomputed }} is null then {{ unrecomputable }}
        when {{ stated }} = trunc({{ recomputed }} * pow(10, {{ decimals }})) / pow(10, {{ decimals }}) then 'truncated'
        else 'inconsistent'
    end
{%- endmacro %}
