import { chinaDateTime } from '@app/common';
import type { CallbackOutbox } from './callback-outbox';
import type { CarrierEvents } from './carrier-sim';

const unixS = (ms: number) => String(Math.floor(ms / 1000));

/**
 * What the simulated network reports, posted to our API in each provider's documented callback format: Alibaba's
 * SmsReport / SmsUp / VoiceReport (JSON arrays, batched) and Tencent's SMS status and reply callbacks and VMS event
 * callbacks (one object per request: voicekey_callback during the call, voiceprompt_callback at its end).
 */
export function carrierCallbacks(outbox: CallbackOutbox): CarrierEvents {
  let sequence = 0;
  return {
    smsReceipt(carrier, r) {
      const now = Date.now();
      if (carrier === 'alibaba') {
        outbox.push('/providers/alibaba/sms-report', {
          phone_number: r.phone,
          send_time: chinaDateTime(now - 1000),
          report_time: chinaDateTime(now),
          success: r.delivered,
          err_code: r.code,
          err_msg: r.delivered ? '用户接收成功' : '用户接收失败',
          sms_size: '1',
          biz_id: r.messageId,
          out_id: r.outId,
        });
      } else {
        outbox.push('/providers/tencent/sms-status', {
          user_receive_time: chinaDateTime(now),
          nationcode: '86',
          mobile: r.phone,
          report_status: r.delivered ? 'SUCCESS' : 'FAIL',
          errmsg: r.delivered ? 'DELIVRD' : r.code,
          description: r.delivered ? '用户短信送达成功' : '用户短信接收失败',
          sid: r.messageId,
        });
      }
    },
    voiceReport(carrier, r) {
      const now = Date.now();
      const answered = r.result !== 'no_answer';
      if (carrier === 'alibaba') {
        outbox.push('/providers/alibaba/voice-report', {
          call_id: r.callId,
          start_time: chinaDateTime(now - 15_000),
          end_time: chinaDateTime(now),
          duration: answered ? '15' : '0',
          status_code: answered ? '200000' : '200005',
          status_msg: answered ? '用户听完自动挂断' : '用户未接听',
          out_id: r.outId,
          dtmf: r.result === 'press' ? '1' : '',
        });
        return;
      }
      const call = { call_from: '', callid: r.callId, mobile: r.phone, nationcode: '86' };
      if (r.result === 'press') {
        outbox.push('/providers/tencent/voice', { voicekey_callback: { ...call, keypress: '1' } }, true);
      }
      outbox.push(
        '/providers/tencent/voice',
        {
          voiceprompt_callback: {
            ...call,
            result: answered ? '0' : '1',
            start_calltime: unixS(now - 20_000),
            accept_time: answered ? unixS(now - 15_000) : '',
            end_calltime: unixS(now),
            fee: answered ? '1' : '0',
          },
        },
        true,
      );
    },
    reply(carrier, r) {
      if (carrier === 'alibaba') {
        outbox.push('/providers/alibaba/sms-up', {
          phone_number: r.phone,
          send_time: chinaDateTime(Date.now()),
          content: r.text,
          sign_name: '',
          dest_code: '1069',
          sequence_id: ++sequence,
        });
      } else {
        outbox.push(
          '/providers/tencent/sms-reply',
          {
            extend: '',
            mobile: r.phone,
            nationcode: '86',
            sign: '',
            text: r.text,
            time: Math.floor(Date.now() / 1000),
          },
          true,
        );
      }
    },
  };
}
