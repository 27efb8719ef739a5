-- Completion rates (完成率, DESIGN §4): one row per stated rate — per subject (CR01), the whole
-- 一般公共预算 (CR02), 三公 items (CR03), project 执行率 (CR04), the 整体绩效自评's whole budget
-- and project total (CR07) — plus every line with 年初预算 = 0 (CR05: it must not state a
-- rate). A stated rate whose 年初预算 or 决算 is missing cannot be recomputed and is recorded as
-- such (CR06, completeness). expected = the stated rate, actual = the rate recomputed from the
-- printed amounts; rate_status and row_severity come from macros/completion_rate.sql, the
-- stated rates from int_audit_stated_rates.
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
        concat(
            scope_label, '：', budget_word, coalesce(format(' {:.2f} 万元', cast(budget_wan as double)), '未列示'), '，',
            final_word, coalesce(format(' {:.2f} 万元', cast(final_wan as double)), '未列示'),
            case
                when stated_rate is not null
                    then format(
                        '，列示完成率 {:.{}f}%（按列示精度覆盖 [{:.{}f}, {:.{}f})）', cast(stated_rate as double), stated_rate_decimals,
                        stated_lo, stated_rate_decimals + 1, stated_hi, stated_rate_decimals + 1
                    )
                else '，未列示完成率'
            end,
            case
                when rate_point is not null
                    then format('，复核为 {:.2f}%（金额舍入允许 [{:.3f}, {:.3f}]）', rate_point, rate_lo, rate_hi)
                else ''
            end,
            '：',
            case rate_status
                when 'consistent' then '一致'
                when 'truncated' then '列示值为复核值截尾（非四舍五入）'
                when 'inconsistent' then format('不一致，超出允许区间 {:.2f} 个百分点', rate_gap)
                when 'zero_budget_with_rate' then '年初预算为 0，却列示完成率'
                when 'not_evaluable' then '缺少' || budget_word || '或' || final_word || '，无法复核完成率'
                when 'not_stated' then '年初预算为 0，未列示完成率'
            end
        ) as note
    from checked
)

select
    {{ check_row(
        expected='stated_rate', actual='round(rate_point, 2)',
        tolerance="round(" ~ rate_stated_halfunit('stated_rate_decimals')
            ~ " + greatest(rate_hi - rate_point, rate_point - rate_lo), 4)",
        rate_status='rate_status',
        row_severity=rate_severity('rate_status', 'rate_gap', 'final_wan', 'stated_rate'),
        note='note'
    ) }}
from described
