/**
 * SQL for every reason a call task has: its own reasons plus one per escalation that reached the person
 * after they had already been called (those escalations do not rewrite the task row; see Escalator).
 */
export function callReasonsSql(task: string): string {
  return `(${task}.reasons || coalesce((
    SELECT jsonb_agg(jsonb_build_object('kind', 'escalation', 'targetId', e.from_task_id::text,
      'note', fp.name || CASE e.reason WHEN 'no_ack' THEN '未在时限内应答' WHEN 'unreachable' THEN '无法联系'
                                     ELSE '报告无法履职' END) ORDER BY e.at)
    FROM escalations e JOIN call_tasks ft ON ft.id = e.from_task_id JOIN persons fp ON fp.id = ft.person_id
    WHERE e.to_task_id = ${task}.id AND ${task}.escalated_from_task_id IS DISTINCT FROM e.from_task_id), '[]'::jsonb))`;
}
