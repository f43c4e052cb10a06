import { createHash } from 'node:crypto';
import { epaySign, epayVerify } from './epay-signature';

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

describe('epay signature', () => {
  const KEY = 'k3yABC';

  it('signs the sorted, non-empty fields without sign/sign_type, key appended directly', () => {
    const fields = {
      pid: '1001',
      type: 'alipay',
      out_trade_no: 'PO1',
      notify_url: 'http://a.example/n',
      return_url: 'http://a.example/r',
      name: 'Recharge',
      money: '20.00',
      param: '',
      sign_type: 'MD5',
      sign: 'ignored',
    };
    // Written out by hand: keys in code-unit order, `param` (empty) and sign/sign_type left out.
    const content =
      'money=20.00&name=Recharge&notify_url=http://a.example/n&out_trade_no=PO1&pid=1001&return_url=http://a.example/r&type=alipay';
    expect(epaySign(fields, KEY)).toBe(md5(content + KEY));
  });

  it('matches a fixed vector', () => {
    // MD5 of "a=1&b=2key", computed outside this code.
    expect(epaySign({ b: '2', a: '1' }, 'key')).toBe('1c123a5dc12e90deeaa1cd94681f0d88');
  });

  it('sorts by code unit, not locale: upper case before lower case, "_" after letters of upper case', () => {
    const fields = { b: '1', B: '2', a_b: '3', aB: '4' };
    expect(epaySign(fields, 'K')).toBe(md5('B=2&aB=4&a_b=3&b=1K'));
  });

  it('signs Chinese and spaces in name raw, not URL-encoded', () => {
    const fields = { name: '充值 20 元 VIP', money: '20.00', out_trade_no: 'PO2' };
    expect(epaySign(fields, KEY)).toBe(md5('money=20.00&name=充值 20 元 VIP&out_trade_no=PO2' + KEY));
    expect(epaySign(fields, KEY)).not.toBe(md5('money=20.00&name=%E5%85%85%E5%80%BC+20+%E5%85%83+VIP&out_trade_no=PO2' + KEY));
  });

  it('verifies over the exact strings: "20.00" and "20" are different', () => {
    const fields = { money: '20.00', out_trade_no: 'PO3', trade_status: 'TRADE_SUCCESS' };
    const signed = { ...fields, sign: epaySign(fields, KEY), sign_type: 'MD5' };
    expect(epayVerify(signed, KEY)).toBe(true);
    expect(epayVerify({ ...signed, sign: signed.sign.toUpperCase() }, KEY)).toBe(true);
    expect(epayVerify({ ...signed, money: '20' }, KEY)).toBe(false);
    expect(epayVerify({ ...signed, money: '19.99' }, KEY)).toBe(false);
    expect(epayVerify(signed, 'other-key')).toBe(false);
    expect(epayVerify({ ...signed, sign: 'short' }, KEY)).toBe(false);
    expect(epayVerify({ money: '20.00' }, KEY)).toBe(false);
  });
});
