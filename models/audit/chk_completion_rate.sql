-- Completion rates (完成率, DESIGN §4): one row per stated rate — per subject (CR01), the whole
-- 一般公共预算 (CR02), 三公 items (CR03), project 执行率 (CR04), the 整体绩效自评's whole budget
-- and project total (CR07) — plus every line with 年初预算 = 0 (CR05: it must not state a
-- rate). A stated rate whose 年初预算 or 决算 is missing cannot be recomputed and is recorded as
-- such (CR06, completeness). actual = the stated rate, expected = the rate recomputed from the
-- printed amounts, lower_bound / upper_bound the interval the stated rate may lie in (the
-- expectation suite tests it); rate_status and row_severity come from macros/completion_rate.sql,
-- the stated rates from int_audit_stated_rates.
with checked as (
    select
        *,
        case
            when budget_wan = 0 then 'CR05'
            when rate_status = 'not_evaluable' then 'CR06'
            else scope_rule
        end as rule_id,
        {{ rate_recomputed('budget_wan', 'final_wan') }} as rate_point,
        {{ rate_low('budget_wan', 'final_wan') }} as rate_lo,
        {{ rate_high('budget_wan', 'final_wan') }} as rate_hi,
        {{ rate_stated_low('stated_rate', 'stated_rate_decimals') }} as stated_lo,
        {{ rate_stated_high('stated_rate', 'stated_rate_decimals') }} as stated_hi,
        {{ rate_gap('budget_wan', 'final_wan', 'stated_rate', 'stated_rate_decimals') }} as rate_gap
    from {{ scoped_ref('int_audit_stated_rates') }}
    where stated_rate is not null or budget_wan = 0
),

described as (
    select
        *,
        case
            when rule_id = 'CR05' and stated_rate is not null
                then concat(
                    '情况说明第 ', source_line, ' 行「', scope_label, '」列示完成率 ', {{ printed_number('stated_rate') }}, '%，而',
                    budget_word, '为 0（', final_word, ' ', format('{:.2f}', cast(final_wan as double)),
                    ' 万元）：完成率无法计算，不应列示'
                )
            when rule_id = 'CR06'
                then concat(
                    '情况说明第 ', source_line, ' 行「', scope_label, '」列示完成率 ', {{ printed_number('stated_rate') }}, '%，',
                    budget_word, coalesce(format(' {:.2f} 万元', cast(budget_wan as double)), '未列示'), '，',
                    final_word, coalesce(format(' {:.2f} 万元', cast(final_wan as double)), '未列示'), '：无法复核'
                )
        end as message,
        concat('「', scope_label, '」列示完成率') as actual_label,
        case
            when rate_point is not null
                then concat(
                    '按', final_word, ' ', format('{:.2f}', cast(final_wan as double)), ' 万元 ÷ ', budget_word, ' ',
                    format('{:.2f}', cast(budget_wan as double)), ' 万元复核为'
                )
        end as expected_label,
        case when rate_point is not null and stated_rate is not null then concat(
            format(
                '列示精度覆盖 [{:.{}f}, {:.{}f})', stated_lo, stated_rate_decimals + 1, stated_hi, stated_rate_decimals + 1
            ),
            format('，金额舍入允许 [{:.3f}, {:.3f}]', rate_lo, rate_hi),
            case rate_status
                when 'consistent' then '：一致'
                when 'truncated' then '：列示值为复核值截尾（非四舍五入）'
                when 'inconsistent' then format('：超出允许区间 {:.2f} 个百分点', rate_gap)
            end
        ) end as detail
    from checked
)

select
    {{ check_row(
        actual='stated_rate', expected='round(rate_point, 2)',
        tolerance="round(" ~ rate_stated_halfunit('stated_rate_decimals')
            ~ " + greatest(rate_hi - rate_point, rate_point - rate_lo), 4)",
        lower_bound=rate_lower_bound('budget_wan', 'final_wan', 'stated_rate_decimals'),
        upper_bound=rate_upper_bound('budget_wan', 'final_wan', 'stated_rate_decimals'),
        rate_status='rate_status',
        row_severity=rate_severity('rate_status', 'rate_gap', 'final_wan', 'stated_rate'),
        actual_table="'narrative'", actual_label='actual_label', expected_table='amount_table',
        expected_lines='cast(amount_line as varchar)', expected_label='expected_label', unit="'%'", detail='detail',
        message='message'
    ) }}
from described
