/** Timeline event types in Chinese. */
const EVENTS = {
  WarningReceived: '预警接收', WarningMatched: '匹配完成', WarningIssued: '预警签发', WarningSuperseded: '预警已更新',
  WarningLifted: '预警解除', WarningExpired: '预警到期', WarningClosed: '闭环', WarningDrafted: '起草', WarningDraftEdited: '修改草稿',
  WarningDraftApproved: '审核通过', WarningDraftPreviewed: '预览', CallIssued: '发起叫应', CallRetried: '重试', CallEscalated: '升级',
  CallAcknowledged: '应答', AckLinkOpened: '打开链接', MessageSent: '消息发出', MessageDelivered: '消息送达', MessageFailed: '发送失败',
  MessageUndelivered: '未送达', MessageCancelled: '消息撤回', LiftNoticeIssued: '解除通知', PublicWarningIssued: '公众预警发布',
  EscalationExhausted: '升级已到顶', RecipientsUnreachable: '有人无法联系', WarningDraftReturned: '退回草稿', CallAnsweredManually: '电话应答', ResidentConfirmed: '一对一确认', OrderIssued: '熔断指令', EvacuationStarted: '开始转移',
};
export const eventName = (type) => EVENTS[type] ?? type;
