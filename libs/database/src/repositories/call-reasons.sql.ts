/**
 * SQL for every reason a call task has: its own reasons plus one per 无法履职 escalation that reached the person after
 * they had already been called (those escalations do not rewrite the task row; see Escalator). Silence and
 * unreachability reach them as a 督办 of their own (EscalationNotices), not as more reasons on their call.
 */
export function callReasonsSql(task: string): string {
  return `(${task}.reasons || coalesce((
    SELECT jsonb_agg(jsonb_build_object('kind', 'escalation', 'targetId', e.from_task_id::text,
      'note', fp.name || '报告无法履职') ORDER BY e.at)
    FROM escalations e JOIN call_tasks ft ON ft.id = e.from_task_id JOIN persons fp ON fp.id = ft.person_id
    WHERE e.to_task_id = ${task}.id AND e.reason = 'cannot_comply'
      AND ${task}.escalated_from_task_id IS DISTINCT FROM e.from_task_id), '[]'::jsonb))`;
}
