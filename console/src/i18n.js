import { ref } from 'vue';

/** zh-CN first; 中/EN in the header switches. The choice is kept in localStorage. */
export const lang = ref(localStorage.getItem('jy-lang') === 'en' ? 'en' : 'zh');

export function setLang(value) {
  lang.value = value;
  localStorage.setItem('jy-lang', value);
  document.documentElement.lang = value === 'en' ? 'en' : 'zh-CN';
}

const en = {
  值班台: 'Duty desk', 登录: 'Sign in', 退出: 'Sign out', 用户名: 'User name', 密码: 'Password', 动态口令: 'TOTP code',
  预警: 'Warnings', 发布预警: 'Issue', 审批: 'Approval', 电话叫应: 'Manual calls', 研判: 'Incoming', 名册: 'Roster',
  指挥看板: 'Board', 生效中: 'In force', 待审批草稿: 'Drafts awaiting approval', 历史: 'History', 灾种: 'Hazard',
  等级: 'Level', 区域: 'Area', 状态: 'State', 查询: 'Search', 重置: 'Reset', 标题: 'Headline', 签发时间: 'Sent',
  失效时间: 'Expires', 叫应: 'Calls', 已应答: 'Answered', 操作: 'Actions', 查看: 'Open', 版本: 'Versions',
  叫应对象: 'People called', 时间线: 'Timeline', 升级: 'Upgrade', 降级: 'Downgrade', 范围调整: 'Change area',
  解除: 'Lift', 闭环: 'Close', 预览: 'Preview', 保存草稿: 'Save draft', 签发: 'Issue now', 审核通过: 'Approve',
  退回: 'Return', 退回意见: 'Comment', 影响范围: 'Area', 按行政区划选择: 'Pick from the division tree',
  在地图上绘制: 'Draw on the map', 搜索镇街或村社: 'Search towns or villages', 预警内容: 'Text', 防御指引: 'Instructions',
  演练: 'Drill', 发布范围: 'Scope', 内部: 'Restricted', 公众: 'Public', 人数: 'People', 可达: 'Reachable',
  无法联系: 'Unreachable', 原因: 'Why', 按层级: 'By tier', 按镇街: 'By town', 按村社: 'By village', 风险区: 'Risk zones',
  重点对象: 'Objects', 全部名单: 'Everyone', 导出: 'Export', 姓名: 'Name', 职务: 'Title', 单位: 'Unit', 层级: 'Tier',
  手机: 'Mobile', 超时: 'Overdue', 督办: 'Supervision', 记录应答: 'Record answer', 已收到: 'Received',
  已到岗: 'On post', 正在转移: 'Evacuating', 无法履职: 'Cannot comply', 备注: 'Note', 确定: 'OK', 取消: 'Cancel',
  多边形: 'Polygon', 圆形: 'Circle', 清除: 'Clear', 完成: 'Finish', 半径公里: 'Radius (km)', 上传: 'Upload',
  试运行: 'Dry run', 正式导入: 'Import', 下载模板: 'Template', 体检报告: 'Fitness report', 行: 'Row', 列: 'Column',
  问题: 'Problem', 处理: 'Fix', 确认发布: 'Confirm', 驳回: 'Dismiss', 编辑: 'Edit', 修改: 'Edit', 修改草稿: 'Edit draft', 数据源心跳: 'Feed heartbeats', 共: 'Total',
  暂无数据: 'Nothing here', 起草人: 'Drafted by', 审批人: 'Approved by', 同灾种预警生效中: 'Same hazard already in force',
  将通知: 'Will be told', 统计: 'Reports', 提交: 'Submit', 返回: 'Back', 用户: 'User', 角色: 'Role',
};

export function t(zh) {
  return lang.value === 'en' ? (en[zh] ?? zh) : zh;
}
